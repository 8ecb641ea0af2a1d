output "backend" {
  description = "What every stack of this account passes to its S3 backend (partial configuration)."
  value = {
    bucket       = module.state_backend.bucket_id
    use_lockfile = true
    region       = var.region
    kms_key_id   = module.state_backend.kms_key_arn
    encrypt      = true
  }
}

output "lease_table" {
  description = "DynamoDB table of the stack leases (the registry's terraform.state.lock_table): one terraform_apply run per stack."
  value       = module.state_backend.lock_table_name
}
