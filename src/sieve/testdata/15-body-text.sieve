# message: multipart.eml
require ["body","fileinto"];
if body :text :contains "gratuit" { fileinto "Offers"; }
