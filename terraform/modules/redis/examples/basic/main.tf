provider "aws" {
  region = "eu-west-1"
}

module "redis" {
  source = "../.."

  name                    = "platform-sessions"
  node_type               = "cache.t4g.small"
  num_cache_clusters      = 2
  kms_key_arn             = "arn:aws:kms:eu-west-1:222222222222:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
  vpc_id                  = "vpc-0a1b2c3d4e5f60718"
  subnet_ids              = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
  allowed_security_groups = { eks_nodes = "sg-0a1b2c3d4e5f60718" }

  tags = {
    Environment = "production"
  }
}

output "primary_endpoint_address" {
  description = "Connect with TLS as the app user, signing in with IAM."
  value       = module.redis.primary_endpoint_address
}
