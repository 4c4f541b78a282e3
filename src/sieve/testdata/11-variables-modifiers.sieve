# message: basic.eml
require ["variables","fileinto"];
set :upper "a" "mixed";
set :upperfirst :lower "b" "hELLO";
set :length "n" "${a}${b}";
fileinto "${a}-${b}-${n}";
