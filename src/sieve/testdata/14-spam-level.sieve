# message: multipart.eml
require ["relational","comparator-i;ascii-numeric","fileinto"];
if header :value "ge" :comparator "i;ascii-numeric" "x-spam-level" "5" { fileinto "Never"; }
if header :matches "x-spam-level" "\\*\\*\\*\\*\\*\\**" { fileinto "Junk"; }
