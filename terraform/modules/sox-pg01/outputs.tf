output "cluster_name" {
  description = "ECS cluster the DAG runs the tasks on."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = aws_ecs_cluster.this.arn
}

output "task_definition_family" {
  description = "Task definition family (config ecs.task_definition)."
  value       = aws_ecs_task_definition.job.family
}

output "task_definition_arn" {
  description = "ARN of the current task definition revision."
  value       = aws_ecs_task_definition.job.arn
}

output "container_name" {
  description = "Name of the job's container (config ecs.container_name)."
  value       = var.container_name
}

output "image" {
  description = "The image the task definition runs, by digest."
  value       = local.image
}

output "ecr_repository_url" {
  description = "Where to push the derived image."
  value       = aws_ecr_repository.image.repository_url
}

output "log_group_name" {
  description = "CloudWatch log group of the container (config ecs.log_group)."
  value       = aws_cloudwatch_log_group.task.name
}

output "evidence_bucket" {
  description = "Evidence bucket (config evidence.bucket)."
  value       = aws_s3_bucket.evidence.bucket
}

output "evidence_prefix" {
  description = "Prefix of the runs in the evidence bucket (config evidence.prefix)."
  value       = var.evidence_prefix
}

output "kms_key_arn" {
  description = "KMS key of the bucket, the log group and the repository."
  value       = aws_kms_key.evidence.arn
}

output "execution_role_arn" {
  description = "Task execution role (image pull, logs, DB secret)."
  value       = aws_iam_role.execution.arn
}

output "task_role_arn" {
  description = "Task role (writes evidence under the prefix only)."
  value       = aws_iam_role.task.arn
}

output "security_group_id" {
  description = "Security group of the tasks."
  value       = aws_security_group.task.id
}

output "network_parameter_name" {
  description = "SSM parameter holding the awsvpc network configuration (config ecs.network.ssm_parameter)."
  value       = aws_ssm_parameter.network.name
}

output "airflow_policy_arn" {
  description = "Managed policy to attach to the role of the DAG's AWS connection."
  value       = aws_iam_policy.airflow.arn
}
