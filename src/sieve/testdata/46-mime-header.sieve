# message: nested.eml
require ["mime", "fileinto"];
if header :mime :type "content-type" "multipart" { fileinto "TopMultipart"; }
if header :mime :subtype "content-type" "mixed" { fileinto "Mixed"; }
if header :mime :contenttype "content-type" "text/plain" { fileinto "TopIsText"; }
if header :mime :anychild :contenttype "content-type" "application/pdf" { fileinto "HasPdf"; }
if header :mime :anychild :param "filename" :matches "content-disposition" "*.pdf" { fileinto "PdfName"; }
if header :mime :anychild :param ["name", "charset"] "content-type" "iso-8859-1" { fileinto "Latin1"; }
if exists :mime :anychild "reply-to" { fileinto "PartReplyTo"; }
if exists :mime "reply-to" { fileinto "TopReplyTo"; }
if address :mime :anychild :domain "reply-to" "example.com" { fileinto "ReplyDomain"; }
