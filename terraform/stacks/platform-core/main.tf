provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, {
      ManagedBy   = "terraform"
      Stack       = "platform-core"
      Environment = var.environment
    })
  }
}

data "aws_caller_identity" "current" {}

locals {
  bucket_name = "${var.name_prefix}-${data.aws_caller_identity.current.account_id}-${var.region}"
}

resource "aws_s3_bucket" "shared" {
  # checkov:skip=CKV_AWS_144:Cross-Region replication is the dr-platform stack's job, not this one's.
  # checkov:skip=CKV_AWS_18:Access logging goes to the organisation's central trail.
  # checkov:skip=CKV2_AWS_62:Event notifications are not needed on the team's shared bucket.
  # checkov:skip=CKV2_AWS_61:Lifecycle rules are owned by the data owners of each prefix.
  bucket = local.bucket_name
}

resource "aws_s3_bucket_versioning" "shared" {
  bucket = aws_s3_bucket.shared.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "shared" {
  bucket = aws_s3_bucket.shared.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "shared" {
  bucket                  = aws_s3_bucket.shared.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

data "aws_iam_policy_document" "assume_by_ecs_tasks" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "platform_job" {
  name               = "${var.name_prefix}-job"
  description        = "Role of the platform team's batch jobs."
  assume_role_policy = data.aws_iam_policy_document.assume_by_ecs_tasks.json
}

data "aws_iam_policy_document" "platform_job" {
  statement {
    sid       = "ReadWriteSharedBucket"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.shared.arn}/*"]
  }
}

resource "aws_iam_role_policy" "platform_job" {
  name   = "shared-bucket"
  role   = aws_iam_role.platform_job.id
  policy = data.aws_iam_policy_document.platform_job.json
}

resource "aws_cloudwatch_log_group" "platform" {
  # checkov:skip=CKV_AWS_158:Log data is encrypted by CloudWatch's own key; a CMK is not required here.
  # checkov:skip=CKV_AWS_338:Retention is the log_retention_days variable; these are operational logs, not audit records.
  name              = "/platform/${var.name_prefix}"
  retention_in_days = var.log_retention_days
}
