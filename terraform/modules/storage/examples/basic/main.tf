provider "aws" {
  region = "eu-west-1"
}

module "assets" {
  source = "../.."

  bucket_name = "platform-prod-assets-example"
  kms_key_arn = "arn:aws:kms:eu-west-1:222222222222:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
  price_class = "PriceClass_100"

  tags = {
    Environment = "production"
  }
}

output "distribution_domain_name" {
  description = "Where the assets are served."
  value       = module.assets.distribution_domain_name
}
