# message: basic.eml
require ["mailbox","fileinto"];
fileinto :create "New/Folder";
