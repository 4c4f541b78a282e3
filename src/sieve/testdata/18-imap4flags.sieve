# message: basic.eml
require ["imap4flags","fileinto"];
addflag "\\Flagged";
fileinto "Flagged";
removeflag "\\Flagged";
keep;
