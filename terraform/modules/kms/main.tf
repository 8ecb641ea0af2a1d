data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id     = data.aws_caller_identity.current.account_id
  account_root   = "arn:${data.aws_partition.current.partition}:iam::${local.account_id}:root"
  administrators = length(var.key_administrator_arns) > 0 ? var.key_administrator_arns : [local.account_root]

  # CloudWatch Logs calls KMS as itself with the log group in the encryption context; these services
  # call it as themselves on behalf of this account (aws:SourceAccount); every other service acts
  # for a caller of this account through its Regional endpoint (kms:ViaService + kms:CallerAccount).
  logs_services           = [for s in var.allowed_services : s if startswith(s, "logs.")]
  source_account_services = [for s in var.allowed_services : s if contains(["cloudwatch.amazonaws.com", "sns.amazonaws.com", "cloudfront.amazonaws.com"], s)]
  caller_account_services = [for s in var.allowed_services : s if !contains(concat(local.logs_services, local.source_account_services), s)]
}

data "aws_iam_policy_document" "this" {
  # checkov:skip=CKV_AWS_109:In a key policy, Resource "*" means this key only; administration is limited to the listed principals.
  # checkov:skip=CKV_AWS_111:In a key policy, Resource "*" means this key only; write access is limited to the listed principals.
  # checkov:skip=CKV_AWS_356:In a key policy, Resource "*" means this key only and cannot be narrowed further.
  statement {
    sid       = "AccountRootKeepsAccess"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [local.account_root]
    }
  }

  statement {
    sid = "KeyAdministration"
    actions = [
      "kms:CancelKeyDeletion",
      "kms:Create*",
      "kms:Delete*",
      "kms:Describe*",
      "kms:Disable*",
      "kms:Enable*",
      "kms:Get*",
      "kms:List*",
      "kms:Put*",
      "kms:Revoke*",
      "kms:ScheduleKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:Update*",
    ]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = local.administrators
    }
  }

  dynamic "statement" {
    for_each = length(var.key_user_arns) > 0 ? [1] : []
    content {
      sid       = "KeyUsers"
      actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = var.key_user_arns
      }
    }
  }

  dynamic "statement" {
    for_each = length(local.caller_account_services) > 0 ? [1] : []
    content {
      sid       = "ServicesInThisAccount"
      actions   = ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
      resources = ["*"]

      principals {
        type        = "AWS"
        identifiers = ["*"]
      }

      condition {
        test     = "StringEquals"
        variable = "kms:CallerAccount"
        values   = [local.account_id]
      }

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = [for s in local.caller_account_services : replace(s, ".amazonaws.com", ".${data.aws_region.current.name}.amazonaws.com")]
      }
    }
  }

  dynamic "statement" {
    for_each = length(local.logs_services) > 0 ? [1] : []
    content {
      sid       = "CloudWatchLogsOfThisAccount"
      actions   = ["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
      resources = ["*"]

      principals {
        type        = "Service"
        identifiers = local.logs_services
      }

      condition {
        test     = "ArnLike"
        variable = "kms:EncryptionContext:aws:logs:arn"
        values   = ["arn:${data.aws_partition.current.partition}:logs:*:${local.account_id}:*"]
      }
    }
  }

  dynamic "statement" {
    for_each = length(local.source_account_services) > 0 ? [1] : []
    content {
      sid       = "ServicePrincipalsForThisAccount"
      actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
      resources = ["*"]

      principals {
        type        = "Service"
        identifiers = local.source_account_services
      }

      condition {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account_id]
      }
    }
  }
}

data "aws_region" "current" {}

resource "aws_kms_key" "this" {
  description             = var.description
  deletion_window_in_days = var.deletion_window_in_days
  enable_key_rotation     = true
  rotation_period_in_days = var.rotation_period_in_days
  multi_region            = var.multi_region
  policy                  = data.aws_iam_policy_document.this.json
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}
