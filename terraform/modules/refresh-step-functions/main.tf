# Every refresh state machine of asl/ (definitions read from the files, never copied), one
# execution role, execution logging and the event rule of the event-driven waits.
#
# Every task of every machine runs with Credentials (the validator's credentials rule), so the
# execution role itself calls no AWS API for the machines: its only cross-account right is
# sts:AssumeRole on exactly the source and destination roles; the rest is log delivery and,
# when on, X-Ray.

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  found    = [for f in fileset(var.definitions_dir, "*/*.asl.json") : trimsuffix(f, ".asl.json")]
  machines = toset(coalesce(var.machines, local.found))
  assumed  = distinct(concat([var.source_role_arn], var.destination_role_arns))
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "execution" {
  name                 = "${var.name_prefix}-sfn-execution"
  description          = "Execution role of the refresh state machines: assumes the source and destination roles, writes logs."
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "AssumeTheRefreshRolesOnly"
    actions   = ["sts:AssumeRole"]
    resources = local.assumed
  }

  # Step Functions' vended log delivery (Step Functions logging docs): these actions do not
  # support resource-level permissions.
  statement {
    sid = "ExecutionLogDelivery"
    actions = [
      "logs:CreateLogDelivery",
      "logs:GetLogDelivery",
      "logs:UpdateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:DescribeResourcePolicies",
      "logs:DescribeLogGroups",
    ]
    resources = ["*"]
  }

  dynamic "statement" {
    for_each = var.xray_tracing ? [1] : []

    content {
      sid = "XRayTracing"
      actions = [
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
      ]
      resources = ["*"]
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "${var.name_prefix}-sfn-execution"
  role   = aws_iam_role.execution.name
  policy = data.aws_iam_policy_document.execution.json
}

resource "aws_cloudwatch_log_group" "executions" {
  name              = "/aws/vendedlogs/states/${var.name_prefix}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_sfn_state_machine" "machine" {
  # checkov:skip=CKV_AWS_284:X-Ray is optional (xray_tracing): the refresh's timing is in the execution history and logs.
  # checkov:skip=CKV_AWS_285:Logging is on (level ALL) without execution data by default: inputs and states carry connection details (include_execution_data).
  for_each = local.machines

  name       = "${var.name_prefix}-${replace(each.key, "/", "-")}"
  role_arn   = aws_iam_role.execution.arn
  type       = "STANDARD"
  definition = file("${var.definitions_dir}/${each.key}.asl.json")

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.executions.arn}:*"
    include_execution_data = var.include_execution_data
    level                  = var.log_level
  }

  tracing_configuration {
    enabled = var.xray_tracing
  }

  tags = merge(var.tags, { "refresh-definition" = each.key })

  depends_on = [aws_iam_role_policy.execution]
}

# The terminal status events of these machines -> the queue the DAG's start-and-wait reads.
module "native_events" {
  source = "../native-events"
  count  = var.event_queue ? 1 : 0

  name_prefix        = "${var.name_prefix}-events"
  state_machine_arns = sort([for machine in aws_sfn_state_machine.machine : machine.arn])
  dlq_alarm_actions  = var.event_dlq_alarm_actions
  tags               = var.tags
}
