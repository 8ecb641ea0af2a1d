# Minimal use of the module (validated by the test suite with the real AWS provider).
terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.60, < 6.0"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

module "sox_pg01" {
  source = "../.."

  vpc_id         = "vpc-0a1b2c3d4e5f60718"
  subnet_ids     = ["subnet-0a1b2c3d4e5f60719"]
  db_secret_arn  = "arn:aws:secretsmanager:eu-west-1:222222222222:secret:sox-pg01/db-connection-string-AbCdEf"
  db_cidr_blocks = ["10.200.16.0/24"]
  image_digest   = "sha256:0000000000000000000000000000000000000000000000000000000000000000"
}

output "cluster_name" {
  description = "The cluster the DAG uses."
  value       = module.sox_pg01.cluster_name
}
