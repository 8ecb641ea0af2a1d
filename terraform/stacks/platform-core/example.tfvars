region             = "eu-west-1"
name_prefix        = "platform-core"
environment        = "dev"
log_retention_days = 30
