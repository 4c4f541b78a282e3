# message: list.eml
require ["index","fileinto"];
if header :index 2 :contains "received" "origin.example.com" { fileinto "Second"; }
if header :index 1 :last :contains "received" "origin" { fileinto "Last"; }
