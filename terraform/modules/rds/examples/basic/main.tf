provider "aws" {
  region = "eu-west-1"
}

module "postgres" {
  source = "../.."

  identifier              = "platform-app-db"
  engine_version          = "16.4"
  instance_class          = "db.t4g.micro"
  multi_az                = true
  kms_key_arn             = "arn:aws:kms:eu-west-1:222222222222:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
  vpc_id                  = "vpc-0a1b2c3d4e5f60718"
  subnet_ids              = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718"]
  allowed_security_groups = { eks_nodes = "sg-0a1b2c3d4e5f60718" }

  tags = {
    Environment = "production"
  }
}

output "master_user_secret_arn" {
  description = "Where the generated master password lives."
  value       = module.postgres.master_user_secret_arn
}
