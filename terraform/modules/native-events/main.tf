# AWS's native events -> EventBridge rules on the default bus -> one SQS queue the Airflow role reads.
# Events of other accounts arrive on the same bus through the forwarder submodule.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  bus_arn = "arn:${data.aws_partition.current.partition}:events:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:event-bus/default"

  alarm_names = distinct(concat(var.alarm_names, [for arn in var.alarm_arns : split(":alarm:", arn)[1]]))

  patterns = {
    sfn = length(var.state_machine_arns) == 0 ? null : {
      source        = ["aws.states"]
      "detail-type" = ["Step Functions Execution Status Change"]
      detail = {
        status          = ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]
        stateMachineArn = var.state_machine_arns
      }
    }
    ecs = length(var.ecs_cluster_arns) == 0 ? null : {
      source        = ["aws.ecs"]
      "detail-type" = ["ECS Task State Change"]
      detail = {
        lastStatus = ["STOPPED"]
        clusterArn = var.ecs_cluster_arns
      }
    }
    alarm = length(local.alarm_names) == 0 ? null : {
      source        = ["aws.cloudwatch"]
      "detail-type" = ["CloudWatch Alarm State Change"]
      detail = {
        alarmName = local.alarm_names
      }
    }
    # Not narrowed to resources: the snapshots are new each day (named by date and run id); a
    # wait matches its own snapshot by detail.SourceArn. The event IDs: manual snapshot created
    # (RDS-EVENT-0042, cluster RDS-EVENT-0075), copy finished (RDS-EVENT-0060 cross-Region,
    # RDS-EVENT-0197 in-Region), copy or snapshot cancelled (RDS-EVENT-0061, RDS-EVENT-0190).
    rds_snapshot = !var.rds_snapshot_events ? null : {
      source        = ["aws.rds"]
      "detail-type" = ["RDS DB Snapshot Event", "RDS DB Cluster Snapshot Event"]
      detail = {
        EventID = sort(["RDS-EVENT-0042", "RDS-EVENT-0075", "RDS-EVENT-0060", "RDS-EVENT-0197", "RDS-EVENT-0061", "RDS-EVENT-0190"])
      }
    }
  }
  rules = { for key, pattern in local.patterns : key => pattern if pattern != null }
}

resource "aws_sqs_queue" "dlq" {
  name                              = "${var.name_prefix}-dlq"
  message_retention_seconds         = 1209600
  sqs_managed_sse_enabled           = var.kms_key_arn == null ? true : null
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = var.kms_key_arn == null ? null : 3600
  tags                              = var.tags
}

resource "aws_sqs_queue" "events" {
  name                              = var.name_prefix
  message_retention_seconds         = var.message_retention_seconds
  receive_wait_time_seconds         = 20
  visibility_timeout_seconds        = 30
  sqs_managed_sse_enabled           = var.kms_key_arn == null ? true : null
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = var.kms_key_arn == null ? null : 3600
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = var.max_receive_count
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_rule" "wait" {
  for_each = local.rules

  name           = "${var.name_prefix}-${replace(each.key, "_", "-")}"
  description    = "Native ${each.value["detail-type"][0]} events that end a platform wait"
  event_bus_name = "default"
  event_pattern  = jsonencode(each.value)
  tags           = var.tags
}

resource "aws_cloudwatch_event_target" "queue" {
  for_each = local.rules

  rule           = aws_cloudwatch_event_rule.wait[each.key].name
  event_bus_name = "default"
  target_id      = "queue"
  arn            = aws_sqs_queue.events.arn
}

data "aws_iam_policy_document" "queue" {
  statement {
    sid       = "OnlyTheseRules"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.events.arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [for rule in aws_cloudwatch_event_rule.wait : rule.arn]
    }
  }

  statement {
    sid       = "TlsOnly"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.events.arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sqs_queue_policy" "events" {
  count = length(local.rules) > 0 ? 1 : 0

  queue_url = aws_sqs_queue.events.id
  policy    = data.aws_iam_policy_document.queue.json
}

resource "aws_cloudwatch_event_permission" "source" {
  for_each = toset(var.source_account_ids)

  principal      = each.value
  statement_id   = "${var.name_prefix}-from-${each.value}"
  event_bus_name = "default"
}

resource "aws_cloudwatch_metric_alarm" "dlq" {
  alarm_name          = "${var.name_prefix}-dlq-not-empty"
  alarm_description   = "Native events reached the dead-letter queue: no wait took them (orphans, or events of waits that ended by their Describe backstop). Waits still end through Describe; look for executions or tasks nobody waits for."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dlq.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.dlq_alarm_actions
  tags                = var.tags
}

data "aws_iam_policy_document" "airflow" {
  statement {
    sid = "ReadTheEventQueue"
    actions = [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
      "sqs:GetQueueAttributes",
    ]
    resources = [aws_sqs_queue.events.arn]
  }

  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]

    content {
      sid       = "DecryptTheEventQueue"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]
    }
  }
}
