# message: multipart.eml
require "reject";
if header :is "x-spam-flag" "YES" { reject "No spam please"; }
