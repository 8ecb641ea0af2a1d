provider "aws" {
  alias  = "primary"
  region = "eu-west-1"
}

provider "aws" {
  alias  = "secondary"
  region = "us-east-1"
}

module "assets_replication" {
  source = "../.."
  providers = {
    aws.primary   = aws.primary
    aws.secondary = aws.secondary
  }

  source_bucket_name      = "platform-assets-euw1-example"
  destination_bucket_name = "platform-assets-use1-example"
  source_kms_key_arn      = "arn:aws:kms:eu-west-1:222222222222:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
  destination_kms_key_arn = "arn:aws:kms:us-east-1:222222222222:key/1b2c3d4e-5f60-7182-93a4-b5c6d7e8f9a0"

  tags = {
    Environment = "production"
  }
}

output "replication_rule_id" {
  description = "RuleId dimension of the replication metrics."
  value       = module.assets_replication.replication_rule_id
}
