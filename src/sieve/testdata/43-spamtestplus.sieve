# message: ham.eml
require ["spamtestplus", "relational", "comparator-i;ascii-numeric", "fileinto"];
if spamtest :percent :value "eq" :comparator "i;ascii-numeric" "24" { fileinto "P24"; }
if spamtest :value "eq" :comparator "i;ascii-numeric" "3" { fileinto "S3"; }
if spamtest :percent :value "gt" :comparator "i;ascii-numeric" "50" { fileinto "Junk"; }
