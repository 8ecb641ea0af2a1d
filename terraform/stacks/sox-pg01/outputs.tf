output "cluster_name" {
  description = "ECS cluster (config ecs.cluster)."
  value       = module.sox_pg01.cluster_name
}

output "task_definition_family" {
  description = "Task definition family (config ecs.task_definition)."
  value       = module.sox_pg01.task_definition_family
}

output "task_definition_arn" {
  description = "Current task definition revision."
  value       = module.sox_pg01.task_definition_arn
}

output "container_name" {
  description = "Container name (config ecs.container_name)."
  value       = module.sox_pg01.container_name
}

output "image" {
  description = "Image reference by digest."
  value       = module.sox_pg01.image
}

output "ecr_repository_url" {
  description = "Where CI pushes the derived image."
  value       = module.sox_pg01.ecr_repository_url
}

output "log_group_name" {
  description = "Log group (config ecs.log_group)."
  value       = module.sox_pg01.log_group_name
}

output "evidence_bucket" {
  description = "Evidence bucket (config evidence.bucket)."
  value       = module.sox_pg01.evidence_bucket
}

output "network_parameter_name" {
  description = "SSM parameter with the network configuration (config ecs.network.ssm_parameter)."
  value       = module.sox_pg01.network_parameter_name
}

output "airflow_policy_arn" {
  description = "Policy for the DAG's AWS connection role."
  value       = module.sox_pg01.airflow_policy_arn
}

output "event_queue_url" {
  description = "Native-events queue of the ECS waits (written to event_queue_parameter_name)."
  value       = module.native_events.queue_url
}

output "event_queue_parameter_name" {
  description = "SSM parameter holding the event queue URL (config ecs.event_queue.ssm_parameter)."
  value       = aws_ssm_parameter.event_queue_url.name
}

output "event_dlq_alarm_name" {
  description = "Alarm on the event queue's dead-letter queue."
  value       = module.native_events.dlq_alarm_name
}

output "airflow_events_policy_arn" {
  description = "Policy for the DAG's AWS connection role: the event queue and its URL parameter."
  value       = aws_iam_policy.airflow_events.arn
}
