output "source_bucket_id" {
  description = "Name of the source bucket."
  value       = aws_s3_bucket.source.id
}

output "source_bucket_arn" {
  description = "ARN of the source bucket."
  value       = aws_s3_bucket.source.arn
}

output "destination_bucket_id" {
  description = "Name of the replica bucket."
  value       = aws_s3_bucket.destination.id
}

output "destination_bucket_arn" {
  description = "ARN of the replica bucket."
  value       = aws_s3_bucket.destination.arn
}

output "replication_role_arn" {
  description = "IAM role S3 replicates with."
  value       = aws_iam_role.replication.arn
}

output "replication_rule_id" {
  description = "ID of the replication rule (RuleId dimension of the replication metrics)."
  value       = var.replication_rule_id
}

output "regions" {
  description = "Region of each bucket: { source, destination }."
  value       = { source = data.aws_region.primary.name, destination = data.aws_region.secondary.name }
}
