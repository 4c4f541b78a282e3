# message: basic.eml
require "fileinto";
if size :under 1K { fileinto "Small"; }
if size :over 1 { fileinto "NotEmpty"; }
