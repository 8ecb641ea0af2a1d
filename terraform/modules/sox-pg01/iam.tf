# Two task roles (execution: pull, logs, secret; task: write evidence) and the DAG's policy.

data "aws_iam_policy_document" "assume_by_ecs_tasks" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = "${var.name}-execution"
  description        = "ECS agent of ${var.task_family}: pull the image, write logs, read the DB secret."
  assume_role_policy = data.aws_iam_policy_document.assume_by_ecs_tasks.json
  tags               = local.tags
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # the action has no resource-level permissions
  }
  statement {
    sid       = "PullTheImage"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [aws_ecr_repository.image.arn]
  }
  statement {
    sid       = "WriteContainerLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.task.arn}:*"]
  }
  statement {
    sid       = "ReadTheConnectionString"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.db_secret_arn]
  }
  statement {
    sid       = "DecryptImageLayers"
    actions   = ["kms:Decrypt"]
    resources = compact([aws_kms_key.evidence.arn, var.db_secret_kms_key_arn])
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-logs-secret"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

resource "aws_iam_role" "task" {
  name               = "${var.name}-task"
  description        = "The ${var.task_family} job: write its evidence under ${var.evidence_prefix}/ and nothing else."
  assume_role_policy = data.aws_iam_policy_document.assume_by_ecs_tasks.json
  tags               = local.tags
}

data "aws_iam_policy_document" "task" {
  statement {
    sid       = "WriteEvidenceUnderItsPrefix"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.evidence.arn}/${var.evidence_prefix}/*"]
  }
  statement {
    sid       = "EncryptEvidence"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [aws_kms_key.evidence.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "write-evidence"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}

# What the sox_pg01_monthly DAG's AWS connection needs, and nothing more.
data "aws_iam_policy_document" "airflow" {
  statement {
    sid       = "RunThisFamilyOnThisCluster"
    actions   = ["ecs:RunTask"]
    resources = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:task-definition/${var.task_family}:*"]
    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [aws_ecs_cluster.this.arn]
    }
  }
  statement {
    sid       = "WatchAndStopItsTasks"
    actions   = ["ecs:DescribeTasks", "ecs:StopTask"]
    resources = ["${local.task_arn_prefix}/*"]
  }
  statement {
    sid       = "FindATaskToReattach"
    actions   = ["ecs:ListTasks"]
    resources = ["*"] # ListTasks has no resource-level permissions; scoped to the cluster below
    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [aws_ecs_cluster.this.arn]
    }
  }
  statement {
    sid       = "PassOnlyTheTwoTaskRoles"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.execution.arn, aws_iam_role.task.arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }
  statement {
    sid       = "ReadTheJobLogs"
    actions   = ["logs:GetLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.task.arn}:*"]
  }
  statement {
    sid       = "ListTheEvidencePrefix"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.evidence.arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.evidence_prefix}/*"]
    }
  }
  statement {
    sid       = "ReadAndWriteEvidence"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"]
    resources = ["${aws_s3_bucket.evidence.arn}/${var.evidence_prefix}/*"]
  }
  statement {
    sid       = "UseTheEvidenceKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.evidence.arn]
  }
  statement {
    sid       = "ReadTheNetworkConfiguration"
    actions   = ["ssm:GetParameter"]
    resources = [aws_ssm_parameter.network.arn]
  }
}

resource "aws_iam_policy" "airflow" {
  name        = "${var.name}-airflow"
  description = "Least privilege of the sox_pg01_monthly DAG: run/watch ${var.task_family}, pass its roles, read logs, evidence I/O."
  policy      = data.aws_iam_policy_document.airflow.json
  tags        = local.tags
}

resource "aws_iam_role_policy_attachment" "airflow" {
  for_each   = toset(var.airflow_role_names)
  role       = each.value
  policy_arn = aws_iam_policy.airflow.arn
}
