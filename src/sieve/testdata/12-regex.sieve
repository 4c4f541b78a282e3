# message: basic.eml
require ["regex","variables","fileinto"];
if header :regex "subject" "^Hello (there), ([a-z]+)" { fileinto "re-${2}-${1}"; }
