output "sns_topic_arn" {
  description = "Topic every alarm of this module notifies (created or given), or null."
  value       = local.topic_arn
}

output "alarm_names" {
  description = "Alarm names by kind and key: aurora_replication_lag, s3_replication_latency, s3_replication_backlog_bytes, s3_replication_backlog_operations, health_check, error_rate."
  value = {
    aurora_replication_lag            = { for k, a in aws_cloudwatch_metric_alarm.aurora_replication_lag : k => a.alarm_name }
    s3_replication_latency            = { for k, a in aws_cloudwatch_metric_alarm.s3_replication_latency : k => a.alarm_name }
    s3_replication_backlog_bytes      = { for k, a in aws_cloudwatch_metric_alarm.s3_replication_backlog_bytes : k => a.alarm_name }
    s3_replication_backlog_operations = { for k, a in aws_cloudwatch_metric_alarm.s3_replication_backlog_operations : k => a.alarm_name }
    health_check                      = { for k, a in aws_cloudwatch_metric_alarm.health_check : k => a.alarm_name }
    error_rate                        = { for k, a in aws_cloudwatch_metric_alarm.error_rate : k => a.alarm_name }
  }
}

output "alarm_arns" {
  description = "ARNs of every alarm of this module."
  value = concat(
    [for a in aws_cloudwatch_metric_alarm.aurora_replication_lag : a.arn],
    [for a in aws_cloudwatch_metric_alarm.s3_replication_latency : a.arn],
    [for a in aws_cloudwatch_metric_alarm.s3_replication_backlog_bytes : a.arn],
    [for a in aws_cloudwatch_metric_alarm.s3_replication_backlog_operations : a.arn],
    [for a in aws_cloudwatch_metric_alarm.health_check : a.arn],
    [for a in aws_cloudwatch_metric_alarm.error_rate : a.arn],
  )
}

output "region" {
  description = "Region the alarms live in."
  value       = data.aws_region.current.name
}
