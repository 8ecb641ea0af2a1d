provider "aws" {
  region = "eu-west-1"
}

# In the staging account. Zips and hashes as printed by `python -m platform_ops.refresh.lambda_package`.
module "refresh_destination" {
  source = "../.."

  trusted_role_arns   = ["arn:aws:iam::111111111111:role/refresh-sfn-execution"]
  source_kms_key_arns = ["arn:aws:kms:eu-west-1:222222222222:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"]
  kms_key_arns        = ["arn:aws:kms:eu-west-1:333333333333:key/1b2c3d4e-5f60-7182-93a4-b5c6d7e8f90a"]
  sql_bucket_arns     = ["arn:aws:s3:::platform-ops-refresh-sql-333333333333"]
  pass_role_arns = {
    rds    = ["arn:aws:iam::333333333333:role/refresh-aurora-s3"]
    backup = ["arn:aws:iam::333333333333:role/refresh-backup-restore"]
  }
  lambda_packages = {
    run_sql         = { zip_path = "build/lambdas/run_sql.zip", zip_sha256 = "IjN4/Me8dZCQVAjvAQUOCQcsNGgthv7oCgkW2hOYfZM=" }
    get_efs_subpath = { zip_path = "build/lambdas/get_efs_subpath.zip", zip_sha256 = "Ya9XG9aQ6uy849BFIqWRN60aPaBnYE0+dBgQt+a4xo0=" }
    check_flag_file = { zip_path = "build/lambdas/check_flag_file.zip", zip_sha256 = "zWOOYuiXxkJvVNwlQUU8NlzTUkMMUeKviQnSShqjlgg=" }
  }
  lambda_subnet_ids         = ["subnet-0b1c2d3e4f5a60718", "subnet-0b1c2d3e4f5a60719"]
  lambda_security_group_ids = ["sg-0b1c2d3e4f5a6071a"]
  eks_access = {
    cluster_name = "platform-staging"
    namespaces   = ["refresh"]
  }
}

output "destination_role_arn" {
  description = "The machines' DestinationAccount.RoleArn."
  value       = module.refresh_destination.role_arn
}
