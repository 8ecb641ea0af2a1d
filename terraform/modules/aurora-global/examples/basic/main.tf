provider "aws" {
  alias  = "primary"
  region = "eu-west-1"
}

provider "aws" {
  alias  = "secondary"
  region = "us-east-1"
}

module "aurora" {
  source = "../.."
  providers = {
    aws.primary   = aws.primary
    aws.secondary = aws.secondary
  }

  name           = "platform-orders"
  engine_version = "16.6"
  instance_class = "db.r6g.large"

  primary = {
    vpc_id                  = "vpc-0a1b2c3d4e5f60718"
    subnet_ids              = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718", "subnet-0c1d2e3f4a5b60718"]
    allowed_security_groups = { eks_nodes = "sg-0a1b2c3d4e5f60718" }
    instance_count          = 2
  }

  secondary = {
    vpc_id                  = "vpc-0d1e2f3a4b5c60718"
    subnet_ids              = ["subnet-0d1e2f3a4b5c60718", "subnet-0e1f2a3b4c5d60718", "subnet-0f1a2b3c4d5e60718"]
    allowed_security_groups = { eks_nodes = "sg-0d1e2f3a4b5c60718" }
    instance_count          = 1
  }

  tags = {
    Environment = "production"
  }
}

output "global_cluster_id" {
  description = "Target of switchover and failover drills."
  value       = module.aurora.global_cluster_id
}
