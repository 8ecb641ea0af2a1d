output "state_machine_arns" {
  description = "State machine ARNs by definition (<module>/<name>, e.g. db/share_snapshot)."
  value       = { for key, machine in aws_sfn_state_machine.machine : key => machine.arn }
}

output "execution_role_arn" {
  description = "ARN of the execution role: the trusted_role_arns of refresh-source-account and refresh-destination-account."
  value       = aws_iam_role.execution.arn
}

output "log_group_name" {
  description = "Log group of the executions."
  value       = aws_cloudwatch_log_group.executions.name
}

output "event_queue_url" {
  description = "URL of the native-events queue (the start-and-wait operators' event_queue_url), or null."
  value       = try(module.native_events[0].queue_url, null)
}

output "event_queue_arn" {
  description = "ARN of the native-events queue, or null."
  value       = try(module.native_events[0].queue_arn, null)
}

output "event_queue_policy_json" {
  description = "Airflow's rights on the event queue (receive, delete, change visibility, read attributes), or null."
  value       = try(module.native_events[0].airflow_policy_json, null)
}
