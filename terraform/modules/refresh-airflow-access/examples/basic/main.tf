provider "aws" {
  region = "eu-west-1"
}

module "refresh_airflow_access" {
  source = "../.."

  trusted_principal_arns = ["arn:aws:iam::111111111111:role/platform-ops"]
  state_machine_arns = [
    "arn:aws:states:eu-west-1:111111111111:stateMachine:refresh-db-share_snapshot",
    "arn:aws:states:eu-west-1:111111111111:stateMachine:refresh-db-restore_cluster",
  ]
  event_queue_arn = "arn:aws:sqs:eu-west-1:111111111111:refresh-events"
}

output "role_arn" {
  description = "role_arn of Airflow's refresh connection."
  value       = module.refresh_airflow_access.role_arn
}
