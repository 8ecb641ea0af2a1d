# A refresh role in a source or destination account, assumed by the state machines' execution
# role (Step Functions Credentials), with its inline policy. One place for the trust both
# refresh-source-account and refresh-destination-account use.

data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

locals {
  trusted_accounts = distinct([for arn in var.trusted_role_arns : split(":", arn)[4]])
  role_name        = var.create_role ? aws_iam_role.this[0].name : var.role_name
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = [for account in local.trusted_accounts : "arn:${data.aws_partition.current.partition}:iam::${account}:root"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:PrincipalArn"
      values   = var.trusted_role_arns
    }

    dynamic "condition" {
      for_each = var.external_id == null ? [] : [1]

      content {
        test     = "StringEquals"
        variable = "sts:ExternalId"
        values   = [var.external_id]
      }
    }
  }
}

resource "aws_iam_role" "this" {
  count = var.create_role ? 1 : 0

  name                 = var.role_name
  description          = var.description
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = var.role_name
  role   = local.role_name
  policy = var.policy_json
}
