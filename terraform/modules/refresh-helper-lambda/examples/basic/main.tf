provider "aws" {
  region = "eu-west-1"
}

# Zips and hashes as printed by `python -m platform_ops.refresh.lambda_package`.
module "get_efs_subpath" {
  source = "../.."

  function_name        = "refresh-get-efs-subpath"
  description          = "Find the aws-backup-restore_* directory of a restored EFS."
  zip_path             = "build/lambdas/get_efs_subpath.zip"
  zip_sha256           = "Ya9XG9aQ6uy849BFIqWRN60aPaBnYE0+dBgQt+a4xo0="
  subnet_ids           = ["subnet-0b1c2d3e4f5a60718", "subnet-0b1c2d3e4f5a60719"]
  security_group_ids   = ["sg-0b1c2d3e4f5a6071a"]
  timeout_seconds      = 60
  environment          = { EFS_MOUNT_PATH = "/mnt/efs" }
  efs_file_system_arns = ["arn:aws:elasticfilesystem:eu-west-1:333333333333:file-system/*"]
}

output "function_name" {
  description = "The machines' LambdaFunctionName input."
  value       = module.get_efs_subpath.function_name
}
