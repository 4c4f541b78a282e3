# message: multipart.eml
require "vacation";
vacation "I am away.";
