# The role Airflow's refresh connection assumes: start, watch and stop the refresh machines,
# read their events, record each refresh. Nothing else.

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = var.trusted_principal_arns
    }
  }
}

resource "aws_iam_role" "airflow" {
  name                 = "${var.name_prefix}-airflow"
  description          = "Airflow's refresh connection: the refresh state machines, their event queue and the history table only."
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

# One row per refresh (the DAG's record of what ran, where, and how it ended).
resource "aws_dynamodb_table" "history" {
  name         = "${var.name_prefix}-history"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "RefreshId"
  range_key    = "RecordedAt"

  attribute {
    name = "RefreshId"
    type = "S"
  }

  attribute {
    name = "RecordedAt"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.history_kms_key_arn
  }

  deletion_protection_enabled = true
  tags                        = var.tags
}

locals {
  # execution:<machine name>:<execution name> for Describe/Stop/GetExecutionHistory.
  execution_arns = [for arn in var.state_machine_arns : "${replace(arn, ":stateMachine:", ":execution:")}:*"]
}

data "aws_iam_policy_document" "airflow" {
  statement {
    sid       = "StartAndListTheRefreshMachines"
    actions   = ["states:StartExecution", "states:ListExecutions"]
    resources = var.state_machine_arns
  }

  statement {
    sid       = "WatchAndStopTheirExecutions"
    actions   = ["states:DescribeExecution", "states:StopExecution", "states:GetExecutionHistory"]
    resources = local.execution_arns
  }

  # Receive and delete; ChangeMessageVisibility because the event trigger hands back at once
  # the messages no wait of its own takes (platform_ops.events.trigger), instead of hiding them
  # for the visibility timeout from the wait they belong to.
  statement {
    sid       = "ReadTheEventQueue"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]
    resources = [var.event_queue_arn]
  }

  statement {
    sid       = "RecordRefreshes"
    actions   = ["dynamodb:PutItem"]
    resources = [aws_dynamodb_table.history.arn]
  }
}

resource "aws_iam_role_policy" "airflow" {
  name   = "${var.name_prefix}-airflow"
  role   = aws_iam_role.airflow.name
  policy = data.aws_iam_policy_document.airflow.json
}
