terraform {
  # 1.11: the aurora-global module uses an ephemeral resource and write-only arguments
  # (master_password_wo, secret_string_wo) to keep the generated master password out of plan and
  # state; Terraform 1.11 is the first release that supports write-only arguments.
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      # 5.87: the aurora-global module's own floor for the write-only arguments above.
      source  = "hashicorp/aws"
      version = ">= 5.87, < 6.0"
    }
  }

  # Partial configuration: the runner (platform_ops.terraform) passes bucket, key and region
  # from the environment registry; the state lock is an S3 lock file (use_lockfile).
  backend "s3" {}
}
