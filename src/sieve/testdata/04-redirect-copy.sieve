# message: basic.eml
require "copy";
redirect :copy "archive@example.net";
redirect "boss@example.net";
