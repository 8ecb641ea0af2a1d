data "aws_caller_identity" "current" {}

module "kms" {
  source = "../../modules/kms"

  name        = "${var.name}/data"
  description = "${var.name}: PostgreSQL, Redis, assets, container images and their secrets"
  allowed_services = [
    "rds.amazonaws.com",
    "secretsmanager.amazonaws.com",
    "elasticache.amazonaws.com",
    "s3.amazonaws.com",
    "ecr.amazonaws.com",
    "logs.${var.region}.amazonaws.com",
    "cloudfront.amazonaws.com",
  ]
}

module "postgres" {
  source = "../../modules/rds"

  identifier              = "${var.name}-postgres"
  engine_version          = var.postgres.engine_version
  instance_class          = var.postgres.instance_class
  allocated_storage       = var.postgres.allocated_storage
  max_allocated_storage   = var.postgres.max_allocated_storage
  multi_az                = var.postgres.multi_az
  database_name           = var.postgres.database_name
  master_username         = var.postgres.master_username
  kms_key_arn             = module.kms.key_arn
  vpc_id                  = var.vpc_id
  subnet_ids              = var.private_subnet_ids
  allowed_security_groups = var.allowed_security_groups
}

module "redis" {
  source = "../../modules/redis"
  count  = var.enable_elasticache ? 1 : 0

  name                    = "${var.name}-redis"
  engine_version          = var.redis.engine_version
  node_type               = var.redis.node_type
  num_cache_clusters      = var.redis.num_cache_clusters
  maxmemory_policy        = var.redis.maxmemory_policy
  kms_key_arn             = module.kms.key_arn
  vpc_id                  = var.vpc_id
  subnet_ids              = var.private_subnet_ids
  allowed_security_groups = var.allowed_security_groups
}

module "assets" {
  source = "../../modules/storage"

  bucket_name         = "${var.name}-${var.assets_bucket_suffix}-${data.aws_caller_identity.current.account_id}"
  kms_key_arn         = module.kms.key_arn
  wait_for_deployment = var.cloudfront_wait_for_deployment
}

module "ecr" {
  source   = "../../modules/ecr"
  for_each = var.ecr_repositories

  repository_name     = "${var.name}/${each.key}"
  kms_key_arn         = module.kms.key_arn
  pull_principal_arns = var.ecr_pull_principal_arns
}
