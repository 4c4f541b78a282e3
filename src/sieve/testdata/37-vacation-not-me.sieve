# message: basic.eml
# envelope-from: joe@example.com
# envelope-to: stranger@example.org
require "vacation";
vacation "Not addressed to me.";
