# message: basic.eml
# envelope-from: joe+lists@example.com
# envelope-to: user+sieve@example.org
require ["envelope","subaddress","fileinto"];
if envelope :detail "to" "sieve" { fileinto "Sieve"; }
if address :user "from" "joe" { fileinto "Joe"; }
if address :detail "from" "lists" { fileinto "JoeLists"; }
