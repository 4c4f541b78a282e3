# message: basic.eml
redirect "a@example.net";
redirect "a@example.net";
keep;
keep;
