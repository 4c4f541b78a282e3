# message: multipart.eml
require "enotify";
notify "mailto:watch@example.org";
keep;
