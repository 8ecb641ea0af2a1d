# Example values: replace with your accounts'. No secret here (roles and keys are named by ARN).
region                = "eu-west-1"
execution_role_arn    = "arn:aws:iam::111111111111:role/refresh-sfn-execution"
destination_role_arns = ["arn:aws:iam::333333333333:role/refresh-destination", "arn:aws:iam::444444444444:role/refresh-destination"]
cluster_identifiers   = ["prod-aurora"]
snapshot_kms_key_arns = ["arn:aws:kms:eu-west-1:222222222222:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"]
pass_role_arns = {
  backup            = ["arn:aws:iam::222222222222:role/refresh-backup-copy"]
  elasticfilesystem = ["arn:aws:iam::222222222222:role/refresh-efs-replication"]
}
flag_file_lambda = {
  subnet_ids           = ["subnet-0a1b2c3d4e5f60719", "subnet-0a1b2c3d4e5f6071a"]
  security_group_ids   = ["sg-0a1b2c3d4e5f6071b"]
  efs_access_point_arn = "arn:aws:elasticfilesystem:eu-west-1:222222222222:access-point/fsap-0a1b2c3d4e5f60718"
}
