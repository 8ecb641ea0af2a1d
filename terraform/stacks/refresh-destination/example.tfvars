# Example values for the staging destination (registry stack refresh-staging; refresh-dev takes
# the same inputs with dev's account and names): replace with your account's. No secret here
# (the run_sql Lambda reads the RDS-managed master secret at run time).
environment               = "staging"
region                    = "eu-west-1"
execution_role_arn        = "arn:aws:iam::111111111111:role/refresh-sfn-execution"
source_kms_key_arns       = ["arn:aws:kms:eu-west-1:222222222222:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"]
kms_key_arns              = ["arn:aws:kms:eu-west-1:333333333333:key/1b2c3d4e-5f60-7182-93a4-b5c6d7e8f90a"]
sql_bucket_arns           = ["arn:aws:s3:::platform-ops-refresh-sql-333333333333"]
lambda_subnet_ids         = ["subnet-0b1c2d3e4f5a60718", "subnet-0b1c2d3e4f5a60719"]
lambda_security_group_ids = ["sg-0b1c2d3e4f5a6071a"]
pass_role_arns = {
  rds    = ["arn:aws:iam::333333333333:role/refresh-aurora-s3"]
  backup = ["arn:aws:iam::333333333333:role/refresh-backup-restore"]
}
eks_access = {
  cluster_name = "platform-staging"
  namespaces   = ["refresh"]
}
