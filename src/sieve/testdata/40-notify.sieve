# message: basic.eml
require ["enotify", "variables"];
if header :matches "subject" "*, *" {
  notify :message "From Joe: ${2}" :importance "1" "mailto:0123456789@sms.example.net?to=backup@example.com&cc=boss@example.org";
}
if valid_notify_method "mailto:ops@example.org" { notify "mailto:ops@example.org?subject=New%20mail"; }
if valid_notify_method ["mailto:ok@example.org", "xmpp:chat@example.org"] { notify "mailto:never@example.org"; }
if notify_method_capability "mailto:x@example.org" "online" "maybe" { notify :from "user@example.org" "mailto:online@example.org"; }
