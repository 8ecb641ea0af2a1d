provider "aws" {
  region = "eu-west-1"
}

module "network" {
  source = "../.."

  name               = "platform-euw1"
  cidr               = "10.10.0.0/16"
  azs                = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  single_nat_gateway = true

  private_subnet_tags = {
    "kubernetes.io/cluster/platform-euw1" = "shared"
  }

  tags = {
    Environment = "production"
  }
}

output "nat_gateways" {
  description = "NAT gateways and the private route tables that use them."
  value       = module.network.nat_gateways
}
