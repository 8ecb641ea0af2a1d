output "global_cluster_id" {
  description = "Identifier of the global cluster (the SwitchoverGlobalCluster/FailoverGlobalCluster target)."
  value       = aws_rds_global_cluster.this.id
}

output "global_cluster_arn" {
  description = "ARN of the global cluster."
  value       = aws_rds_global_cluster.this.arn
}

output "global_writer_endpoint" {
  description = "Global writer endpoint: follows the writer after a switchover or failover (what applications should use)."
  value       = aws_rds_global_cluster.this.endpoint
}

output "engine_version" {
  description = "Engine version of the global cluster."
  value       = aws_rds_global_cluster.this.engine_version
}

output "clusters" {
  description = "Both Regional clusters by home role: Region, identifier, ARN, endpoints and instance identifiers."
  value = {
    primary = {
      region          = local.primary_region
      cluster_id      = aws_rds_cluster.primary.id
      cluster_arn     = aws_rds_cluster.primary.arn
      endpoint        = aws_rds_cluster.primary.endpoint
      reader_endpoint = aws_rds_cluster.primary.reader_endpoint
      instance_ids    = aws_rds_cluster_instance.primary[*].identifier
    }
    secondary = {
      region          = local.secondary_region
      cluster_id      = aws_rds_cluster.secondary.id
      cluster_arn     = aws_rds_cluster.secondary.arn
      endpoint        = aws_rds_cluster.secondary.endpoint
      reader_endpoint = aws_rds_cluster.secondary.reader_endpoint
      instance_ids    = aws_rds_cluster_instance.secondary[*].identifier
    }
  }
}

output "primary_cluster_arn" {
  description = "ARN of the cluster in the primary Region."
  value       = aws_rds_cluster.primary.arn
}

output "secondary_cluster_arn" {
  description = "ARN of the cluster in the secondary Region."
  value       = aws_rds_cluster.secondary.arn
}

output "master_user_secret_arn" {
  description = "Secrets Manager secret (replicated to the secondary Region) holding the master user name and password."
  value       = aws_secretsmanager_secret.master.arn
}

output "kms_key_arns" {
  description = "KMS key per Region: { primary, secondary }."
  value       = { primary = module.kms_primary.key_arn, secondary = module.kms_secondary.key_arn }
}

output "security_group_ids" {
  description = "Security group of each Regional cluster: { primary, secondary }."
  value       = { primary = aws_security_group.primary.id, secondary = aws_security_group.secondary.id }
}
