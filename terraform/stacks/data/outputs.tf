output "postgres" {
  description = "PostgreSQL instance: identifier, address, port and the Secrets Manager secret RDS keeps the master credentials in."
  value = {
    identifier             = module.postgres.db_instance_identifier
    address                = module.postgres.address
    port                   = module.postgres.port
    master_user_secret_arn = module.postgres.master_user_secret_arn
  }
}

output "redis" {
  description = "Redis replication group (null when enable_elasticache is false): endpoints and the IAM-authenticated RBAC user."
  value = var.enable_elasticache ? {
    replication_group_id     = module.redis[0].replication_group_id
    primary_endpoint_address = module.redis[0].primary_endpoint_address
    reader_endpoint_address  = module.redis[0].reader_endpoint_address
    app_user_id              = module.redis[0].app_user_id
  } : null
}

output "assets" {
  description = "Assets bucket and its CloudFront distribution."
  value = {
    bucket_id                = module.assets.bucket_id
    distribution_id          = module.assets.distribution_id
    distribution_domain_name = module.assets.distribution_domain_name
  }
}

output "ecr_repository_urls" {
  description = "Repository URL by repository key."
  value       = { for k, m in module.ecr : k => m.repository_url }
}

output "kms_key_arn" {
  description = "KMS key of the data stores."
  value       = module.kms.key_arn
}
