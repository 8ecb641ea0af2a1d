provider "aws" {
  region = "eu-west-1"
}

# The account where a Step Functions machine runs, if not the central one.
provider "aws" {
  alias  = "production"
  region = "eu-west-1"

  assume_role {
    role_arn = "arn:aws:iam::222222222222:role/platform-ops"
  }
}

module "native_events" {
  source = "../.."

  name_prefix = "platform-ops-waits"
  state_machine_arns = [
    "arn:aws:states:eu-west-1:111111111111:stateMachine:db-restore-cluster",
    "arn:aws:states:eu-west-1:222222222222:stateMachine:db-stop-cluster",
  ]
  ecs_cluster_arns   = ["arn:aws:ecs:eu-west-1:111111111111:cluster/sox-pg01"]
  alarm_names        = ["platform-dr-euw1-drill-stop"]
  source_account_ids = ["222222222222"]
  dlq_alarm_actions  = ["arn:aws:sns:eu-west-1:111111111111:platform-ops-notifications"]
}

module "forwarder_production" {
  source    = "../../forwarder"
  providers = { aws = aws.production }

  name_prefix           = "platform-ops-waits"
  central_event_bus_arn = module.native_events.event_bus_arn
  event_patterns        = module.native_events.event_patterns
}

resource "aws_iam_policy" "airflow_event_queue" {
  name   = "platform-ops-airflow-event-queue"
  policy = module.native_events.airflow_policy_json
}

output "event_queue_url" {
  description = "The operators' event_queue_url."
  value       = module.native_events.queue_url
}
