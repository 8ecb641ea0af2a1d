provider "aws" {
  region = "eu-west-1"
}

module "state_backend" {
  source = "../.."

  bucket_name       = "platform-ops-tfstate-222222222222"
  lock_table_name   = "platform-ops-tflock"
  state_writer_arns = ["arn:aws:iam::222222222222:role/platform-ops"]

  tags = {
    Environment = "production"
  }
}

output "backend_settings" {
  description = "Values for the S3 backend of every stack in this account."
  value = {
    bucket         = module.state_backend.bucket_id
    dynamodb_table = module.state_backend.lock_table_name
    kms_key_id     = module.state_backend.kms_key_arn
  }
}
