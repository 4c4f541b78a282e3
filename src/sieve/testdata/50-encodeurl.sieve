# message: basic.eml
require ["enotify", "variables"];
if header :matches "subject" "*" {
  set :encodeurl "s" "${1}";
  notify "mailto:sms@example.net?subject=${s}";
}
