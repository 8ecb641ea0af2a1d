# The refresh's source side in production: the role the refresh state machines assume to
# snapshot and share (module refresh-source-account). Apply before refresh-shared-services.

provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, {
      ManagedBy   = "terraform"
      Stack       = "refresh-production"
      Environment = "production"
    })
  }
}

locals {
  lambda_dir = coalesce(var.lambda_dir, "${path.root}/../../../build/lambdas")
}

module "source" {
  source = "../../modules/refresh-source-account"

  name_prefix           = var.name_prefix
  trusted_role_arns     = [var.execution_role_arn]
  destination_role_arns = var.destination_role_arns
  cluster_identifiers   = var.cluster_identifiers
  snapshot_prefix       = var.snapshot_prefix
  snapshot_kms_key_arns = var.snapshot_kms_key_arns
  pass_role_arns        = var.pass_role_arns
  flag_file_lambda = var.flag_file_lambda == null ? null : {
    zip_path           = "${local.lambda_dir}/check_flag_file.zip"
    zip_sha256         = filebase64sha256("${local.lambda_dir}/check_flag_file.zip")
    subnet_ids         = var.flag_file_lambda.subnet_ids
    security_group_ids = var.flag_file_lambda.security_group_ids
    # The production file system the flag is written on.
    efs_access_point_arn = var.flag_file_lambda.efs_access_point_arn
  }
  tags = var.tags
}
