# The role the refresh machines assume in a destination account (Credentials.RoleArn =
# $.DestinationAccount.RoleArn), and the helper Lambdas they invoke there.
# Every statement below is a call some machine in asl/ makes with that role; the IAM <-> ASL
# cross-check (tests/refresh/test_iam_cross_check.py) fails when one is missing or unused.

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  partition = data.aws_partition.current.partition
  region    = data.aws_region.current.name
  account   = data.aws_caller_identity.current.account_id
  arn       = "${local.partition}:%s:${local.region}:${local.account}"


  kms_keys = concat(var.kms_key_arns, var.source_kms_key_arns)

  helpers = {
    run_sql = {
      description = "Run SQL on the refreshed Aurora MySQL cluster (asl/db/run_sql_lambda, run_sql_from_s3)."
      timeout     = 900
      environment = { DB_TLS = var.run_sql_tls }
      efs         = false
    }
    get_efs_subpath = {
      description = "Find the aws-backup-restore_* directory of a restored EFS (asl/efs/get_subpath_and_store_in_ssm)."
      timeout     = 60
      environment = { EFS_MOUNT_PATH = "/mnt/efs" }
      efs         = true
    }
    check_flag_file = {
      description = "Check the replication flag file on the destination EFS (asl/efs/check_replication_sync)."
      timeout     = 60
      environment = { EFS_MOUNT_PATH = "/mnt/efs" }
      efs         = true
    }
  }

  helper_names = { for name in keys(local.helpers) : name => "${var.name_prefix}-${replace(name, "_", "-")}" }

  run_sql_secrets = coalesce(var.run_sql_secret_arns, ["arn:${format(local.arn, "secretsmanager")}:secret:rds!*"])
  run_sql_statements = concat(
    [{ sid = "ReadTheMasterSecret", actions = ["secretsmanager:GetSecretValue"], resources = local.run_sql_secrets }],
    length(var.kms_key_arns) > 0 ? [{ sid = "DecryptTheMasterSecret", actions = ["kms:Decrypt"], resources = var.kms_key_arns }] : [],
    length(var.sql_bucket_arns) > 0 ? [{ sid = "ReadSqlScripts", actions = ["s3:GetObject"], resources = [for arn in var.sql_bucket_arns : "${arn}/*"] }] : [],
    var.export_bucket_arn == null ? [] : [{ sid = "WriteExports", actions = ["s3:PutObject"], resources = ["${var.export_bucket_arn}/*"] }],
  )
}

# ------------------------------------------------------------------------------------- the role

data "aws_iam_policy_document" "destination" {
  statement {
    sid = "RdsRead"
    actions = [
      "rds:DescribeDBClusters",
      "rds:DescribeDBInstances",
      "rds:DescribeDBClusterSnapshots",
    ]
    resources = ["*"]
  }

  statement {
    sid = "RdsRefresh"
    actions = [
      "rds:RestoreDBClusterFromSnapshot",
      "rds:RestoreDBClusterToPointInTime",
      "rds:CreateDBInstance",
      "rds:ModifyDBCluster",
      "rds:ModifyDBInstance",
      "rds:ModifyDBClusterParameterGroup",
      "rds:StartDBCluster",
      "rds:StopDBCluster",
      "rds:AddRoleToDBCluster",
      "rds:AddTagsToResource",
    ]
    # Restores read a snapshot of the source account: its ARN is in the resources too.
    resources = ["arn:${format(local.arn, "rds")}:*", "arn:${local.partition}:rds:${local.region}:*:cluster-snapshot:*"]
  }

  # Deletes only what the refresh made: clusters and instances tagged refresh=true.
  statement {
    sid       = "RdsDeleteRefreshTaggedClusters"
    actions   = ["rds:DeleteDBCluster"]
    resources = ["arn:${format(local.arn, "rds")}:cluster:*"]

    condition {
      test     = "StringEquals"
      variable = "rds:cluster-tag/refresh"
      values   = ["true"]
    }
  }

  statement {
    sid       = "RdsDeleteRefreshTaggedInstances"
    actions   = ["rds:DeleteDBInstance"]
    resources = ["arn:${format(local.arn, "rds")}:db:*"]

    condition {
      test     = "StringEquals"
      variable = "rds:db-tag/refresh"
      values   = ["true"]
    }
  }

  dynamic "statement" {
    for_each = length(local.kms_keys) > 0 ? [1] : []

    content {
      sid = "KmsForEncryptedRestoresFileSystemsAndSecrets"
      actions = [
        "kms:CreateGrant",
        "kms:DescribeKey",
        "kms:Decrypt",
        "kms:GenerateDataKey",
      ]
      resources = local.kms_keys
    }
  }

  statement {
    sid = "MasterSecrets"
    actions = [
      "secretsmanager:DescribeSecret",
      "secretsmanager:ListSecretVersionIds",
      "secretsmanager:RotateSecret",
      "secretsmanager:CreateSecret",
      "secretsmanager:TagResource",
    ]
    resources = ["arn:${format(local.arn, "secretsmanager")}:secret:rds!*"]
  }

  statement {
    sid = "EfsRead"
    actions = [
      "elasticfilesystem:DescribeFileSystems",
      "elasticfilesystem:DescribeMountTargets",
      "elasticfilesystem:DescribeAccessPoints",
      "elasticfilesystem:DescribeReplicationConfigurations",
    ]
    resources = ["*"]
  }

  statement {
    sid = "EfsRefresh"
    actions = [
      "elasticfilesystem:CreateFileSystem",
      "elasticfilesystem:TagResource",
      "elasticfilesystem:PutLifecycleConfiguration",
      "elasticfilesystem:CreateMountTarget",
      "elasticfilesystem:DeleteMountTarget",
      "elasticfilesystem:CreateAccessPoint",
      "elasticfilesystem:DeleteAccessPoint",
      "elasticfilesystem:UpdateFileSystemProtection",
      "elasticfilesystem:DeleteReplicationConfiguration",
    ]
    resources = ["arn:${format(local.arn, "elasticfilesystem")}:*"]
  }

  statement {
    sid       = "EfsDeleteRefreshTaggedFileSystems"
    actions   = ["elasticfilesystem:DeleteFileSystem"]
    resources = ["arn:${format(local.arn, "elasticfilesystem")}:file-system/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/refresh"
      values   = ["true"]
    }
  }

  # What EFS calls in the caller's name for mount targets (EFS API reference, CreateMountTarget
  # and DeleteMountTarget): EC2 has no resource-level permission for these.
  statement {
    sid = "MountTargetNetworkInterfaces"
    actions = [
      "ec2:DescribeSubnets",
      "ec2:DescribeNetworkInterfaces",
      "ec2:CreateNetworkInterface",
      "ec2:DeleteNetworkInterface",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "TagRestoredResources"
    actions   = ["tag:TagResources"]
    resources = ["*"]
  }

  statement {
    sid       = "AwsBackupRestore"
    actions   = ["backup:StartRestoreJob", "backup:DescribeRestoreJob"]
    resources = ["*"]
  }

  statement {
    sid     = "HelperLambdas"
    actions = ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration", "lambda:UpdateFunctionConfiguration"]
    # Built from the names (not the module outputs) so the document is known at plan time.
    resources = [for name in keys(local.helpers) : "arn:${format(local.arn, "lambda")}:function:${local.helper_names[name]}"]
  }

  statement {
    sid       = "SubpathParameters"
    actions   = ["ssm:PutParameter"]
    resources = ["arn:${format(local.arn, "ssm")}:parameter${var.ssm_parameter_prefix}*"]
  }

  dynamic "statement" {
    for_each = length(var.sql_bucket_arns) > 0 ? [1] : []

    content {
      sid       = "ListSqlScripts"
      actions   = ["s3:ListBucket"]
      resources = var.sql_bucket_arns
    }
  }

  dynamic "statement" {
    for_each = var.eks_access == null ? [] : [var.eks_access]

    content {
      sid       = "EksClusterAndNodegroups"
      actions   = ["eks:DescribeCluster", "eks:DescribeNodegroup", "eks:UpdateNodegroupConfig"]
      resources = ["arn:${format(local.arn, "eks")}:cluster/${statement.value.cluster_name}", "arn:${format(local.arn, "eks")}:nodegroup/${statement.value.cluster_name}/*/*"]
    }
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
}

module "role" {
  source = "../refresh-account-role"

  role_name                = var.create_role ? "${var.name_prefix}-destination" : var.existing_role_name
  description              = "Assumed by the refresh state machines to act in this destination account."
  create_role              = var.create_role
  trusted_role_arns        = var.trusted_role_arns
  external_id              = var.external_id
  policy_json              = data.aws_iam_policy_document.destination.json
  permissions_boundary_arn = var.permissions_boundary_arn
  tags                     = var.tags
}

# ---------------------------------------------------------------------------- helper Lambdas

module "helper" {
  source   = "../refresh-helper-lambda"
  for_each = local.helpers

  function_name        = local.helper_names[each.key]
  description          = each.value.description
  zip_path             = var.lambda_packages[each.key].zip_path
  zip_sha256           = var.lambda_packages[each.key].zip_sha256
  subnet_ids           = var.lambda_subnet_ids
  security_group_ids   = var.lambda_security_group_ids
  timeout_seconds      = each.value.timeout
  environment          = each.value.environment
  efs_file_system_arns = each.value.efs ? ["arn:${format(local.arn, "elasticfilesystem")}:file-system/*"] : []
  policy_statements    = each.key == "run_sql" ? local.run_sql_statements : []
  log_retention_days   = var.log_retention_days

  permissions_boundary_arn = var.permissions_boundary_arn
  tags                     = var.tags
}

# ---------------------------------------------------------------------- EKS access (optional)

resource "aws_eks_access_entry" "destination" {
  count = var.eks_access == null ? 0 : 1

  cluster_name  = var.eks_access.cluster_name
  principal_arn = module.role.role_arn
  type          = "STANDARD"
  tags          = var.tags
}

resource "aws_eks_access_policy_association" "destination" {
  count = var.eks_access == null ? 0 : 1

  cluster_name  = var.eks_access.cluster_name
  principal_arn = aws_eks_access_entry.destination[0].principal_arn
  policy_arn    = var.eks_access.access_policy_arn

  access_scope {
    type       = "namespace"
    namespaces = var.eks_access.namespaces
  }
}
