################################################################################
# Drill targets: everything the DR drills act on, in one place, so DAGs never parse state.
# Published as the `drill_targets` output and as SSM parameters in BOTH Regions (a drill that
# simulates the loss of the primary Region must still be able to read its targets).
# The shape is a contract (schema_version); see the README "Infrastructure" section.
################################################################################

locals {
  aurora_targets = var.aurora.enabled ? {
    global_cluster_id      = module.aurora[0].global_cluster_id
    global_cluster_arn     = module.aurora[0].global_cluster_arn
    global_writer_endpoint = module.aurora[0].global_writer_endpoint
    engine_version         = module.aurora[0].engine_version
    master_secret_arn      = module.aurora[0].master_user_secret_arn
    clusters = {
      for role, c in module.aurora[0].clusters : role => {
        region       = c.region
        cluster_id   = c.cluster_id
        cluster_arn  = c.cluster_arn
        instance_ids = c.instance_ids
      }
    }
  } : null

  network_targets = {
    for role, net in { primary = module.network_primary, secondary = module.network_secondary } : role => {
      region                   = local.regions[role]
      vpc_id                   = net.vpc_id
      private_route_table_ids  = net.private_route_table_ids
      nat_gateways = {
        for id, nat in net.nat_gateways : id => {
          availability_zone       = nat.availability_zone
          subnet_id               = nat.subnet_id
          private_route_table_ids = nat.private_route_table_ids
        }
      }
    }
  }

  eks_targets = var.eks.enabled ? {
    for role, m in { primary = module.eks_primary[0], secondary = module.eks_secondary[0] } : role => {
      region                 = local.regions[role]
      cluster_name           = m.cluster_name
      node_group_names       = m.node_group_names
    }
  } : null

  alarm_targets = {
    aurora_replication_lag = merge(
      module.alarms_primary.alarm_names.aurora_replication_lag,
      module.alarms_secondary.alarm_names.aurora_replication_lag,
    )
    s3_replication = {
      latency            = one(values(module.alarms_primary.alarm_names.s3_replication_latency))
      backlog_bytes      = one(values(module.alarms_primary.alarm_names.s3_replication_backlog_bytes))
      backlog_operations = one(values(module.alarms_primary.alarm_names.s3_replication_backlog_operations))
    }
    health_check = module.alarms_secondary.alarm_names.health_check
    error_rate = merge(
      module.alarms_primary.alarm_names.error_rate,
      module.alarms_secondary.alarm_names.error_rate,
    )
    regions = {
      aurora_replication_lag = local.regions
      s3_replication         = var.primary_region
      health_check           = var.secondary_region
      error_rate             = local.regions
    }
    sns_topic_arns = {
      primary   = module.alarms_primary.sns_topic_arn
      secondary = module.alarms_secondary.sns_topic_arn
    }
  }

  # The alarm state-change queue of each Region (native-events): the event_queue_url of a drill's stop watch.
  event_targets = {
    for role, m in { primary = module.native_events_primary, secondary = module.native_events_secondary } : role => {
      region                 = local.regions[role]
      queue_url              = m.queue_url
    }
  }

  drill_targets = {
    schema_version = 1
    stack          = "dr-platform"
    name           = var.name
    account_id     = local.account_id
    regions        = local.regions
    drill_tag      = local.drill_tags
    aurora         = local.aurora_targets
    network        = local.network_targets
    eks            = local.eks_targets
    route53 = {
      zone_id          = data.aws_route53_zone.this.zone_id
      record_name      = module.route53_failover.record_name
      record_type      = module.route53_failover.record_type
      set_identifiers  = module.route53_failover.set_identifiers
      health_check_ids = module.route53_failover.health_check_ids
      targets          = module.route53_failover.targets
    }
    s3 = {
      source_bucket      = module.s3_replication.source_bucket_id
      destination_bucket = module.s3_replication.destination_bucket_id
      rule_id            = module.s3_replication.replication_rule_id
      regions            = module.s3_replication.regions
    }
    alarms = local.alarm_targets
    events = local.event_targets
  }

  # One parameter per item a drill resolves on its own, plus the whole map as JSON.
  # Lists and maps are JSON strings; disabled parts (aurora, eks) are simply absent.
  drill_target_parameters = merge(
    {
      "json"                                   = jsonencode(local.drill_targets)
      "schema-version"                         = "1"
      "regions/primary"                        = var.primary_region
      "regions/secondary"                      = var.secondary_region
      "network/primary/nat-gateways"           = jsonencode(local.network_targets.primary.nat_gateways)
      "network/secondary/nat-gateways"         = jsonencode(local.network_targets.secondary.nat_gateways)
      "route53/record-name"                    = module.route53_failover.record_name
      "route53/health-check-ids"               = jsonencode(module.route53_failover.health_check_ids)
      "route53/zone-id"                        = data.aws_route53_zone.this.zone_id
      "s3/source-bucket"                       = module.s3_replication.source_bucket_id
      "s3/destination-bucket"                  = module.s3_replication.destination_bucket_id
      "alarms/names"                           = jsonencode(local.alarm_targets)
      "alarms/s3-replication-backlog"          = local.alarm_targets.s3_replication.backlog_bytes
      "network/primary/private-route-tables"   = join(",", local.network_targets.primary.private_route_table_ids)
      "network/secondary/private-route-tables" = join(",", local.network_targets.secondary.private_route_table_ids)
      "events/primary/queue-url"               = local.event_targets.primary.queue_url
      "events/secondary/queue-url"             = local.event_targets.secondary.queue_url
    },
    var.aurora.enabled ? {
      "aurora/global-cluster-id"                = local.aurora_targets.global_cluster_id
      "aurora/primary/cluster-arn"              = local.aurora_targets.clusters.primary.cluster_arn
      "aurora/secondary/cluster-arn"            = local.aurora_targets.clusters.secondary.cluster_arn
      "alarms/aurora-replication-lag/primary"   = local.alarm_targets.aurora_replication_lag.primary
      "alarms/aurora-replication-lag/secondary" = local.alarm_targets.aurora_replication_lag.secondary
    } : {},
    local.health_check_alarms ? {
      "alarms/health-check/primary"   = local.alarm_targets.health_check.primary
      "alarms/health-check/secondary" = local.alarm_targets.health_check.secondary
    } : {},
    var.ingress_error_rate != null ? {
      "alarms/error-rate/primary"   = local.alarm_targets.error_rate.primary
      "alarms/error-rate/secondary" = local.alarm_targets.error_rate.secondary
    } : {},
    var.eks.enabled ? {
      "eks/primary/cluster-name"       = local.eks_targets.primary.cluster_name
      "eks/secondary/cluster-name"     = local.eks_targets.secondary.cluster_name
      "eks/primary/node-group-names"   = jsonencode(local.eks_targets.primary.node_group_names)
      "eks/secondary/node-group-names" = jsonencode(local.eks_targets.secondary.node_group_names)
    } : {},
  )
}

resource "aws_ssm_parameter" "drill_targets_primary" {
  # checkov:skip=CKV2_AWS_34:Resource identifiers, not secrets: String lets every drill role read them without kms:Decrypt.
  # checkov:skip=CKV_AWS_337:Resource identifiers, not secrets: no KMS key is involved for a String parameter.
  for_each = local.drill_target_parameters
  provider = aws.primary

  name        = "${var.drill_targets_ssm_prefix}/${var.name}/${each.key}"
  description = "DR drill target ${each.key} of ${var.name} (dr-platform stack)."
  type        = "String"
  tier        = length(each.value) > 4096 ? "Advanced" : "Standard"
  value       = each.value

  tags = local.drill_tags
}

resource "aws_ssm_parameter" "drill_targets_secondary" {
  # checkov:skip=CKV2_AWS_34:Resource identifiers, not secrets: String lets every drill role read them without kms:Decrypt.
  # checkov:skip=CKV_AWS_337:Resource identifiers, not secrets: no KMS key is involved for a String parameter.
  for_each = local.drill_target_parameters
  provider = aws.secondary

  name        = "${var.drill_targets_ssm_prefix}/${var.name}/${each.key}"
  description = "DR drill target ${each.key} of ${var.name} (dr-platform stack)."
  type        = "String"
  tier        = length(each.value) > 4096 ? "Advanced" : "Standard"
  value       = each.value

  tags = local.drill_tags
}
