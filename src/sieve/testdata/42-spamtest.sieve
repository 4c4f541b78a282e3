# message: nested.eml
require ["spamtest", "relational", "comparator-i;ascii-numeric", "fileinto"];
if spamtest :value "ge" :comparator "i;ascii-numeric" "10" { fileinto "Spam10"; }
if spamtest :value "lt" :comparator "i;ascii-numeric" "5" { fileinto "Below5"; }
if spamtest "0" { fileinto "Untested"; }
