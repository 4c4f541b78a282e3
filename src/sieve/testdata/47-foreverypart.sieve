# message: nested.eml
require ["foreverypart", "mime", "fileinto", "variables"];
set "seen" "";
foreverypart :name "outer" {
  if header :mime "x-test" "*" { }
  if header :mime :matches "x-test" "*" { set "seen" "${seen}${1}"; }
  if header :mime :contenttype "content-type" "application/pdf" {
    fileinto "Attachments";
    break :name "outer";
  }
}
if string :is "${seen}" "AABBCCDDEE" { fileinto "Order-${seen}"; }
set "inner" "";
foreverypart {
  foreverypart {
    if header :mime :matches "x-test" "*" { set "inner" "${inner}${1}"; }
  }
}
fileinto "Inner-${inner}";
