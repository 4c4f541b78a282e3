# message: multipart.eml
require ["reject","fileinto"];
fileinto "Junk";
reject "No";
