# What the rds_snapshots DAG needs in one target account (one registry snapshot target):
# - in the databases' Region and in the DR Region, the queue its snapshot and copy waits read,
#   fed by an EventBridge rule for RDS's native snapshot events (module native-events with
#   rds_snapshot_events): "created" events arrive in the primary Region, "copy finished" events
#   in the DR Region, where CopyDBSnapshot runs;
# - in the DR Region, the customer managed key the copies are re-encrypted with, usable by RDS
#   for this account only (kms:ViaService rds.<dr Region>.amazonaws.com + kms:CallerAccount).
# The names are the registry's (snapshots.targets.<target>.event_queue and dr_kms_key_alias).

module "events_primary" {
  source    = "../../modules/native-events"
  providers = { aws = aws.primary }

  name_prefix         = var.event_queue_name
  rds_snapshot_events = true
  dlq_alarm_actions   = var.dlq_alarm_actions.primary
  tags                = var.tags
}

module "events_dr" {
  source    = "../../modules/native-events"
  providers = { aws = aws.dr }

  name_prefix         = var.event_queue_name
  rds_snapshot_events = true
  dlq_alarm_actions   = var.dlq_alarm_actions.dr
  tags                = var.tags
}

module "dr_key" {
  source    = "../../modules/kms"
  providers = { aws = aws.dr }

  name                   = trimprefix(var.dr_kms_key_alias, "alias/")
  description            = "rds_snapshots: DR-Region copies of the manual RDS snapshots of ${var.region}"
  allowed_services       = ["rds.amazonaws.com"]
  key_administrator_arns = var.key_administrator_arns
  tags                   = var.tags
}
