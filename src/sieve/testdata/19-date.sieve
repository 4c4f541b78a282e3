# message: basic.eml
require ["date","fileinto","relational"];
if date :zone "+0000" "date" "hour" "14" { fileinto "Hour14"; }
if date :originalzone "date" "zone" "-0500" { fileinto "East"; }
if date :value "lt" "date" "year" "2010" { fileinto "Old"; }
