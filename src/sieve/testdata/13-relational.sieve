# message: basic.eml
require ["relational","comparator-i;ascii-numeric","fileinto"];
if header :value "lt" :comparator "i;ascii-numeric" "x-priority" "4" { fileinto "Important"; }
if address :count "ge" :comparator "i;ascii-numeric" ["to","cc"] "3" { fileinto "Many"; }
