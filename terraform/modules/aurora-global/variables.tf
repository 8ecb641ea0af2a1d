variable "name" {
  description = "Global cluster identifier; also prefixes the Regional clusters (<name>-<region>)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,40}[a-z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "name must be 2 to 42 lower-case letters, digits or single dashes, starting with a letter."
  }
}

variable "engine_version" {
  description = "Aurora PostgreSQL version of every cluster (primary and secondary must match for switchover and failover)."
  type        = string
  default     = "16.6"

  validation {
    condition     = can(regex("^1[1-9]\\.[0-9]+$", var.engine_version))
    error_message = "engine_version must be an Aurora PostgreSQL major.minor version such as 16.6."
  }
}

variable "database_name" {
  description = "Name of the database created in the primary cluster."
  type        = string
  default     = "app"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.database_name))
    error_message = "database_name must start with a letter and hold up to 63 lower-case letters, digits or underscores."
  }
}

variable "master_username" {
  description = "Master user name (not a secret; the password is generated and kept in Secrets Manager only)."
  type        = string
  default     = "platform_admin"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,15}$", var.master_username)) && !contains(["admin", "postgres", "rdsadmin"], var.master_username)
    error_message = "master_username must be 1 to 16 lower-case letters, digits or underscores, start with a letter, and not be a reserved name."
  }
}

variable "master_password_version" {
  description = "Bump to generate a new master password (written to the cluster and the secret in the same apply)."
  type        = number
  default     = 1

  validation {
    condition     = var.master_password_version >= 1 && floor(var.master_password_version) == var.master_password_version
    error_message = "master_password_version must be a whole number >= 1."
  }
}

variable "instance_class" {
  description = "Instance class of every cluster instance (the secondary must be able to take the primary's load)."
  type        = string
  default     = "db.r6g.large"

  validation {
    condition     = startswith(var.instance_class, "db.")
    error_message = "instance_class must be an RDS instance class such as db.r6g.large."
  }
}

variable "primary" {
  description = "Network and size of the cluster in the primary Region (the aws.primary provider). allowed_security_groups maps a static label to a security group ID allowed on 5432."
  type = object({
    vpc_id                  = string
    subnet_ids              = list(string)
    allowed_security_groups = optional(map(string), {})
    allowed_cidr_blocks     = optional(list(string), [])
    instance_count          = optional(number, 2)
  })

  validation {
    condition     = length(var.primary.subnet_ids) >= 2 && var.primary.instance_count >= 1 && var.primary.instance_count <= 15
    error_message = "primary needs at least two subnets and 1 to 15 instances."
  }
}

variable "secondary" {
  description = "Network and size of the cluster in the secondary Region (the aws.secondary provider). It needs an instance to be promotable."
  type = object({
    vpc_id                  = string
    subnet_ids              = list(string)
    allowed_security_groups = optional(map(string), {})
    allowed_cidr_blocks     = optional(list(string), [])
    instance_count          = optional(number, 1)
  })

  validation {
    condition     = length(var.secondary.subnet_ids) >= 2 && var.secondary.instance_count >= 1 && var.secondary.instance_count <= 15
    error_message = "secondary needs at least two subnets and 1 to 15 instances (a headless secondary cannot be promoted)."
  }
}

variable "backup_retention_period" {
  description = "Days of automated backups (point-in-time recovery window) in each Region."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_period >= 1 && var.backup_retention_period <= 35
    error_message = "backup_retention_period must be between 1 and 35."
  }
}

variable "preferred_backup_window" {
  description = "Daily backup window (UTC), hh24:mi-hh24:mi."
  type        = string
  default     = "03:00-04:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.preferred_backup_window))
    error_message = "preferred_backup_window must look like 03:00-04:00."
  }
}

variable "preferred_maintenance_window" {
  description = "Weekly maintenance window (UTC), ddd:hh24:mi-ddd:hh24:mi; must not overlap the backup window."
  type        = string
  default     = "sun:04:30-sun:05:30"

  validation {
    condition     = can(regex("^(mon|tue|wed|thu|fri|sat|sun):[0-2][0-9]:[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):[0-2][0-9]:[0-5][0-9]$", var.preferred_maintenance_window))
    error_message = "preferred_maintenance_window must look like sun:04:30-sun:05:30."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the global cluster and its clusters."
  type        = bool
  default     = true
}

variable "monitoring_interval" {
  description = "Enhanced Monitoring interval in seconds (0 turns it off)."
  type        = number
  default     = 60

  validation {
    condition     = contains([0, 1, 5, 10, 15, 30, 60], var.monitoring_interval)
    error_message = "monitoring_interval must be one of 0, 1, 5, 10, 15, 30, 60."
  }
}

variable "performance_insights_retention_period" {
  description = "Performance Insights retention in days (7, or a multiple of 31 up to 731)."
  type        = number
  default     = 7

  validation {
    condition     = var.performance_insights_retention_period == 7 || var.performance_insights_retention_period == 731 || (var.performance_insights_retention_period % 31 == 0 && var.performance_insights_retention_period <= 713)
    error_message = "performance_insights_retention_period must be 7, 731, or a multiple of 31 up to 713."
  }
}

variable "log_min_duration_statement_ms" {
  description = "Statements slower than this (ms) are logged; -1 turns slow-query logging off."
  type        = number
  default     = 1000
}

variable "drill_tags" {
  description = "Tags that mark the resources a DR drill may touch (the global cluster and both Regional clusters)."
  type        = map(string)
  default     = { DrillEligible = "true" }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
