# message: basic.eml
require ["reject", "vacation"];
vacation "Away";
reject "Not today";
