output "state_machine_arns" {
  description = "State machine ARNs by definition (db/share_snapshot, db/restore_cluster, ...)."
  value       = module.step_functions.state_machine_arns
}

output "execution_role_arn" {
  description = "The machines' execution role (the execution_role_arn of the other refresh stacks)."
  value       = module.step_functions.execution_role_arn
}

output "airflow_role_arn" {
  description = "The role of Airflow's refresh connection."
  value       = module.airflow_access.role_arn
}

output "event_queue_url" {
  description = "Native-events queue of the machines' terminal status events (the operators' event_queue_url)."
  value       = module.step_functions.event_queue_url
}

output "history_table_name" {
  description = "DynamoDB table of the refresh history."
  value       = module.airflow_access.history_table_name
}
