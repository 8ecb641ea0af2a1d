data "aws_partition" "current" {}

locals {
  origin_id = "s3-${var.bucket_name}"
}

resource "aws_s3_bucket" "this" {
  # checkov:skip=CKV_AWS_18:Reads are logged by CloudFront (logging_bucket_domain_name); direct access is denied to everyone but CloudFront.
  # checkov:skip=CKV2_AWS_62:Nothing consumes object events for static assets.
  # checkov:skip=CKV_AWS_144:Assets are rebuilt from the CI pipeline; cross-Region replication is the dr-platform stack's job.
  bucket = var.bucket_name

  tags = var.tags
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
      kms_master_key_id = var.kms_key_arn
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

  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_cloudfront_origin_access_control" "this" {
  name                              = var.bucket_name
  description                       = "CloudFront reads ${var.bucket_name} with signed requests."
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_distribution" "this" {
  # checkov:skip=CKV_AWS_310:A single S3 origin; an origin group would need a replica bucket, which static assets do not warrant.
  # checkov:skip=CKV_AWS_68:WAF is optional (web_acl_id): static, read-only assets; the organisation attaches web ACLs centrally.
  # checkov:skip=CKV2_AWS_47:WAF is optional (web_acl_id); there is no code path behind this origin for Log4j to reach.
  # checkov:skip=CKV_AWS_86:Access logging is optional (logging_bucket_domain_name): it needs an ACL-enabled log bucket.
  # checkov:skip=CKV_AWS_374:Geo restriction is the caller's choice (geo_restriction); assets are public by design.
  # checkov:skip=CKV2_AWS_42:A custom certificate comes with aliases (acm_certificate_arn); without aliases the *.cloudfront.net certificate is the only one possible.
  # checkov:skip=CKV2_AWS_32:A response headers policy is attached by ID: the AWS managed SecurityHeadersPolicy by default (var.response_headers_policy_id).
  # checkov:skip=CKV_AWS_174:TLSv1.2_2021 is set whenever a custom certificate is used; CloudFront's default certificate does not accept a minimum protocol version.
  enabled             = true
  is_ipv6_enabled     = true
  comment             = "Assets from ${var.bucket_name}"
  default_root_object = var.default_root_object
  price_class         = var.price_class
  aliases             = var.aliases
  web_acl_id          = var.web_acl_id
  http_version        = "http2and3"
  wait_for_deployment = var.wait_for_deployment

  origin {
    origin_id                = local.origin_id
    domain_name              = aws_s3_bucket.this.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.this.id
  }

  default_cache_behavior {
    target_origin_id           = local.origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = var.cache_policy_id
    response_headers_policy_id = var.response_headers_policy_id
  }

  dynamic "logging_config" {
    for_each = var.logging_bucket_domain_name == null ? [] : [var.logging_bucket_domain_name]
    content {
      bucket          = logging_config.value
      include_cookies = false
      prefix          = "cloudfront/${var.bucket_name}/"
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = var.geo_restriction.type
      locations        = var.geo_restriction.locations
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = var.acm_certificate_arn == null
    acm_certificate_arn            = var.acm_certificate_arn
    ssl_support_method             = var.acm_certificate_arn == null ? null : "sni-only"
    minimum_protocol_version       = var.acm_certificate_arn == null ? "TLSv1" : "TLSv1.2_2021"
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = length(var.aliases) == 0 || var.acm_certificate_arn != null
      error_message = "aliases need acm_certificate_arn (a us-east-1 ACM certificate covering them)."
    }
  }
}

data "aws_iam_policy_document" "bucket" {
  statement {
    sid       = "CloudFrontReadsThroughOriginAccessControl"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.this.arn}/*"]

    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.this.arn]
    }
  }

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
