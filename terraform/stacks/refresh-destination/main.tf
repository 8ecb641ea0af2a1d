# A refresh destination: the role the refresh state machines assume in that account and the
# helper Lambdas they invoke (module refresh-destination-account). One directory serves every
# destination: the registry has one stack per destination account on it (refresh-staging,
# refresh-dev), each with its own state key and its own vars (environment, execution_role_arn).
# Apply before refresh-shared-services. The Lambda zips come from
# `python -m platform_ops.refresh.lambda_package` (or `make test`), by path and filebase64sha256.

provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, {
      ManagedBy   = "terraform"
      Stack       = "refresh-${var.environment}" # the registry stack's name
      Environment = var.environment
    })
  }
}

locals {
  lambda_dir = coalesce(var.lambda_dir, "${path.root}/../../../build/lambdas")
  lambda_packages = {
    for name in ["run_sql", "get_efs_subpath", "check_flag_file"] : name => {
      zip_path   = "${local.lambda_dir}/${name}.zip"
      zip_sha256 = filebase64sha256("${local.lambda_dir}/${name}.zip")
    }
  }
}

module "destination" {
  source = "../../modules/refresh-destination-account"

  name_prefix               = var.name_prefix
  trusted_role_arns         = [var.execution_role_arn]
  source_kms_key_arns       = var.source_kms_key_arns
  kms_key_arns              = var.kms_key_arns
  sql_bucket_arns           = var.sql_bucket_arns
  pass_role_arns            = var.pass_role_arns
  lambda_packages           = local.lambda_packages
  lambda_subnet_ids         = var.lambda_subnet_ids
  lambda_security_group_ids = var.lambda_security_group_ids
  eks_access                = var.eks_access
  tags                      = var.tags
}
