variable "name" {
  description = "Name of the platform; prefixes every resource (VPCs, clusters, buckets, alarms)."
  type        = string
  default     = "platform-dr"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,17}$", var.name))
    error_message = "name must be 3 to 18 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name, used in tags."
  type        = string
  default     = "production"

  validation {
    condition     = contains(["dev", "staging", "production"], var.environment)
    error_message = "environment must be one of dev, staging, production."
  }
}

variable "primary_region" {
  description = "Region that normally serves traffic and holds the Aurora writer."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.primary_region))
    error_message = "primary_region must look like eu-west-1."
  }
}

variable "secondary_region" {
  description = "Standby Region (read-only Aurora secondary, replica bucket, standby EKS)."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.secondary_region))
    error_message = "secondary_region must look like us-east-1."
  }
}

variable "network" {
  description = "VPC of each Region: a /16 and three pinned Availability Zones. single_nat_gateway trades AZ independence for cost."
  type = object({
    primary = object({
      cidr = string
      azs  = list(string)
    })
    secondary = object({
      cidr = string
      azs  = list(string)
    })
    single_nat_gateway = optional(bool, true)
  })
  default = {
    primary   = { cidr = "10.10.0.0/16", azs = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }
    secondary = { cidr = "10.20.0.0/16", azs = ["us-east-1a", "us-east-1b", "us-east-1c"] }
  }

  validation {
    condition     = var.network.primary.cidr != var.network.secondary.cidr
    error_message = "The two VPCs need different CIDRs (peering or a transit gateway may connect them later)."
  }
}

variable "eks" {
  description = "EKS in both Regions. node_groups null keeps the module's on-demand + spot defaults."
  type = object({
    enabled                = optional(bool, true)
    kubernetes_version     = optional(string, "1.33")
    endpoint_public_access = optional(bool, false)
    public_access_cidrs    = optional(list(string), [])
    node_groups = optional(map(object({
      capacity_type  = optional(string, "ON_DEMAND")
      instance_types = list(string)
      min_size       = number
      max_size       = number
      desired_size   = number
      disk_size_gib  = optional(number, 50)
      labels         = optional(map(string), {})
    })))
  })
  default = {}
}

variable "aurora" {
  description = "Aurora PostgreSQL global database: writer in the primary Region, promotable secondary in the other."
  type = object({
    enabled                   = optional(bool, true)
    engine_version            = optional(string, "16.6")
    instance_class            = optional(string, "db.r6g.large")
    primary_instance_count    = optional(number, 2)
    secondary_instance_count  = optional(number, 1)
    database_name             = optional(string, "app")
    master_username           = optional(string, "platform_admin")
    master_password_version   = optional(number, 1)
    backup_retention_period   = optional(number, 7)
    deletion_protection       = optional(bool, true)
    replication_lag_threshold = optional(number, 1000)
  })
  default = {}
}

variable "replicated_bucket_suffix" {
  description = "Suffix of the replicated bucket pair: <name>-<suffix>-<account>-<region>."
  type        = string
  default     = "artifacts"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,14}$", var.replicated_bucket_suffix))
    error_message = "replicated_bucket_suffix must be 2 to 15 lower-case letters, digits or dashes."
  }
}

variable "s3_replication_backlog_bytes_threshold" {
  description = "Alarm when more than this many bytes wait to replicate (default 500 MiB)."
  type        = number
  default     = 524288000
}

variable "dns" {
  description = <<-EOT
    Failover DNS: an existing public hosted zone, the record to create in it, and the ingress host names
    (the load balancers the ingress controller created) that the record answers with in each Region.
  EOT
  type = object({
    hosted_zone_name           = string
    record                     = optional(string, "app")
    primary_ingress_hostname   = string
    secondary_ingress_hostname = string
    health_check_path          = optional(string, "/healthz")
    ttl                        = optional(number, 30)
  })
}

variable "ingress_error_rate" {
  description = <<-EOT
    Error-rate alarms of the ingress load balancers (target 5XX as a share of requests), one per Region; null creates
    none. The AWS Load Balancer Controller creates the ALBs after this stack (from the clusters' Ingresses), so they
    are given like dns.*_ingress_hostname: the ARN or ARN suffix (app/<name>/<id>) of each Region's ALB.
  EOT
  type = object({
    primary_load_balancer   = string
    secondary_load_balancer = string
    threshold_percent       = optional(number, 5)
    minimum_requests        = optional(number, 50)
  })
  default = null
}

variable "drill_targets_ssm_prefix" {
  description = "SSM parameter path under which the drill targets are published (in both Regions)."
  type        = string
  default     = "/platform/dr/drill-targets"

  validation {
    condition     = can(regex("^(/[a-zA-Z0-9_.-]+)+$", var.drill_targets_ssm_prefix))
    error_message = "drill_targets_ssm_prefix must be an absolute SSM path such as /platform/dr/drill-targets."
  }
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
