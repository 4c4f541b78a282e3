# message: basic.eml
require "fileinto";
if header :comparator "i;octet" :contains "subject" "hello" { fileinto "Lower"; }
if header :comparator "i;ascii-casemap" :contains "subject" "HELLO" { fileinto "Caseless"; }
