# message: list.eml
require "fileinto";
if header :contains "from" "nobody" { fileinto "A"; }
elsif header :contains "list-id" "acme" { fileinto "Acme"; }
else { fileinto "C"; }
