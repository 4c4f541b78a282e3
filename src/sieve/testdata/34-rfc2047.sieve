# message: multipart.eml
require "fileinto";
if header :contains "subject" "Café crème" { fileinto "Decoded"; }
if address :localpart :is "from" "renee" { fileinto "Renee"; }
