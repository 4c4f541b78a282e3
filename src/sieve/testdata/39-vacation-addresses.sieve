# message: basic.eml
# envelope-from: joe@example.com
# envelope-to: user@example.org
require ["vacation","fileinto"];
vacation :days 2 :addresses ["boss@example.org"] "Via Cc alias.";
fileinto "Seen";
