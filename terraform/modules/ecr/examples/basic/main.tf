provider "aws" {
  region = "eu-west-1"
}

module "ecr_worker" {
  source = "../.."

  repository_name     = "platform/worker"
  kms_key_arn         = "arn:aws:kms:eu-west-1:222222222222:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
  pull_principal_arns = ["arn:aws:iam::333333333333:root"]

  tags = {
    Environment = "production"
  }
}

output "repository_url" {
  description = "Push images here."
  value       = module.ecr_worker.repository_url
}
