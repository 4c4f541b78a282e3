# message: list.eml
require "vacation";
vacation :addresses ["acme-users@lists.example.net"] "I am away.";
