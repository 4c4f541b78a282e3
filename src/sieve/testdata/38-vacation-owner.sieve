# message: basic.eml
# envelope-from: owner-acme@lists.example.net
# envelope-to: user@example.org
require "vacation";
vacation "To a list owner.";
