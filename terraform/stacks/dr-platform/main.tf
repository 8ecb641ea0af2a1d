data "aws_caller_identity" "current" {
  provider = aws.primary
}

locals {
  account_id = data.aws_caller_identity.current.account_id
  # What marks a resource as a drill target; drills select by these tags and refuse anything else.
  drill_tags = { DrillEligible = "true", DrillScope = var.name }

  regions = { primary = var.primary_region, secondary = var.secondary_region }

  health_check_alarms = var.secondary_region == "us-east-1"

  # Each Region's ingress error rate lives in that Region (ALB metrics are regional), keyed by role.
  error_rates = {
    for role in ["primary", "secondary"] : role => var.ingress_error_rate == null ? {} : {
      (role) = {
        load_balancer     = var.ingress_error_rate["${role}_load_balancer"]
        threshold_percent = var.ingress_error_rate.threshold_percent
        minimum_requests  = var.ingress_error_rate.minimum_requests
      }
    }
  }
}

################################################################################
# KMS: one general key per Region (flow logs, EKS secrets and logs, S3, SNS)
################################################################################

module "kms_primary" {
  source    = "../../modules/kms"
  providers = { aws = aws.primary }

  name        = "${var.name}/platform"
  description = "${var.name} in ${var.primary_region}: logs, EKS secrets, S3, SNS"
  allowed_services = [
    "logs.${var.primary_region}.amazonaws.com",
    "cloudwatch.amazonaws.com",
    "sns.amazonaws.com",
    "s3.amazonaws.com",
  ]
}

module "kms_secondary" {
  source    = "../../modules/kms"
  providers = { aws = aws.secondary }

  name        = "${var.name}/platform"
  description = "${var.name} in ${var.secondary_region}: logs, EKS secrets, S3, SNS"
  allowed_services = [
    "logs.${var.secondary_region}.amazonaws.com",
    "cloudwatch.amazonaws.com",
    "sns.amazonaws.com",
    "s3.amazonaws.com",
  ]
}

################################################################################
# Network: a /16 per Region, three AZs, NAT gateway(s), S3 gateway endpoint
################################################################################

module "network_primary" {
  source    = "../../modules/network"
  providers = { aws = aws.primary }

  name                 = "${var.name}-${var.primary_region}"
  cidr                 = var.network.primary.cidr
  azs                  = var.network.primary.azs
  single_nat_gateway   = var.network.single_nat_gateway
  flow_log_kms_key_arn = module.kms_primary.key_arn
  private_subnet_tags  = { "kubernetes.io/cluster/${var.name}-${var.primary_region}" = "shared" }
  public_subnet_tags   = { "kubernetes.io/cluster/${var.name}-${var.primary_region}" = "shared" }
  drill_tags           = local.drill_tags
}

module "network_secondary" {
  source    = "../../modules/network"
  providers = { aws = aws.secondary }

  name                 = "${var.name}-${var.secondary_region}"
  cidr                 = var.network.secondary.cidr
  azs                  = var.network.secondary.azs
  single_nat_gateway   = var.network.single_nat_gateway
  flow_log_kms_key_arn = module.kms_secondary.key_arn
  private_subnet_tags  = { "kubernetes.io/cluster/${var.name}-${var.secondary_region}" = "shared" }
  public_subnet_tags   = { "kubernetes.io/cluster/${var.name}-${var.secondary_region}" = "shared" }
  drill_tags           = local.drill_tags
}

################################################################################
# EKS in both Regions (on-demand + spot node groups, IRSA, Load Balancer Controller role)
################################################################################

module "eks_primary" {
  source    = "../../modules/eks"
  providers = { aws = aws.primary }
  count     = var.eks.enabled ? 1 : 0

  cluster_name           = "${var.name}-${var.primary_region}"
  kubernetes_version     = var.eks.kubernetes_version
  vpc_id                 = module.network_primary.vpc_id
  subnet_ids             = module.network_primary.private_subnet_ids
  endpoint_public_access = var.eks.endpoint_public_access
  public_access_cidrs    = var.eks.public_access_cidrs
  create_kms_key         = false
  kms_key_arn            = module.kms_primary.key_arn
  node_groups            = var.eks.node_groups
  drill_tags             = local.drill_tags
}

module "eks_secondary" {
  source    = "../../modules/eks"
  providers = { aws = aws.secondary }
  count     = var.eks.enabled ? 1 : 0

  cluster_name           = "${var.name}-${var.secondary_region}"
  kubernetes_version     = var.eks.kubernetes_version
  vpc_id                 = module.network_secondary.vpc_id
  subnet_ids             = module.network_secondary.private_subnet_ids
  endpoint_public_access = var.eks.endpoint_public_access
  public_access_cidrs    = var.eks.public_access_cidrs
  create_kms_key         = false
  kms_key_arn            = module.kms_secondary.key_arn
  node_groups            = var.eks.node_groups
  drill_tags             = local.drill_tags
}

################################################################################
# Aurora PostgreSQL global database
################################################################################

module "aurora" {
  source = "../../modules/aurora-global"
  providers = {
    aws.primary   = aws.primary
    aws.secondary = aws.secondary
  }
  count = var.aurora.enabled ? 1 : 0

  name                    = "${var.name}-db"
  engine_version          = var.aurora.engine_version
  instance_class          = var.aurora.instance_class
  database_name           = var.aurora.database_name
  master_username         = var.aurora.master_username
  master_password_version = var.aurora.master_password_version
  backup_retention_period = var.aurora.backup_retention_period
  deletion_protection     = var.aurora.deletion_protection
  drill_tags              = local.drill_tags

  # Clients are the EKS workloads of each Region; without EKS, the private subnets of the VPC.
  primary = {
    vpc_id                  = module.network_primary.vpc_id
    subnet_ids              = module.network_primary.private_subnet_ids
    allowed_security_groups = var.eks.enabled ? { eks_nodes = module.eks_primary[0].node_security_group_id } : {}
    allowed_cidr_blocks     = var.eks.enabled ? [] : [module.network_primary.vpc_cidr_block]
    instance_count          = var.aurora.primary_instance_count
  }
  secondary = {
    vpc_id                  = module.network_secondary.vpc_id
    subnet_ids              = module.network_secondary.private_subnet_ids
    allowed_security_groups = var.eks.enabled ? { eks_nodes = module.eks_secondary[0].node_security_group_id } : {}
    allowed_cidr_blocks     = var.eks.enabled ? [] : [module.network_secondary.vpc_cidr_block]
    instance_count          = var.aurora.secondary_instance_count
  }
}

################################################################################
# S3: versioned bucket pair with cross-Region replication (RTC + metrics)
################################################################################

module "s3_replication" {
  source = "../../modules/s3-replication"
  providers = {
    aws.primary   = aws.primary
    aws.secondary = aws.secondary
  }

  source_bucket_name      = "${var.name}-${var.replicated_bucket_suffix}-${local.account_id}-${var.primary_region}"
  destination_bucket_name = "${var.name}-${var.replicated_bucket_suffix}-${local.account_id}-${var.secondary_region}"
  source_kms_key_arn      = module.kms_primary.key_arn
  destination_kms_key_arn = module.kms_secondary.key_arn
  drill_tags              = local.drill_tags
}

################################################################################
# Route 53: HTTPS health checks and PRIMARY/SECONDARY failover records
################################################################################

data "aws_route53_zone" "this" {
  provider = aws.primary

  name         = var.dns.hosted_zone_name
  private_zone = false
}

module "route53_failover" {
  source    = "../../modules/route53-failover"
  providers = { aws = aws.primary }

  zone_id     = data.aws_route53_zone.this.zone_id
  record_name = "${var.dns.record}.${trimsuffix(data.aws_route53_zone.this.name, ".")}"
  ttl         = var.dns.ttl
  primary     = { target = var.dns.primary_ingress_hostname }
  secondary   = { target = var.dns.secondary_ingress_hostname }
  health_check = {
    resource_path = var.dns.health_check_path
  }
  drill_tags = local.drill_tags
}

################################################################################
# Alarms (each in the Region its metrics are published in), each Region with its own topic
################################################################################

module "alarms_primary" {
  source    = "../../modules/alarms"
  providers = { aws = aws.primary }

  name_prefix     = "${var.name}-${var.primary_region}"
  sns_kms_key_arn = module.kms_primary.key_arn
  drill_tags      = local.drill_tags

  # Silent while this cluster is the writer; takes over after a switchover to the other Region.
  aurora_replication_lag = var.aurora.enabled ? {
    primary = {
      cluster_identifier = module.aurora[0].clusters.primary.cluster_id
      threshold_ms       = var.aurora.replication_lag_threshold
    }
  } : {}

  s3_replication = {
    (var.replicated_bucket_suffix) = {
      source_bucket           = module.s3_replication.source_bucket_id
      destination_bucket      = module.s3_replication.destination_bucket_id
      rule_id                 = module.s3_replication.replication_rule_id
      backlog_bytes_threshold = var.s3_replication_backlog_bytes_threshold
    }
  }

  error_rates = local.error_rates.primary
}

module "alarms_secondary" {
  source    = "../../modules/alarms"
  providers = { aws = aws.secondary }

  name_prefix     = "${var.name}-${var.secondary_region}"
  sns_kms_key_arn = module.kms_secondary.key_arn
  drill_tags      = local.drill_tags

  aurora_replication_lag = var.aurora.enabled ? {
    secondary = {
      cluster_identifier = module.aurora[0].clusters.secondary.cluster_id
      threshold_ms       = var.aurora.replication_lag_threshold
    }
  } : {}

  # Route 53 publishes HealthCheckStatus in us-east-1 only: the health-check alarms live with the
  # secondary Region when that is us-east-1 (the design pair); see the check block below.
  health_checks = local.health_check_alarms ? module.route53_failover.health_check_ids : {}

  error_rates = local.error_rates.secondary
}

################################################################################
# Native events: the alarms' state changes -> one queue per Region the drills' stop waits read
# (platform_ops.events.AlarmWaitOperator). EventBridge is regional: each Region's alarms are seen
# on that Region's default bus, so each Region has its own queue.
################################################################################

module "native_events_primary" {
  source    = "../../modules/native-events"
  providers = { aws = aws.primary }

  name_prefix       = "${var.name}-events"
  alarm_names       = flatten([for kind, alarms in module.alarms_primary.alarm_names : values(alarms)])
  dlq_alarm_actions = compact([module.alarms_primary.sns_topic_arn])
}

module "native_events_secondary" {
  source    = "../../modules/native-events"
  providers = { aws = aws.secondary }

  name_prefix       = "${var.name}-events"
  alarm_names       = flatten([for kind, alarms in module.alarms_secondary.alarm_names : values(alarms)])
  dlq_alarm_actions = compact([module.alarms_secondary.sns_topic_arn])
}

check "route53_health_check_alarms" {
  assert {
    condition     = local.health_check_alarms
    error_message = "No Route 53 health-check alarms were created: their metric exists only in us-east-1, which is not the secondary Region of this stack."
  }
}

check "ingress_error_rate_alarms" {
  assert {
    condition     = var.ingress_error_rate != null
    error_message = "No ingress error-rate alarms were created (ingress_error_rate is null): the NAT drill's steady-state probes and stop condition need them. Set it to the ALBs the Load Balancer Controller made and apply again."
  }
}
