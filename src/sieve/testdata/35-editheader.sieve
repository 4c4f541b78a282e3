# message: basic.eml
require ["editheader","fileinto"];
addheader "X-Filtered" "yes";
if header :is "x-filtered" "yes" { fileinto "Edited"; }
deleteheader "x-priority";
if not exists "x-priority" { fileinto "Deleted"; }
