# The refresh's orchestration side in shared services: every state machine of asl/ with its
# execution role, logging and event queue (module refresh-step-functions), and the role Airflow's
# refresh connection assumes (module refresh-airflow-access). Apply last: after
# refresh-production, refresh-staging and refresh-dev, whose role ARNs it takes as variables.

provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, {
      ManagedBy   = "terraform"
      Stack       = "refresh-shared-services"
      Environment = "shared"
    })
  }
}

module "step_functions" {
  source = "../../modules/refresh-step-functions"

  name_prefix             = var.name_prefix
  definitions_dir         = coalesce(var.definitions_dir, "${path.root}/../../../asl")
  source_role_arn         = var.source_role_arn
  destination_role_arns   = var.destination_role_arns
  include_execution_data  = var.include_execution_data
  xray_tracing            = var.xray_tracing
  event_dlq_alarm_actions = var.event_dlq_alarm_actions
  tags                    = var.tags
}

module "airflow_access" {
  source = "../../modules/refresh-airflow-access"

  name_prefix            = var.name_prefix
  trusted_principal_arns = var.airflow_principal_arns
  state_machine_arns     = values(module.step_functions.state_machine_arns)
  event_queue_arn        = module.step_functions.event_queue_arn
  tags                   = var.tags
}
