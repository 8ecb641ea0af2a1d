terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.60, < 6.0"
    }
  }

  # Partial configuration: bucket, key, region and lock table come from the runner
  # (platform_ops.terraform), which reads them from the environment registry.
  backend "s3" {}
}
