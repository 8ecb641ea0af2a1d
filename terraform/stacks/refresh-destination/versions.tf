terraform {
  required_version = ">= 1.10.0" # use_lockfile (S3 state lock file)

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.60, < 6.0"
    }
  }

  # Partial configuration: the runner (platform_ops.terraform) passes bucket, key and region
  # from the environment registry; the state lock is an S3 lock file (use_lockfile).
  backend "s3" {}
}
