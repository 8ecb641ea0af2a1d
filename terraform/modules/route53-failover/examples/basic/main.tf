provider "aws" {
  region = "us-east-1"
}

module "app_failover" {
  source = "../.."

  zone_id     = "Z0123456789ABCDEFGHIJ"
  record_name = "app.example.com"
  ttl         = 30

  primary = {
    target = "ingress-euw1.example.com"
  }
  secondary = {
    target = "ingress-use1.example.com"
  }

  health_check = {
    resource_path = "/healthz"
  }
}

output "health_check_ids" {
  description = "What the Route 53 failover drill watches."
  value       = module.app_failover.health_check_ids
}
