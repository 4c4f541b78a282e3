# message: nested.eml
require ["foreverypart", "mime", "extracttext", "variables", "fileinto"];
foreverypart {
  if header :mime :contenttype "content-type" "text/plain" {
    extracttext :first 3 "start";
    extracttext :lower "all";
    if string :contains "${all}" "invoice total" { fileinto "Invoice"; }
    if string :is "${start}" "Sch" { fileinto "Start-ok"; }
  }
  if header :mime :contenttype "content-type" "image/jpeg" {
    extracttext "img";
    if string :is "${img}" "binary" { fileinto "ImageRaw"; }
  }
}
