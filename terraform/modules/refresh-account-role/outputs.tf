output "role_name" {
  description = "Name of the role."
  value       = local.role_name
}

output "role_arn" {
  description = "ARN of the role (known at plan time: built from the account and the name)."
  value       = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/${var.role_name}"
}
