# message: basic.eml
require "fileinto";
fileinto "First";
stop;
fileinto "Never";
