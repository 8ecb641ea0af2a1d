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

################################################################################
# Ingress error rate: the load balancer's target 5XX share of its requests
################################################################################

locals {
  # ARN or ARN suffix in; the LoadBalancer dimension is the suffix "app/<name>/<id>".
  error_rate_load_balancers = {
    for k, a in var.error_rates : k => regex("(app/[^/]+/[0-9a-f]+)$", a.load_balancer)[0]
  }
}

resource "aws_cloudwatch_metric_alarm" "error_rate" {
  for_each = var.error_rates

  alarm_name          = "${var.name_prefix}-error-rate-${each.key}"
  alarm_description   = "More than ${each.value.threshold_percent} % of the requests to ${local.error_rate_load_balancers[each.key]} (${each.key}) answered 5XX by the targets (counted from ${each.value.minimum_requests} requests a period)."
  evaluation_periods  = each.value.evaluation_periods
  datapoints_to_alarm = each.value.datapoints_to_alarm
  threshold           = each.value.threshold_percent
  comparison_operator = "GreaterThanThreshold"
  # No requests (a standby before failover, the primary once Route 53 moved the traffic) is no error.
  treat_missing_data = "notBreaching"
  alarm_actions      = local.alarm_actions
  ok_actions         = local.ok_actions

  metric_query {
    id          = "rate"
    label       = "Target 5XX, % of requests"
    expression  = "IF(requests >= ${each.value.minimum_requests}, 100 * FILL(errors, 0) / requests)"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = { errors = "HTTPCode_Target_5XX_Count", requests = "RequestCount" }

    content {
      id = metric_query.key

      metric {
        namespace   = "AWS/ApplicationELB"
        metric_name = metric_query.value
        dimensions  = { LoadBalancer = local.error_rate_load_balancers[each.key] }
        stat        = "Sum"
        period      = each.value.period
      }
    }
  }

  tags = local.alarm_tags

  lifecycle {
    precondition {
      # An ARN suffix names no Region; an ARN does (its 4th field).
      condition     = try(split(":", each.value.load_balancer)[3], data.aws_region.current.name) == data.aws_region.current.name
      error_message = "error_rates.${each.key}: the load balancer's ARN is of another Region than ${data.aws_region.current.name}; its metrics are only in its own Region, give this module that Region's provider."
    }
  }
}
