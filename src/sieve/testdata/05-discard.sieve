# message: list.eml
if exists "list-id" { discard; stop; }
keep;
