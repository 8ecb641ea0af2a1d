# The role the refresh machines assume in production (Credentials.RoleArn =
# $.SourceAccount.RoleArn). It reads, snapshots and shares; it never writes to a production
# cluster or file system. Every statement is a call some machine in asl/ makes with it; the
# IAM <-> ASL cross-check (tests/refresh/test_iam_cross_check.py) fails when one is missing or unused.

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.name
  account   = data.aws_caller_identity.current.account_id
  rds_arn   = "arn:${local.partition}:rds:${local.region}:${local.account}"


  flag_file_name = "${var.name_prefix}-check-flag-file"
}

data "aws_iam_policy_document" "source" {
  # checkov:skip=CKV_AWS_356:Only the Describe/List calls (rds:Describe*, elasticfilesystem:Describe*, backup:ListRecoveryPointsByResource/DescribeCopyJob) use "*": they take no narrower resource; every write is scoped.
  statement {
    sid = "RdsRead"
    actions = [
      "rds:DescribeDBClusters",
      "rds:DescribeDBClusterSnapshots",
      "rds:DescribeDBClusterSnapshotAttributes",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "SnapshotTheseClusters"
    actions   = ["rds:CreateDBClusterSnapshot"]
    resources = concat([for id in var.cluster_identifiers : "${local.rds_arn}:cluster:${id}"], ["${local.rds_arn}:cluster-snapshot:${var.snapshot_prefix}*"])
  }

  statement {
    sid       = "TagRefreshSnapshots"
    actions   = ["rds:AddTagsToResource"]
    resources = ["${local.rds_arn}:cluster-snapshot:${var.snapshot_prefix}*"]
  }

  # Share only refresh snapshots. IAM has no condition key on the accounts added to the restore
  # attribute; share_snapshot adds exactly DestinationAccount.AccountId, which the DAG takes from
  # the registry's non-production accounts.
  statement {
    sid       = "ShareRefreshSnapshots"
    actions   = ["rds:ModifyDBClusterSnapshotAttribute"]
    resources = ["${local.rds_arn}:cluster-snapshot:${var.snapshot_prefix}*"]
  }

  dynamic "statement" {
    for_each = length(var.snapshot_kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "DescribeSnapshotKeys"
      actions   = ["kms:DescribeKey"]
      resources = var.snapshot_kms_key_arns
    }
  }

  # A grant on the snapshot key for a destination role, with the operations a restore needs.
  dynamic "statement" {
    for_each = length(var.snapshot_kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "GrantSnapshotKeysToDestinationsOnly"
      actions   = ["kms:CreateGrant"]
      resources = var.snapshot_kms_key_arns

      condition {
        test     = "StringEquals"
        variable = "kms:GranteePrincipal"
        values   = var.destination_role_arns
      }

      condition {
        test     = "ForAllValues:StringEquals"
        variable = "kms:GrantOperations"
        values   = ["Decrypt", "DescribeKey", "CreateGrant", "ReEncryptFrom"]
      }
    }
  }

  statement {
    sid = "EfsRead"
    actions = [
      "elasticfilesystem:DescribeFileSystems",
      "elasticfilesystem:DescribeReplicationConfigurations",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "EfsReplicateOut"
    actions   = ["elasticfilesystem:CreateReplicationConfiguration"]
    resources = ["arn:${local.partition}:elasticfilesystem:${local.region}:${local.account}:file-system/*"]
  }

  statement {
    sid       = "BackupRecoveryPoints"
    actions   = ["backup:ListRecoveryPointsByResource", "backup:DescribeCopyJob"]
    resources = ["*"]
  }

  statement {
    sid       = "BackupCopyToDestinations"
    actions   = ["backup:StartCopyJob"]
    resources = ["arn:${local.partition}:backup:${local.region}:${local.account}:recovery-point:*"]
  }

  dynamic "statement" {
    for_each = { for service, roles in var.pass_role_arns : service => roles if length(roles) > 0 }

    content {
      sid       = "PassRoleTo${title(statement.key)}"
      actions   = ["iam:PassRole"]
      resources = statement.value

      condition {
        test     = "StringEquals"
        variable = "iam:PassedToService"
        values   = ["${statement.key}.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = var.flag_file_lambda == null ? [] : [1]

    content {
      sid     = "FlagFileHelper"
      actions = ["lambda:InvokeFunction"]
      # Built from the name (not the module output) so the document is known at plan time.
      resources = ["arn:${local.partition}:lambda:${local.region}:${local.account}:function:${local.flag_file_name}"]
    }
  }
}

module "role" {
  source = "../refresh-account-role"

  role_name                = var.create_role ? "${var.name_prefix}-source" : var.existing_role_name
  description              = "Assumed by the refresh state machines to snapshot and share from production (read-only otherwise)."
  create_role              = var.create_role
  trusted_role_arns        = var.trusted_role_arns
  external_id              = var.external_id
  policy_json              = data.aws_iam_policy_document.source.json
  permissions_boundary_arn = var.permissions_boundary_arn
  tags                     = var.tags
}

module "flag_file" {
  source   = "../refresh-helper-lambda"
  for_each = var.flag_file_lambda == null ? {} : { check_flag_file = var.flag_file_lambda }

  function_name        = local.flag_file_name
  description          = "Write and delete the replication flag file on the production EFS (asl/efs/check_replication_sync)."
  zip_path             = each.value.zip_path
  zip_sha256           = each.value.zip_sha256
  subnet_ids           = each.value.subnet_ids
  security_group_ids   = each.value.security_group_ids
  efs_access_point_arn = each.value.efs_access_point_arn
  timeout_seconds      = 60
  environment          = { EFS_MOUNT_PATH = "/mnt/efs" }
  efs_file_system_arns = ["arn:${local.partition}:elasticfilesystem:${local.region}:${local.account}:file-system/*"]

  permissions_boundary_arn = var.permissions_boundary_arn
  tags                     = var.tags
}
