# message: basic.eml
require ["variables","fileinto"];
set "x" "abc";
if string :is "${x}" "abc" { fileinto "Var"; }
if string :contains ["${x}","zzz"] "zz" { fileinto "List"; }
