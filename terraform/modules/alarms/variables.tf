variable "name_prefix" {
  description = "Prefix of every alarm name and of the SNS topic."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9][a-zA-Z0-9_-]{0,100}$", var.name_prefix))
    error_message = "name_prefix must be 1 to 101 letters, digits, '_' or '-'."
  }
}

variable "create_sns_topic" {
  description = "Create an SNS topic (encrypted with sns_kms_key_arn) for the alarms of this Region."
  type        = bool
  default     = true
}

variable "sns_kms_key_arn" {
  description = "KMS key of the created topic; its policy must let cloudwatch.amazonaws.com use it. Required when create_sns_topic is true."
  type        = string
  default     = null

  validation {
    condition     = var.sns_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.sns_kms_key_arn))
    error_message = "sns_kms_key_arn must be a KMS key ARN or null."
  }
}

variable "sns_topic_arn" {
  description = "Existing SNS topic (same Region) to notify when create_sns_topic is false."
  type        = string
  default     = null

  validation {
    condition     = var.sns_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:", var.sns_topic_arn))
    error_message = "sns_topic_arn must be an SNS topic ARN or null."
  }
}

variable "notify_on_ok" {
  description = "Also notify when an alarm returns to OK (recovery is part of the drill evidence)."
  type        = bool
  default     = true
}

variable "aurora_replication_lag" {
  description = <<-EOT
    Aurora global database lag alarms by key. Each watches one Regional cluster of this Region; the metric is only
    published while that cluster is a secondary, so missing data is treated as not breaching (after a switchover the
    alarm of the new primary goes quiet and the other one takes over).
  EOT
  type = map(object({
    cluster_identifier  = string
    metric_name         = optional(string, "AuroraGlobalDBReplicationLag")
    threshold_ms        = optional(number, 1000)
    evaluation_periods  = optional(number, 5)
    datapoints_to_alarm = optional(number, 3)
  }))
  default = {}

  validation {
    condition     = alltrue([for a in values(var.aurora_replication_lag) : contains(["AuroraGlobalDBReplicationLag", "AuroraGlobalDBRPOLag"], a.metric_name) && a.threshold_ms > 0])
    error_message = "metric_name must be AuroraGlobalDBReplicationLag or AuroraGlobalDBRPOLag and threshold_ms positive."
  }

  validation {
    condition     = alltrue([for a in values(var.aurora_replication_lag) : a.datapoints_to_alarm >= 1 && a.datapoints_to_alarm <= a.evaluation_periods])
    error_message = "datapoints_to_alarm must be between 1 and evaluation_periods."
  }
}

variable "s3_replication" {
  description = <<-EOT
    S3 replication alarms by key (alarms live in the source bucket's Region). The rule must have replication metrics on.
    backlog_bytes_threshold defaults to 500 MiB; latency_threshold_seconds to the 15 minutes of Replication Time Control.
  EOT
  type = map(object({
    source_bucket                = string
    destination_bucket           = string
    rule_id                      = string
    latency_threshold_seconds    = optional(number, 900)
    backlog_bytes_threshold      = optional(number, 524288000)
    operations_pending_threshold = optional(number, 10000)
  }))
  default = {}

  validation {
    condition     = alltrue([for a in values(var.s3_replication) : a.latency_threshold_seconds > 0 && a.backlog_bytes_threshold > 0 && a.operations_pending_threshold > 0])
    error_message = "S3 replication thresholds must be positive."
  }
}

variable "health_checks" {
  description = "Route 53 health check IDs by key. Route 53 publishes HealthCheckStatus in us-east-1 only, so these alarms need a us-east-1 provider."
  type        = map(string)
  default     = {}
}

variable "error_rates" {
  description = <<-EOT
    Ingress error-rate alarms by key: HTTPCode_Target_5XX_Count as a percentage of RequestCount of one Application Load
    Balancer of this Region, in ALARM above threshold_percent in datapoints_to_alarm of evaluation_periods periods.
    load_balancer is the ALB's ARN or ARN suffix (app/<name>/<id>). Periods with fewer than minimum_requests requests,
    and periods without requests, count as not breaching.
  EOT
  type = map(object({
    load_balancer       = string
    threshold_percent   = optional(number, 5)
    minimum_requests    = optional(number, 50)
    period              = optional(number, 60)
    evaluation_periods  = optional(number, 3)
    datapoints_to_alarm = optional(number, 2)
  }))
  default = {}

  validation {
    condition     = alltrue([for a in values(var.error_rates) : can(regex("^(arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:loadbalancer/)?app/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}$", a.load_balancer))])
    error_message = "load_balancer must be an Application Load Balancer ARN or its suffix app/<name>/<16 hex digits>."
  }

  validation {
    condition     = alltrue([for a in values(var.error_rates) : a.threshold_percent > 0 && a.threshold_percent < 100 && a.minimum_requests >= 1])
    error_message = "threshold_percent must be between 0 and 100 (exclusive) and minimum_requests at least 1."
  }

  validation {
    condition     = alltrue([for a in values(var.error_rates) : a.period >= 60 && a.period % 60 == 0 && a.period * a.evaluation_periods <= 86400])
    error_message = "period must be a multiple of 60 s (ALB metrics are per minute) and period x evaluation_periods at most one day."
  }

  validation {
    condition     = alltrue([for a in values(var.error_rates) : a.datapoints_to_alarm >= 1 && a.datapoints_to_alarm <= a.evaluation_periods])
    error_message = "datapoints_to_alarm must be between 1 and evaluation_periods."
  }
}

variable "drill_tags" {
  description = "Tags that mark the resources a DR drill may touch (the alarms, read as stop conditions and evidence)."
  type        = map(string)
  default     = { DrillEligible = "true" }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
