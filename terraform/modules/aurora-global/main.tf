data "aws_region" "primary" {
  provider = aws.primary
}

data "aws_region" "secondary" {
  provider = aws.secondary
}

data "aws_partition" "current" {
  provider = aws.primary
}

locals {
  primary_region   = data.aws_region.primary.name
  secondary_region = data.aws_region.secondary.name
  engine           = "aurora-postgresql"
  family           = "aurora-postgresql${split(".", var.engine_version)[0]}"

  primary_cluster_id   = "${var.name}-${local.primary_region}"
  secondary_cluster_id = "${var.name}-${local.secondary_region}"
  cluster_tags         = merge(var.tags, var.drill_tags, { GlobalCluster = var.name })
}

################################################################################
# KMS: one key per Region (storage, Performance Insights, the master secret)
################################################################################

module "kms_primary" {
  source    = "../kms"
  providers = { aws = aws.primary }

  name             = "rds/${var.name}"
  description      = "Aurora global cluster ${var.name} in ${local.primary_region}"
  allowed_services = ["rds.amazonaws.com", "secretsmanager.amazonaws.com"]
  tags             = var.tags
}

module "kms_secondary" {
  source    = "../kms"
  providers = { aws = aws.secondary }

  name             = "rds/${var.name}"
  description      = "Aurora global cluster ${var.name} in ${local.secondary_region}"
  allowed_services = ["rds.amazonaws.com", "secretsmanager.amazonaws.com"]
  tags             = var.tags
}

################################################################################
# Master password: generated at apply time, written to the cluster and to Secrets Manager
# through write-only arguments. It never appears in a variable, the plan or the state.
# (RDS-managed master passwords are not available for clusters in a global database.)
################################################################################

ephemeral "aws_secretsmanager_random_password" "master" {
  provider = aws.primary

  password_length    = 40
  exclude_characters = "\"'@/\\ `"
}

resource "aws_secretsmanager_secret" "master" {
  # checkov:skip=CKV2_AWS_57:A global cluster's master password is rotated by bumping master_password_version; the RDS rotation Lambda would have to live in both VPCs.
  provider = aws.primary

  name_prefix             = "rds/${var.name}/master-"
  description             = "Master user of Aurora global cluster ${var.name}; replicated to ${local.secondary_region} for fail-over."
  kms_key_id              = module.kms_primary.key_arn
  recovery_window_in_days = 7

  replica {
    region     = local.secondary_region
    kms_key_id = module.kms_secondary.key_arn
  }

  tags = var.tags
}

resource "aws_secretsmanager_secret_version" "master" {
  provider = aws.primary

  secret_id = aws_secretsmanager_secret.master.id
  secret_string_wo = jsonencode({
    engine              = "postgres"
    username            = var.master_username
    password            = ephemeral.aws_secretsmanager_random_password.master.random_password
    port                = 5432
    dbname              = var.database_name
    globalClusterId     = var.name
    globalWriterAddress = aws_rds_global_cluster.this.endpoint
  })
  secret_string_wo_version = var.master_password_version
}

################################################################################
# Enhanced Monitoring role (IAM is global; created once)
################################################################################

data "aws_iam_policy_document" "monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "monitoring" {
  count    = var.monitoring_interval > 0 ? 1 : 0
  provider = aws.primary

  name_prefix        = "${substr(var.name, 0, 24)}-rds-mon-"
  description        = "Enhanced Monitoring of Aurora global cluster ${var.name}."
  assume_role_policy = data.aws_iam_policy_document.monitoring_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  count    = var.monitoring_interval > 0 ? 1 : 0
  provider = aws.primary

  role       = aws_iam_role.monitoring[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

################################################################################
# Global cluster
################################################################################

resource "aws_rds_global_cluster" "this" {
  provider = aws.primary

  global_cluster_identifier = var.name
  engine                    = local.engine
  engine_version            = var.engine_version
  database_name             = var.database_name
  storage_encrypted         = true
  deletion_protection       = var.deletion_protection

  tags = local.cluster_tags
}

################################################################################
# Primary Region
################################################################################

resource "aws_db_subnet_group" "primary" {
  provider = aws.primary

  name_prefix = "${var.name}-"
  description = "Aurora global cluster ${var.name} in ${local.primary_region}."
  subnet_ids  = var.primary.subnet_ids

  tags = var.tags
}

resource "aws_security_group" "primary" {
  provider = aws.primary

  name_prefix = "${var.name}-aurora-"
  description = "PostgreSQL clients of Aurora global cluster ${var.name}."
  vpc_id      = var.primary.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-aurora" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "primary_from_sg" {
  for_each = var.primary.allowed_security_groups
  provider = aws.primary

  security_group_id            = aws_security_group.primary.id
  description                  = "PostgreSQL from ${each.key}"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = each.value
}

resource "aws_vpc_security_group_ingress_rule" "primary_from_cidr" {
  for_each = toset(var.primary.allowed_cidr_blocks)
  provider = aws.primary

  security_group_id = aws_security_group.primary.id
  description       = "PostgreSQL from ${each.key}"
  ip_protocol       = "tcp"
  from_port         = 5432
  to_port           = 5432
  cidr_ipv4         = each.key
}

resource "aws_rds_cluster_parameter_group" "primary" {
  provider = aws.primary

  name_prefix = "${var.name}-"
  family      = local.family
  description = "Aurora global cluster ${var.name}: TLS only, DDL and slow-query logging."

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = tostring(var.log_min_duration_statement_ms)
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_rds_cluster" "primary" {
  # checkov:skip=CKV2_AWS_8:Backups are Aurora's continuous backups (backup_retention_period) in each Region plus the global secondary; an AWS Backup plan is an organisation-level choice.
  provider = aws.primary

  cluster_identifier        = local.primary_cluster_id
  global_cluster_identifier = aws_rds_global_cluster.this.id
  engine                    = aws_rds_global_cluster.this.engine
  engine_version            = aws_rds_global_cluster.this.engine_version
  database_name             = var.database_name

  master_username            = var.master_username
  master_password_wo         = ephemeral.aws_secretsmanager_random_password.master.random_password
  master_password_wo_version = var.master_password_version

  db_subnet_group_name            = aws_db_subnet_group.primary.name
  vpc_security_group_ids          = [aws_security_group.primary.id]
  db_cluster_parameter_group_name = aws_rds_cluster_parameter_group.primary.name
  port                            = 5432

  storage_encrypted                   = true
  kms_key_id                          = module.kms_primary.key_arn
  iam_database_authentication_enabled = true
  enabled_cloudwatch_logs_exports     = ["postgresql"]

  backup_retention_period      = var.backup_retention_period
  preferred_backup_window      = var.preferred_backup_window
  preferred_maintenance_window = var.preferred_maintenance_window
  copy_tags_to_snapshot        = true
  deletion_protection          = var.deletion_protection
  skip_final_snapshot          = false
  final_snapshot_identifier    = "${local.primary_cluster_id}-final"

  tags = merge(local.cluster_tags, { HomeRole = "primary" })

  lifecycle {
    # A switchover (drill) makes this cluster a replica of the other one; that is not drift.
    ignore_changes = [replication_source_identifier]
  }
}

resource "aws_rds_cluster_instance" "primary" {
  count    = var.primary.instance_count
  provider = aws.primary

  identifier           = "${local.primary_cluster_id}-${count.index + 1}"
  cluster_identifier   = aws_rds_cluster.primary.id
  engine               = aws_rds_cluster.primary.engine
  engine_version       = aws_rds_cluster.primary.engine_version
  instance_class       = var.instance_class
  db_subnet_group_name = aws_db_subnet_group.primary.name
  publicly_accessible  = false

  auto_minor_version_upgrade            = true
  copy_tags_to_snapshot                 = true
  monitoring_interval                   = var.monitoring_interval
  monitoring_role_arn                   = one(aws_iam_role.monitoring[*].arn)
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = module.kms_primary.key_arn
  performance_insights_retention_period = var.performance_insights_retention_period

  tags = var.tags

  depends_on = [aws_iam_role_policy_attachment.monitoring]
}

################################################################################
# Secondary Region (read-only until a switchover or failover promotes it)
################################################################################

resource "aws_db_subnet_group" "secondary" {
  provider = aws.secondary

  name_prefix = "${var.name}-"
  description = "Aurora global cluster ${var.name} in ${local.secondary_region}."
  subnet_ids  = var.secondary.subnet_ids

  tags = var.tags
}

resource "aws_security_group" "secondary" {
  provider = aws.secondary

  name_prefix = "${var.name}-aurora-"
  description = "PostgreSQL clients of Aurora global cluster ${var.name}."
  vpc_id      = var.secondary.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-aurora" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "secondary_from_sg" {
  for_each = var.secondary.allowed_security_groups
  provider = aws.secondary

  security_group_id            = aws_security_group.secondary.id
  description                  = "PostgreSQL from ${each.key}"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = each.value
}

resource "aws_vpc_security_group_ingress_rule" "secondary_from_cidr" {
  for_each = toset(var.secondary.allowed_cidr_blocks)
  provider = aws.secondary

  security_group_id = aws_security_group.secondary.id
  description       = "PostgreSQL from ${each.key}"
  ip_protocol       = "tcp"
  from_port         = 5432
  to_port           = 5432
  cidr_ipv4         = each.key
}

# Parameter groups are not inherited across Regions: the same settings, created again here.
resource "aws_rds_cluster_parameter_group" "secondary" {
  provider = aws.secondary

  name_prefix = "${var.name}-"
  family      = local.family
  description = "Aurora global cluster ${var.name}: TLS only, DDL and slow-query logging."

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = tostring(var.log_min_duration_statement_ms)
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_rds_cluster" "secondary" {
  # checkov:skip=CKV2_AWS_8:Backups are Aurora's continuous backups (backup_retention_period) in each Region plus the global secondary; an AWS Backup plan is an organisation-level choice.
  provider = aws.secondary

  cluster_identifier        = local.secondary_cluster_id
  global_cluster_identifier = aws_rds_global_cluster.this.id
  engine                    = aws_rds_global_cluster.this.engine
  engine_version            = aws_rds_global_cluster.this.engine_version

  db_subnet_group_name            = aws_db_subnet_group.secondary.name
  vpc_security_group_ids          = [aws_security_group.secondary.id]
  db_cluster_parameter_group_name = aws_rds_cluster_parameter_group.secondary.name
  port                            = 5432

  storage_encrypted                   = true
  kms_key_id                          = module.kms_secondary.key_arn
  iam_database_authentication_enabled = true
  enabled_cloudwatch_logs_exports     = ["postgresql"]

  backup_retention_period      = var.backup_retention_period
  preferred_backup_window      = var.preferred_backup_window
  preferred_maintenance_window = var.preferred_maintenance_window
  copy_tags_to_snapshot        = true
  deletion_protection          = var.deletion_protection
  skip_final_snapshot          = false
  final_snapshot_identifier    = "${local.secondary_cluster_id}-final"

  tags = merge(local.cluster_tags, { HomeRole = "secondary" })

  lifecycle {
    ignore_changes = [replication_source_identifier]
  }

  # A secondary can only join once the primary has a writer instance.
  depends_on = [aws_rds_cluster_instance.primary]
}

resource "aws_rds_cluster_instance" "secondary" {
  count    = var.secondary.instance_count
  provider = aws.secondary

  identifier           = "${local.secondary_cluster_id}-${count.index + 1}"
  cluster_identifier   = aws_rds_cluster.secondary.id
  engine               = aws_rds_cluster.secondary.engine
  engine_version       = aws_rds_cluster.secondary.engine_version
  instance_class       = var.instance_class
  db_subnet_group_name = aws_db_subnet_group.secondary.name
  publicly_accessible  = false

  auto_minor_version_upgrade            = true
  copy_tags_to_snapshot                 = true
  monitoring_interval                   = var.monitoring_interval
  monitoring_role_arn                   = one(aws_iam_role.monitoring[*].arn)
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = module.kms_secondary.key_arn
  performance_insights_retention_period = var.performance_insights_retention_period

  tags = var.tags

  depends_on = [aws_iam_role_policy_attachment.monitoring]
}
