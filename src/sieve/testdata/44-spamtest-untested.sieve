# message: basic.eml
require ["spamtestplus", "virustest", "relational", "comparator-i;ascii-numeric", "fileinto"];
if spamtest "0" { fileinto "NoSpamScore"; }
if spamtest :percent :value "eq" :comparator "i;ascii-numeric" "0" { fileinto "ZeroPercent"; }
if virustest "0" { fileinto "NoVirusScan"; }
