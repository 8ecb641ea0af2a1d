terraform {
  # The aurora-global module asks for Terraform >= 1.11 itself (write-only arguments keep the
  # generated master password out of plan and state), which makes 1.11 the floor of this stack.
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
