output "bucket_id" {
  description = "Name of the assets bucket."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the assets bucket."
  value       = aws_s3_bucket.this.arn
}

output "distribution_id" {
  description = "ID of the CloudFront distribution (for invalidations)."
  value       = aws_cloudfront_distribution.this.id
}

output "distribution_arn" {
  description = "ARN of the CloudFront distribution."
  value       = aws_cloudfront_distribution.this.arn
}

output "distribution_domain_name" {
  description = "Domain name of the distribution (*.cloudfront.net)."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "origin_access_control_id" {
  description = "ID of the origin access control."
  value       = aws_cloudfront_origin_access_control.this.id
}
