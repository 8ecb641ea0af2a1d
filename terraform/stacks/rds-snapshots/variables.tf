variable "environment" {
  description = "Environment of the target account, used in tags."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "production"], var.environment)
    error_message = "environment must be one of dev, staging, production."
  }
}

variable "region" {
  description = "Region of the databases that are snapshotted (the snapshot target's region)."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must look like eu-west-1."
  }
}

variable "dr_region" {
  description = "Region the snapshots are copied to (the snapshot target's dr_region); must differ from region."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.dr_region)) && var.dr_region != var.region
    error_message = "dr_region must look like us-east-1 and differ from region."
  }
}

variable "event_queue_name" {
  description = "Name of the snapshot event queue in both Regions (the snapshot target's event_queue); also the prefix of its dead-letter queue, rule (<name>-rds-snapshot) and alarm."
  type        = string
  default     = "platform-ops-rds-snapshot-events"

  validation {
    condition     = can(regex("^[a-zA-Z0-9][a-zA-Z0-9_-]{0,50}$", var.event_queue_name))
    error_message = "event_queue_name must be 1 to 51 letters, digits, '_' or '-' (the module's name_prefix)."
  }
}

variable "dr_kms_key_alias" {
  description = "Alias of the DR-Region key the copies are encrypted with (the snapshot target's dr_kms_key_alias)."
  type        = string
  default     = "alias/platform-ops-snapshots-dr"

  validation {
    condition     = can(regex("^alias/[A-Za-z0-9/_-]{1,200}$", var.dr_kms_key_alias)) && !startswith(var.dr_kms_key_alias, "alias/aws/")
    error_message = "dr_kms_key_alias must look like alias/<name> and must not be an AWS managed alias (alias/aws/...)."
  }
}

variable "key_administrator_arns" {
  description = "IAM principals that administer the DR key. Empty: the account root, which delegates to IAM policies."
  type        = list(string)
  default     = []
}

variable "dlq_alarm_actions" {
  description = "Actions (e.g. SNS topic ARNs of that Region) of the alarm on each Region's dead-letter queue depth."
  type = object({
    primary = optional(list(string), [])
    dr      = optional(list(string), [])
  })
  default = {}
}

variable "tags" {
  description = "Tags of every resource (the stack adds ManagedBy, Stack and Environment)."
  type        = map(string)
  default     = {}
}
