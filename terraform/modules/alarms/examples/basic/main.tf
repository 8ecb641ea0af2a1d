provider "aws" {
  region = "us-east-1"
}

module "alarms" {
  source = "../.."

  name_prefix     = "platform-dr-use1"
  sns_kms_key_arn = "arn:aws:kms:us-east-1:222222222222:key/1b2c3d4e-5f60-7182-93a4-b5c6d7e8f9a0"

  aurora_replication_lag = {
    secondary = {
      cluster_identifier = "platform-orders-us-east-1"
      threshold_ms       = 1000
    }
  }

  health_checks = {
    primary   = "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
    secondary = "1b2c3d4e-5f60-7182-93a4-b5c6d7e8f9a0"
  }

  # The ingress ALB the AWS Load Balancer Controller created in this Region.
  error_rates = {
    secondary = {
      load_balancer     = "app/platform-dr-use1/50dc6c495c0c9188"
      threshold_percent = 5
    }
  }
}

output "alarm_names" {
  description = "Names the drills read."
  value       = module.alarms.alarm_names
}
