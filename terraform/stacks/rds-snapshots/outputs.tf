output "event_queues" {
  description = "The snapshot event queue of each Region (primary: snapshot created; dr: copy finished), with its rule."
  value = {
    for role, events in { primary = module.events_primary, dr = module.events_dr } : role => {
      region                      = role == "primary" ? var.region : var.dr_region
      name                        = var.event_queue_name
      url                         = events.queue_url
      arn                         = events.queue_arn
      rule_arn                    = events.rule_arns["rds_snapshot"]
      dlq_alarm_name              = events.dlq_alarm_name
    }
  }
}

output "rds_snapshot_event_pattern" {
  description = "The rules' event pattern (JSON), the same in both Regions: platform_ops.events.matching.RULE_PATTERNS[\"rds_snapshot\"]."
  value       = module.events_primary.event_patterns["rds_snapshot"]
}

output "dr_kms_key" {
  description = "The DR-Region key of the copies: the DAG's KmsKeyId is its ARN, found through the alias."
  value = {
    region = var.dr_region
    arn    = module.dr_key.key_arn
    alias  = module.dr_key.alias_name
  }
}

output "airflow_policy_json" {
  description = "IAM policy of each Region's queue for the Airflow role (receive, delete, change visibility, read attributes); attach both."
  value = {
    primary = module.events_primary.airflow_policy_json
    dr      = module.events_dr.airflow_policy_json
  }
}
