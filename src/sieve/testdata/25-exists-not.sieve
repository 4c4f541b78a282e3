# message: basic.eml
require "fileinto";
if not exists ["list-id","list-post"] { fileinto "Personal"; }
if allof (exists "date", not header :is "subject" "") { redirect "copy@example.net"; }
