# message: multipart.eml
require ["body","fileinto"];
if body :content "text/html" :contains "<b>gratuit</b>" { fileinto "Html"; }
if body :content "text/plain" :contains "<b>" { fileinto "Wrong"; }
