locals {
  kms_key_arn = var.create_kms_key ? module.kms[0].key_arn : var.kms_key_arn
}

module "kms" {
  source = "../kms"
  count  = var.create_kms_key ? 1 : 0

  name             = "terraform-state/${var.bucket_name}"
  description      = "Terraform state in ${var.bucket_name} and locks in ${var.lock_table_name}"
  key_user_arns    = var.state_writer_arns
  allowed_services = ["s3.amazonaws.com", "dynamodb.amazonaws.com"]
  tags             = var.tags
}

resource "aws_s3_bucket" "this" {
  # checkov:skip=CKV_AWS_144:State must stay in its home Region; versioning is the recovery path, and the stacks can be re-planned from code.
  # checkov:skip=CKV_AWS_18:Access is audited by CloudTrail data events of the organisation trail; a log bucket per state bucket adds nothing.
  # checkov:skip=CKV2_AWS_62:Nothing consumes state object events.
  bucket = var.bucket_name

  tags = var.tags

  lifecycle {
    prevent_destroy = true

    precondition {
      condition     = var.create_kms_key || var.kms_key_arn != null
      error_message = "create_kms_key = false needs kms_key_arn."
    }
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = local.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = "expire-old-state-versions"
    status = "Enabled"
    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

data "aws_iam_policy_document" "bucket" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.bucket.json

  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_dynamodb_table" "lock" {
  name                        = var.lock_table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "LockID"
  deletion_protection_enabled = true

  attribute {
    name = "LockID"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = local.kms_key_arn
  }

  tags = var.tags

  lifecycle {
    prevent_destroy = true
  }
}
