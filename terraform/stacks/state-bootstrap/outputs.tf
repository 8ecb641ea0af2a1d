output "backend" {
  description = "What every stack of this account passes to its S3 backend (partial configuration)."
  value = {
    bucket         = module.state_backend.bucket_id
    dynamodb_table = module.state_backend.lock_table_name
    region         = var.region
    kms_key_id     = module.state_backend.kms_key_arn
    encrypt        = true
  }
}
