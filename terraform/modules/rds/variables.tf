variable "identifier" {
  description = "Identifier of the DB instance; prefixes its subnet group, security group and parameter group."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,61}[a-z0-9]$", var.identifier)) && !strcontains(var.identifier, "--")
    error_message = "identifier must be 2 to 63 lower-case letters, digits or single dashes, starting with a letter."
  }
}

variable "engine_version" {
  description = "PostgreSQL version (major.minor)."
  type        = string
  default     = "16.4"

  validation {
    condition     = can(regex("^1[2-9]\\.[0-9]+$", var.engine_version))
    error_message = "engine_version must be a PostgreSQL major.minor version such as 16.4."
  }
}

variable "instance_class" {
  description = "Instance class."
  type        = string
  default     = "db.t4g.micro"

  validation {
    condition     = startswith(var.instance_class, "db.")
    error_message = "instance_class must be an RDS instance class such as db.t4g.micro."
  }
}

variable "allocated_storage" {
  description = "Initial storage in GiB."
  type        = number
  default     = 20

  validation {
    condition     = var.allocated_storage >= 20 && var.allocated_storage <= 65536
    error_message = "allocated_storage must be between 20 and 65536 GiB."
  }
}

variable "max_allocated_storage" {
  description = "Upper bound of storage autoscaling in GiB (0 turns autoscaling off)."
  type        = number
  default     = 100

  validation {
    condition     = var.max_allocated_storage == 0 || (var.max_allocated_storage >= var.allocated_storage && var.max_allocated_storage <= 65536)
    error_message = "max_allocated_storage must be 0 or between allocated_storage and 65536."
  }
}

variable "multi_az" {
  description = "Run a synchronous standby in a second AZ with automatic failover."
  type        = bool
  default     = false
}

variable "database_name" {
  description = "Name of the database created with the instance."
  type        = string
  default     = "app"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.database_name))
    error_message = "database_name must start with a letter and hold up to 63 lower-case letters, digits or underscores."
  }
}

variable "master_username" {
  description = "Master user name (not a secret; RDS generates the password and keeps it in Secrets Manager)."
  type        = string
  default     = "platform_admin"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.master_username)) && !contains(["admin", "postgres", "rdsadmin"], var.master_username)
    error_message = "master_username must be lower-case letters, digits or underscores, start with a letter, and not be a reserved name."
  }
}

variable "kms_key_arn" {
  description = "KMS key for storage, Performance Insights and the master user secret."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "vpc_id" {
  description = "VPC of the instance."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "subnet_ids" {
  description = "Private subnets of the DB subnet group (at least two AZs)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must list at least two subnets in different AZs."
  }
}

variable "allowed_security_groups" {
  description = "Security groups allowed to connect on 5432, by a static label (for example { eks_nodes = <node security group> })."
  type        = map(string)
  default     = {}
}

variable "backup_retention_period" {
  description = "Days of automated backups."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_period >= 1 && var.backup_retention_period <= 35
    error_message = "backup_retention_period must be between 1 and 35."
  }
}

variable "backup_window" {
  description = "Daily backup window (UTC)."
  type        = string
  default     = "03:00-04:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.backup_window))
    error_message = "backup_window must look like 03:00-04:00."
  }
}

variable "maintenance_window" {
  description = "Weekly maintenance window (UTC); must not overlap the backup window."
  type        = string
  default     = "sun:04:30-sun:05:30"

  validation {
    condition     = can(regex("^(mon|tue|wed|thu|fri|sat|sun):[0-2][0-9]:[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):[0-2][0-9]:[0-5][0-9]$", var.maintenance_window))
    error_message = "maintenance_window must look like sun:04:00-sun:05:00."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the instance."
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

variable "log_min_duration_statement_ms" {
  description = "Statements slower than this (ms) are logged; -1 turns slow-query logging off."
  type        = number
  default     = 1000
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
