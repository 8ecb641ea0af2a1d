output "drill_targets" {
  description = "Everything the DR drills act on (schema_version 1; see the README). Also published under drill_targets_ssm_prefix in both Regions."
  value       = local.drill_targets
}

output "drill_targets_ssm_path" {
  description = "SSM path of the drill targets (same in both Regions); <path>/json holds the whole map."
  value       = "${var.drill_targets_ssm_prefix}/${var.name}"
}

output "eks_lb_controller_role_arns" {
  description = "IRSA role of the AWS Load Balancer Controller in each Region (annotate its service account)."
  value = var.eks.enabled ? {
    primary   = module.eks_primary[0].lb_controller_role_arn
    secondary = module.eks_secondary[0].lb_controller_role_arn
  } : null
}

output "aurora_global_writer_endpoint" {
  description = "Global writer endpoint of the Aurora global database (follows the writer across Regions)."
  value       = var.aurora.enabled ? module.aurora[0].global_writer_endpoint : null
}

output "aurora_master_secret_arn" {
  description = "Secrets Manager secret (replicated to the secondary Region) with the Aurora master credentials."
  value       = var.aurora.enabled ? module.aurora[0].master_user_secret_arn : null
}

output "replicated_buckets" {
  description = "The replicated bucket pair: { source, destination }."
  value       = { source = module.s3_replication.source_bucket_id, destination = module.s3_replication.destination_bucket_id }
}

output "networks" {
  description = "VPC, private subnets and the EKS node security group of each Region: the inputs of the data stack."
  value = {
    primary = {
      region                 = var.primary_region
      vpc_id                 = module.network_primary.vpc_id
      private_subnet_ids     = module.network_primary.private_subnet_ids
      node_security_group_id = var.eks.enabled ? module.eks_primary[0].node_security_group_id : null
    }
    secondary = {
      region                 = var.secondary_region
      vpc_id                 = module.network_secondary.vpc_id
      private_subnet_ids     = module.network_secondary.private_subnet_ids
      node_security_group_id = var.eks.enabled ? module.eks_secondary[0].node_security_group_id : null
    }
  }
}

output "event_queues" {
  description = "Native-events queue of each Region (the event_queue_url of the drills' alarm waits), with its DLQ alarm and the IAM policy the Airflow role needs on it."
  value = {
    for role, m in { primary = module.native_events_primary, secondary = module.native_events_secondary } : role => {
      region                 = local.regions[role]
      queue_url              = m.queue_url
      dlq_alarm_name         = m.dlq_alarm_name
      airflow_policy_json    = m.airflow_policy_json
    }
  }
}
