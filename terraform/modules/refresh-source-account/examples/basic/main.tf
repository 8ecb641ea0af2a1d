provider "aws" {
  region = "eu-west-1"
}

# In the production account.
module "refresh_source" {
  source = "../.."

  trusted_role_arns     = ["arn:aws:iam::111111111111:role/refresh-sfn-execution"]
  destination_role_arns = ["arn:aws:iam::333333333333:role/refresh-destination", "arn:aws:iam::444444444444:role/refresh-destination"]
  cluster_identifiers   = ["prod-aurora"]
  snapshot_kms_key_arns = ["arn:aws:kms:eu-west-1:222222222222:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"]
  pass_role_arns = {
    backup            = ["arn:aws:iam::222222222222:role/refresh-backup-copy"]
    elasticfilesystem = ["arn:aws:iam::222222222222:role/refresh-efs-replication"]
  }
}

output "source_role_arn" {
  description = "The machines' SourceAccount.RoleArn."
  value       = module.refresh_source.role_arn
}
