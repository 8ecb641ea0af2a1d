output "bucket_id" {
  description = "Name of the state bucket (backend bucket)."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the state bucket."
  value       = aws_s3_bucket.this.arn
}

output "lock_table_name" {
  description = "Name of the lock table (backend dynamodb_table)."
  value       = aws_dynamodb_table.lock.name
}

output "lock_table_arn" {
  description = "ARN of the lock table."
  value       = aws_dynamodb_table.lock.arn
}

output "kms_key_arn" {
  description = "KMS key encrypting state and locks (backend kms_key_id)."
  value       = local.kms_key_arn
}
