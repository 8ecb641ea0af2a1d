data "aws_region" "current" {}

locals {
  topic_arn     = var.create_sns_topic ? aws_sns_topic.this[0].arn : var.sns_topic_arn
  alarm_actions = local.topic_arn == null ? [] : [local.topic_arn]
  ok_actions    = var.notify_on_ok ? local.alarm_actions : []
  alarm_tags    = merge(var.tags, var.drill_tags)
}

resource "aws_sns_topic" "this" {
  count = var.create_sns_topic ? 1 : 0

  name              = "${var.name_prefix}-alarms"
  kms_master_key_id = var.sns_kms_key_arn

  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.sns_kms_key_arn != null
      error_message = "create_sns_topic needs sns_kms_key_arn: the topic is always encrypted."
    }
  }
}

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "topic" {
  count = var.create_sns_topic ? 1 : 0

  statement {
    sid       = "CloudWatchAlarmsOfThisAccount"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.this[0].arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "this" {
  count = var.create_sns_topic ? 1 : 0

  arn    = aws_sns_topic.this[0].arn
  policy = data.aws_iam_policy_document.topic[0].json
}

################################################################################
# Aurora global database replication lag
################################################################################

resource "aws_cloudwatch_metric_alarm" "aurora_replication_lag" {
  for_each = var.aurora_replication_lag

  alarm_name          = "${var.name_prefix}-aurora-replication-lag-${each.key}"
  alarm_description   = "Aurora global database lag of ${each.value.cluster_identifier} above ${each.value.threshold_ms} ms (only published while it is a secondary)."
  namespace           = "AWS/RDS"
  metric_name         = each.value.metric_name
  dimensions          = { DBClusterIdentifier = each.value.cluster_identifier }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = each.value.evaluation_periods
  datapoints_to_alarm = each.value.datapoints_to_alarm
  threshold           = each.value.threshold_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.ok_actions

  tags = local.alarm_tags
}

################################################################################
# S3 replication latency and backlog
################################################################################

locals {
  s3_dimensions = {
    for k, a in var.s3_replication : k => {
      SourceBucket      = a.source_bucket
      DestinationBucket = a.destination_bucket
      RuleId            = a.rule_id
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "s3_replication_latency" {
  for_each = var.s3_replication

  alarm_name          = "${var.name_prefix}-s3-replication-latency-${each.key}"
  alarm_description   = "Replication from ${each.value.source_bucket} to ${each.value.destination_bucket} slower than ${each.value.latency_threshold_seconds} s."
  namespace           = "AWS/S3"
  metric_name         = "ReplicationLatency"
  dimensions          = local.s3_dimensions[each.key]
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  threshold           = each.value.latency_threshold_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.ok_actions

  tags = local.alarm_tags
}

resource "aws_cloudwatch_metric_alarm" "s3_replication_backlog_bytes" {
  for_each = var.s3_replication

  alarm_name          = "${var.name_prefix}-s3-replication-backlog-bytes-${each.key}"
  alarm_description   = "More than ${each.value.backlog_bytes_threshold} bytes waiting to replicate from ${each.value.source_bucket}."
  namespace           = "AWS/S3"
  metric_name         = "BytesPendingReplication"
  dimensions          = local.s3_dimensions[each.key]
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  threshold           = each.value.backlog_bytes_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.ok_actions

  tags = local.alarm_tags
}

resource "aws_cloudwatch_metric_alarm" "s3_replication_backlog_operations" {
  for_each = var.s3_replication

  alarm_name          = "${var.name_prefix}-s3-replication-backlog-operations-${each.key}"
  alarm_description   = "More than ${each.value.operations_pending_threshold} operations waiting to replicate from ${each.value.source_bucket}."
  namespace           = "AWS/S3"
  metric_name         = "OperationsPendingReplication"
  dimensions          = local.s3_dimensions[each.key]
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  threshold           = each.value.operations_pending_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.ok_actions

  tags = local.alarm_tags
}

################################################################################
# Route 53 health checks
################################################################################

resource "aws_cloudwatch_metric_alarm" "health_check" {
  for_each = var.health_checks

  alarm_name          = "${var.name_prefix}-health-check-${each.key}"
  alarm_description   = "Route 53 health check ${each.value} (${each.key}) reports the endpoint unhealthy."
  namespace           = "AWS/Route53"
  metric_name         = "HealthCheckStatus"
  dimensions          = { HealthCheckId = each.value }
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.ok_actions

  tags = local.alarm_tags

  lifecycle {
    precondition {
      condition     = data.aws_region.current.name == "us-east-1"
      error_message = "Route 53 health check metrics exist only in us-east-1: give this module a us-east-1 provider for health_checks."
    }
  }
}
