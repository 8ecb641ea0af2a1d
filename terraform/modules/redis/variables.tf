variable "name" {
  description = "Replication group ID; prefixes the users, user group, subnet group and parameter group."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,35}[a-z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "name must be 2 to 37 lower-case letters, digits or single dashes, starting with a letter."
  }
}

variable "engine_version" {
  description = "Redis OSS engine version."
  type        = string
  default     = "7.1"

  validation {
    condition     = can(regex("^7\\.[0-9]+$", var.engine_version))
    error_message = "engine_version must be a Redis 7 version such as 7.1 (IAM authentication needs 7 or later)."
  }
}

variable "node_type" {
  description = "Cache node type."
  type        = string
  default     = "cache.t4g.micro"

  validation {
    condition     = startswith(var.node_type, "cache.")
    error_message = "node_type must be an ElastiCache node type such as cache.t4g.micro."
  }
}

variable "num_cache_clusters" {
  description = "Nodes in the replication group: one primary and at least one replica in another AZ (automatic failover and Multi-AZ are always on)."
  type        = number
  default     = 2

  validation {
    condition     = var.num_cache_clusters >= 2 && var.num_cache_clusters <= 6
    error_message = "num_cache_clusters must be between 2 and 6 (a replica is needed for automatic failover)."
  }
}

variable "maxmemory_policy" {
  description = "Eviction policy when memory is full."
  type        = string
  default     = "allkeys-lru"

  validation {
    condition     = contains(["volatile-lru", "allkeys-lru", "volatile-lfu", "allkeys-lfu", "volatile-random", "allkeys-random", "volatile-ttl", "noeviction"], var.maxmemory_policy)
    error_message = "maxmemory_policy must be a Redis eviction policy such as allkeys-lru."
  }
}

variable "kms_key_arn" {
  description = "KMS key for data at rest and the slow-log group (its policy must allow logs.<region>.amazonaws.com)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "vpc_id" {
  description = "VPC of the cache."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "subnet_ids" {
  description = "Private subnets of the cache subnet group."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must list at least two subnets in different AZs."
  }
}

variable "allowed_security_groups" {
  description = "Security groups allowed to connect on 6379, by a static label (for example { eks_nodes = <node security group> })."
  type        = map(string)
  default     = {}
}

variable "app_user_name" {
  description = "RBAC user the application signs in as with IAM authentication (elasticache:Connect). No password exists."
  type        = string
  default     = "app"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.app_user_name)) && var.app_user_name != "default"
    error_message = "app_user_name must be 1 to 31 lower-case letters, digits or dashes, start with a letter, and not be default."
  }
}

variable "app_access_string" {
  description = "Redis ACL rules of the application user."
  type        = string
  default     = "on ~* +@all -@dangerous"
}

variable "snapshot_retention_limit" {
  description = "Days of automatic snapshots (0 turns them off)."
  type        = number
  default     = 7

  validation {
    condition     = var.snapshot_retention_limit >= 0 && var.snapshot_retention_limit <= 35
    error_message = "snapshot_retention_limit must be between 0 and 35."
  }
}

variable "snapshot_window" {
  description = "Daily snapshot window (UTC)."
  type        = string
  default     = "03:00-04:00"
}

variable "maintenance_window" {
  description = "Weekly maintenance window (UTC)."
  type        = string
  default     = "sun:05:00-sun:06:00"
}

variable "log_retention_in_days" {
  description = "Retention of the slow-log group, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, ... 3653)."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
