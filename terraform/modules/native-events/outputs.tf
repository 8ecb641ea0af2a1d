output "queue_url" {
  description = "URL of the event queue: the event_queue_url of the operators."
  value       = aws_sqs_queue.events.id
}

output "queue_arn" {
  description = "ARN of the event queue."
  value       = aws_sqs_queue.events.arn
}

output "dlq_arn" {
  description = "ARN of the dead-letter queue."
  value       = aws_sqs_queue.dlq.arn
}

output "dlq_alarm_name" {
  description = "Name of the alarm on the dead-letter queue's depth."
  value       = aws_cloudwatch_metric_alarm.dlq.alarm_name
}

output "rule_arns" {
  description = "EventBridge rule ARNs by kind (sfn, ecs, alarm, rds_snapshot); only the kinds with resources (rds_snapshot: when rds_snapshot_events is on)."
  value       = { for key, rule in aws_cloudwatch_event_rule.wait : key => rule.arn }
}

output "event_patterns" {
  description = "The rules' event patterns by kind (the forwarder submodule takes them as they are)."
  value       = { for key, pattern in local.rules : key => jsonencode(pattern) }
}

output "event_bus_arn" {
  description = "ARN of this account's default event bus, where the forwarders deliver."
  value       = local.bus_arn
}

output "airflow_policy_json" {
  description = "IAM policy for the Airflow role: receive, delete, change visibility and read attributes of the event queue only (plus kms:Decrypt of its key when it has one)."
  value       = data.aws_iam_policy_document.airflow.json
}
