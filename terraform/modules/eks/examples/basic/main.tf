provider "aws" {
  region = "eu-west-1"
}

module "eks" {
  source = "../.."

  cluster_name       = "platform-euw1"
  kubernetes_version = "1.33"
  vpc_id             = "vpc-0a1b2c3d4e5f60718"
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718", "subnet-0c1d2e3f4a5b60718"]

  node_groups = {
    on_demand = {
      instance_types = ["m6i.large"]
      min_size       = 2
      max_size       = 6
      desired_size   = 2
    }
    spot = {
      capacity_type  = "SPOT"
      instance_types = ["m6i.large", "m5.large", "m6a.large"]
      min_size       = 0
      max_size       = 10
      desired_size   = 2
    }
  }

  tags = {
    Environment = "production"
  }
}

output "lb_controller_role_arn" {
  description = "Annotate the controller's service account with this role."
  value       = module.eks.lb_controller_role_arn
}
