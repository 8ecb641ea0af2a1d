# SOX PG-01 on Fargate: cluster, task definition, image repository, evidence bucket, roles and
# network, for runs started by Airflow (no EventBridge rule: see README).

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id      = data.aws_caller_identity.current.account_id
  region          = data.aws_region.current.name
  partition       = data.aws_partition.current.partition
  bucket_name     = coalesce(var.evidence_bucket_name, "${var.name}-evidence-${local.account_id}")
  log_group_name  = "/ecs/${var.task_family}"
  image           = "${aws_ecr_repository.image.repository_url}@${var.image_digest}"
  task_arn_prefix = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:task/${aws_ecs_cluster.this.name}"
  tags            = merge(var.tags, { Control = "SOX-PG-01", Module = "sox-pg01" })
}

resource "aws_kms_key" "evidence" {
  description         = "${var.name}: evidence bucket, container logs and image repository"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.kms.json
  tags                = local.tags
}

resource "aws_kms_alias" "evidence" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.evidence.key_id
}

data "aws_iam_policy_document" "kms" {
  # checkov:skip=CKV_AWS_109:The key policy must let the account root delegate to IAM; scoped by IAM policies.
  # checkov:skip=CKV_AWS_111:Same: the account-root statement is the standard KMS delegation to IAM.
  # checkov:skip=CKV_AWS_356:A key policy's resource is always "*" (the key itself).
  statement {
    sid       = "AccountAdministersTheKeyThroughIam"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchLogsEncryptsTheLogGroup"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"]
    }
  }
}

resource "aws_cloudwatch_log_group" "task" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.evidence.arn
  tags              = local.tags
}

resource "aws_ssm_parameter" "network" {
  # checkov:skip=CKV2_AWS_34:Subnet and security group ids are not secret; the DAG reads them in plain text.
  name        = var.network_parameter_name
  description = "awsvpc network configuration of the ${var.task_family} Fargate tasks (read by the sox_pg01_monthly DAG)."
  type        = "String"
  value = jsonencode({
    awsvpcConfiguration = {
      subnets        = var.subnet_ids
      securityGroups = [aws_security_group.task.id]
      assignPublicIp = "DISABLED"
    }
  })
  tags = local.tags
}
