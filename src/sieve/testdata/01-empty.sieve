# message: basic.eml
# nothing: implicit keep
