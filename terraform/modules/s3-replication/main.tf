data "aws_partition" "current" {
  provider = aws.primary
}

data "aws_region" "primary" {
  provider = aws.primary
}

data "aws_region" "secondary" {
  provider = aws.secondary
}

locals {
  partition = data.aws_partition.current.partition
  buckets = {
    source      = { name = var.source_bucket_name, kms = var.source_kms_key_arn }
    destination = { name = var.destination_bucket_name, kms = var.destination_kms_key_arn }
  }
}

################################################################################
# Source bucket (primary Region)
################################################################################

resource "aws_s3_bucket" "source" {
  # checkov:skip=CKV_AWS_18:Object-level access is audited by CloudTrail data events of the organisation trail; server access logs would need a log bucket per Region.
  # checkov:skip=CKV2_AWS_62:Nothing consumes object events; replication is configured below, not through notifications.
  provider = aws.primary

  bucket        = var.source_bucket_name
  force_destroy = var.force_destroy

  tags = merge(var.tags, var.drill_tags, { ReplicationRole = "source" })
}

resource "aws_s3_bucket" "destination" {
  # checkov:skip=CKV_AWS_18:Object-level access is audited by CloudTrail data events of the organisation trail; server access logs would need a log bucket per Region.
  # checkov:skip=CKV2_AWS_62:Nothing consumes object events on the replica.
  # checkov:skip=CKV_AWS_144:This is the replica of a one-way replication; replicating it back would loop. Fail-back replication is a runbook step.
  provider = aws.secondary

  bucket        = var.destination_bucket_name
  force_destroy = var.force_destroy

  tags = merge(var.tags, var.drill_tags, { ReplicationRole = "destination" })
}

resource "aws_s3_bucket_versioning" "source" {
  provider = aws.primary

  bucket = aws_s3_bucket.source.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_versioning" "destination" {
  provider = aws.secondary

  bucket = aws_s3_bucket.destination.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "source" {
  provider = aws.primary

  bucket = aws_s3_bucket.source.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.source_kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "destination" {
  provider = aws.secondary

  bucket = aws_s3_bucket.destination.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.destination_kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "source" {
  provider = aws.primary

  bucket                  = aws_s3_bucket.source.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_public_access_block" "destination" {
  provider = aws.secondary

  bucket                  = aws_s3_bucket.destination.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "source" {
  provider = aws.primary

  bucket = aws_s3_bucket.source.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_ownership_controls" "destination" {
  provider = aws.secondary

  bucket = aws_s3_bucket.destination.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "source" {
  provider = aws.primary

  bucket = aws_s3_bucket.source.id

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"
    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.source]
}

resource "aws_s3_bucket_lifecycle_configuration" "destination" {
  provider = aws.secondary

  bucket = aws_s3_bucket.destination.id

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"
    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.destination]
}

data "aws_iam_policy_document" "tls_only" {
  for_each = local.buckets

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = ["arn:${local.partition}:s3:::${each.value.name}", "arn:${local.partition}:s3:::${each.value.name}/*"]

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

resource "aws_s3_bucket_policy" "source" {
  provider = aws.primary

  bucket = aws_s3_bucket.source.id
  policy = data.aws_iam_policy_document.tls_only["source"].json

  depends_on = [aws_s3_bucket_public_access_block.source]
}

resource "aws_s3_bucket_policy" "destination" {
  provider = aws.secondary

  bucket = aws_s3_bucket.destination.id
  policy = data.aws_iam_policy_document.tls_only["destination"].json

  depends_on = [aws_s3_bucket_public_access_block.destination]
}

################################################################################
# Replication role
################################################################################

data "aws_iam_policy_document" "replication_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "replication" {
  provider = aws.primary

  name_prefix        = "${substr(var.source_bucket_name, 0, 28)}-crr-"
  description        = "S3 replication from ${var.source_bucket_name} to ${var.destination_bucket_name}."
  assume_role_policy = data.aws_iam_policy_document.replication_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "replication" {
  statement {
    sid       = "ReadReplicationConfiguration"
    actions   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
    resources = [aws_s3_bucket.source.arn]
  }

  statement {
    sid       = "ReadSourceVersions"
    actions   = ["s3:GetObjectVersionAcl", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionTagging"]
    resources = ["${aws_s3_bucket.source.arn}/*"]
  }

  statement {
    sid       = "WriteReplicas"
    actions   = ["s3:ObjectOwnerOverrideToBucketOwner", "s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags"]
    resources = ["${aws_s3_bucket.destination.arn}/*"]
  }

  statement {
    sid       = "DecryptSourceObjects"
    actions   = ["kms:Decrypt"]
    resources = [var.source_kms_key_arn]

    condition {
      test     = "StringLike"
      variable = "kms:ViaService"
      values   = ["s3.${data.aws_region.primary.name}.amazonaws.com"]
    }
  }

  statement {
    sid       = "EncryptReplicas"
    actions   = ["kms:Encrypt", "kms:GenerateDataKey"]
    resources = [var.destination_kms_key_arn]

    condition {
      test     = "StringLike"
      variable = "kms:ViaService"
      values   = ["s3.${data.aws_region.secondary.name}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "replication" {
  provider = aws.primary

  name   = "replicate"
  role   = aws_iam_role.replication.id
  policy = data.aws_iam_policy_document.replication.json
}

################################################################################
# Replication rule with Replication Time Control and metrics (for backlog alarms)
################################################################################

resource "aws_s3_bucket_replication_configuration" "this" {
  provider = aws.primary

  bucket = aws_s3_bucket.source.id
  role   = aws_iam_role.replication.arn

  rule {
    id       = var.replication_rule_id
    status   = "Enabled"
    priority = 1

    filter {}

    delete_marker_replication {
      status = "Enabled"
    }

    source_selection_criteria {
      sse_kms_encrypted_objects {
        status = "Enabled"
      }
    }

    destination {
      bucket        = aws_s3_bucket.destination.arn
      storage_class = var.replica_storage_class

      encryption_configuration {
        replica_kms_key_id = var.destination_kms_key_arn
      }

      replication_time {
        status = "Enabled"
        time {
          minutes = var.replication_time_minutes
        }
      }

      # Publishes ReplicationLatency, BytesPendingReplication and OperationsPendingReplication.
      metrics {
        status = "Enabled"
        event_threshold {
          minutes = var.replication_time_minutes
        }
      }
    }
  }

  depends_on = [
    aws_s3_bucket_versioning.source,
    aws_s3_bucket_versioning.destination,
    aws_iam_role_policy.replication,
  ]
}
