provider "aws" {
  region = "eu-west-1"
}

module "kms_secrets" {
  source = "../.."

  name        = "platform-secrets"
  description = "Application secrets and RDS master user secrets"
  allowed_services = [
    "secretsmanager.amazonaws.com",
    "rds.amazonaws.com",
  ]

  tags = {
    Environment = "production"
  }
}

output "key_arn" {
  description = "ARN of the example key."
  value       = module.kms_secrets.key_arn
}
