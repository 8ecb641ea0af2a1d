provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, {
      ManagedBy   = "terraform"
      Stack       = "sox-pg01"
      Environment = var.environment
    })
  }
}

module "sox_pg01" {
  source = "../../modules/sox-pg01"

  name                            = "sox-pg01"
  vpc_id                          = var.vpc_id
  subnet_ids                      = var.subnet_ids
  db_secret_arn                   = var.db_secret_arn
  db_secret_kms_key_arn           = var.db_secret_kms_key_arn
  db_cidr_blocks                  = var.db_cidr_blocks
  vpc_endpoint_security_group_ids = var.vpc_endpoint_security_group_ids
  image_digest                    = var.image_digest
  cpu                             = var.cpu
  memory                          = var.memory
  object_lock_enabled             = var.object_lock_enabled
  airflow_role_names              = var.airflow_role_names
  tags                            = var.tags
}
