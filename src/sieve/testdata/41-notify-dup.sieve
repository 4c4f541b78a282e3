# message: basic.eml
require ["enotify", "fileinto"];
notify "mailto:a@example.org";
notify :message "again" "mailto:a@example.org";
notify "mailto:b@example.org";
fileinto "Notified";
