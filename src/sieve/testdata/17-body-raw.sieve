# message: multipart.eml
require ["body","fileinto"];
if body :raw :contains "caf=E9" { fileinto "Raw"; }
