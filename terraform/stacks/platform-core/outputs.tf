output "bucket_name" {
  description = "Name of the shared bucket."
  value       = aws_s3_bucket.shared.bucket
}

output "job_role_arn" {
  description = "ARN of the platform job role."
  value       = aws_iam_role.platform_job.arn
}

output "log_group_name" {
  description = "Name of the platform log group."
  value       = aws_cloudwatch_log_group.platform.name
}
