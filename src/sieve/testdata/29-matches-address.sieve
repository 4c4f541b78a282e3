# message: basic.eml
require ["fileinto"];
if address :matches :domain "cc" "*.org" { fileinto "OrgCc"; }
if address :is :all "to" "OTHER@example.net" { fileinto "Other"; }
