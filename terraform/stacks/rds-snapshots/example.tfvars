# Example values for the production target (registry stack rds-snapshots-production): replace
# with your accounts'. The names must be the registry's snapshots.targets.<target> values.
environment      = "production"
region           = "eu-west-1"
dr_region        = "us-east-1"
event_queue_name = "platform-ops-rds-snapshot-events"
dr_kms_key_alias = "alias/platform-ops-snapshots-dr"

key_administrator_arns = ["arn:aws:iam::222222222222:role/platform-admin"]
dlq_alarm_actions = {
  primary = ["arn:aws:sns:eu-west-1:222222222222:platform-ops-notifications"]
  dr      = ["arn:aws:sns:us-east-1:222222222222:platform-ops-notifications"]
}
tags = { Owner = "platform" }
