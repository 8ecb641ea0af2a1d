provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, {
      ManagedBy   = "terraform"
      Stack       = "sox-pg01"
      Environment = var.environment
    })
  }
}

module "sox_pg01" {
  source = "../../modules/sox-pg01"

  name                            = "sox-pg01"
  vpc_id                          = var.vpc_id
  subnet_ids                      = var.subnet_ids
  db_secret_arn                   = var.db_secret_arn
  db_secret_kms_key_arn           = var.db_secret_kms_key_arn
  db_cidr_blocks                  = var.db_cidr_blocks
  vpc_endpoint_security_group_ids = var.vpc_endpoint_security_group_ids
  image_digest                    = var.image_digest
  cpu                             = var.cpu
  memory                          = var.memory
  object_lock_enabled             = var.object_lock_enabled
  airflow_role_names              = var.airflow_role_names
  tags                            = var.tags
}

# The ECS task's end as AWS's own "ECS Task State Change" (STOPPED) event: EventBridge rule for
# the SOX cluster -> SQS queue the DAG's ECS waits read (platform_ops.events.EcsTaskStoppedWait).
module "native_events" {
  source = "../../modules/native-events"

  name_prefix       = "sox-pg01-events"
  ecs_cluster_arns  = [module.sox_pg01.cluster_arn]
  dlq_alarm_actions = var.event_dlq_alarm_actions
  tags              = var.tags
}

# Where the DAG reads the queue URL (config ecs.event_queue.ssm_parameter).
resource "aws_ssm_parameter" "event_queue_url" {
  # checkov:skip=CKV2_AWS_34:A queue URL is not secret; the DAG reads it in plain text.
  name        = var.event_queue_parameter_name
  description = "URL of the native-events queue the sox_pg01_monthly DAG's ECS waits read."
  type        = "String"
  value       = module.native_events.queue_url
  tags        = var.tags
}

# The DAG's rights on the queue (receive, delete, change visibility) and on the parameter.
data "aws_iam_policy_document" "airflow_events" {
  source_policy_documents = [module.native_events.airflow_policy_json]

  statement {
    sid       = "ReadTheEventQueueUrl"
    actions   = ["ssm:GetParameter"]
    resources = [aws_ssm_parameter.event_queue_url.arn]
  }
}

resource "aws_iam_policy" "airflow_events" {
  name        = "sox-pg01-airflow-events"
  description = "The sox_pg01_monthly DAG's ECS waits: read the native-events queue and its URL parameter."
  policy      = data.aws_iam_policy_document.airflow_events.json
  tags        = var.tags
}

resource "aws_iam_role_policy_attachment" "airflow_events" {
  for_each   = toset(var.airflow_role_names)
  role       = each.value
  policy_arn = aws_iam_policy.airflow_events.arn
}
