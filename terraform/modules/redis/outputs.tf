output "replication_group_id" {
  description = "ID of the replication group."
  value       = aws_elasticache_replication_group.this.id
}

output "replication_group_arn" {
  description = "ARN of the replication group."
  value       = aws_elasticache_replication_group.this.arn
}

output "primary_endpoint_address" {
  description = "Primary (read-write) endpoint; clients must use TLS."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "reader_endpoint_address" {
  description = "Reader endpoint."
  value       = aws_elasticache_replication_group.this.reader_endpoint_address
}

output "app_user_id" {
  description = "RBAC user the application authenticates as (grant elasticache:Connect on it and on the replication group)."
  value       = aws_elasticache_user.app.user_id
}

output "app_user_arn" {
  description = "ARN of the application RBAC user."
  value       = aws_elasticache_user.app.arn
}

output "security_group_id" {
  description = "Security group of the cache."
  value       = aws_security_group.this.id
}
