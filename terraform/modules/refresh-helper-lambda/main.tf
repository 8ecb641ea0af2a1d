# One refresh helper Lambda in a VPC, with its own least-privilege role and log group.
# The code comes as a zip built by platform_ops.refresh.lambda_package (no archive provider).

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  log_group_arn = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:/aws/lambda/${var.function_name}"
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "function" {
  name                 = "${var.function_name}-role"
  description          = "Execution role of the ${var.function_name} refresh helper."
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

data "aws_iam_policy_document" "function" {
  # checkov:skip=CKV_AWS_111:The network-interface writes of a VPC Lambda (what AWSLambdaVPCAccessExecutionRole grants) accept no resource narrower than "*".
  # checkov:skip=CKV_AWS_356:Same statement, and X-Ray's PutTraceSegments/PutTelemetryRecords: these actions only accept "*".
  statement {
    sid       = "OwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]
  }

  # Network interfaces of a VPC function (what AWSLambdaVPCAccessExecutionRole grants): EC2 has
  # no resource-level permission for the Describe calls.
  statement {
    sid = "VpcNetworkInterfaces"
    actions = [
      "ec2:CreateNetworkInterface",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeSubnets",
      "ec2:DeleteNetworkInterface",
      "ec2:AssignPrivateIpAddresses",
      "ec2:UnassignPrivateIpAddresses",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "ActiveTracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }

  dynamic "statement" {
    for_each = length(var.efs_file_system_arns) > 0 ? [1] : []

    content {
      sid       = "MountThroughAccessPoints"
      actions   = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
      resources = var.efs_file_system_arns

      condition {
        test     = "Bool"
        variable = "elasticfilesystem:AccessedViaMountTarget"
        values   = ["true"]
      }
    }
  }

  dynamic "statement" {
    for_each = var.policy_statements

    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
}

resource "aws_iam_role_policy" "function" {
  name   = "${var.function_name}-policy"
  role   = aws_iam_role.function.name
  policy = data.aws_iam_policy_document.function.json
}

resource "aws_cloudwatch_log_group" "function" {
  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_lambda_function" "helper" {
  # checkov:skip=CKV_AWS_116:Invoked synchronously by Step Functions, which retries and reports the error; a DLQ only applies to asynchronous invokes.
  # checkov:skip=CKV_AWS_173:The environment holds no secret (secrets are read from Secrets Manager at run time), so the AWS managed key is enough.
  # checkov:skip=CKV_AWS_272:Code signing needs a signing profile the platform does not run; the zip's SHA-256 is pinned by Terraform instead.
  # checkov:skip=CKV_AWS_115:Concurrency is bounded by the state machines (MaxConcurrency of their Maps), a reserved limit would only take capacity from the account.
  function_name                  = var.function_name
  description                    = var.description
  role                           = aws_iam_role.function.arn
  handler                        = "handler.handler"
  runtime                        = "python3.11"
  architectures                  = ["arm64"]
  filename                       = var.zip_path
  source_code_hash               = var.zip_sha256
  timeout                        = var.timeout_seconds
  memory_size                    = var.memory_mb
  reserved_concurrent_executions = null

  vpc_config {
    subnet_ids         = var.subnet_ids
    security_group_ids = var.security_group_ids
  }

  dynamic "environment" {
    for_each = length(var.environment) > 0 ? [1] : []

    content {
      variables = var.environment
    }
  }

  tracing_config {
    mode = "Active"
  }

  dynamic "file_system_config" {
    for_each = var.efs_access_point_arn == null ? [] : [var.efs_access_point_arn]

    content {
      arn              = file_system_config.value
      local_mount_path = "/mnt/efs"
    }
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.function, aws_cloudwatch_log_group.function]
}
