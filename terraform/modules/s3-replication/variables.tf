variable "source_bucket_name" {
  description = "Name of the versioned source bucket in the primary Region (aws.primary)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.source_bucket_name)) && !strcontains(var.source_bucket_name, "..")
    error_message = "source_bucket_name must be a valid S3 bucket name (3 to 63 lower-case letters, digits, dots or dashes)."
  }
}

variable "destination_bucket_name" {
  description = "Name of the versioned replica bucket in the secondary Region (aws.secondary)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.destination_bucket_name)) && !strcontains(var.destination_bucket_name, "..")
    error_message = "destination_bucket_name must be a valid S3 bucket name (3 to 63 lower-case letters, digits, dots or dashes)."
  }
}

variable "source_kms_key_arn" {
  description = "KMS key (primary Region) encrypting the source bucket."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.source_kms_key_arn))
    error_message = "source_kms_key_arn must be a KMS key ARN."
  }
}

variable "destination_kms_key_arn" {
  description = "KMS key (secondary Region) encrypting the replica bucket and the replicated objects."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.destination_kms_key_arn))
    error_message = "destination_kms_key_arn must be a KMS key ARN."
  }
}

variable "replication_rule_id" {
  description = "ID of the replication rule (a dimension of the S3 replication metrics)."
  type        = string
  default     = "replicate-everything"

  validation {
    condition     = length(var.replication_rule_id) > 0 && length(var.replication_rule_id) <= 255
    error_message = "replication_rule_id must be 1 to 255 characters."
  }
}

variable "replication_time_minutes" {
  description = "S3 Replication Time Control: objects are replicated within this many minutes (S3 only offers 15)."
  type        = number
  default     = 15

  validation {
    condition     = var.replication_time_minutes == 15
    error_message = "S3 Replication Time Control only supports 15 minutes."
  }
}

variable "replica_storage_class" {
  description = "Storage class of the replicas."
  type        = string
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR"], var.replica_storage_class)
    error_message = "replica_storage_class must be STANDARD, STANDARD_IA, INTELLIGENT_TIERING, ONEZONE_IA or GLACIER_IR."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which non-current object versions are deleted in both buckets."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1
    error_message = "noncurrent_version_expiration_days must be at least 1."
  }
}

variable "force_destroy" {
  description = "Allow terraform destroy to empty the buckets (never in production)."
  type        = bool
  default     = false
}

variable "drill_tags" {
  description = "Tags that mark the resources a DR drill may touch (both buckets: replication can be paused in a drill)."
  type        = map(string)
  default     = { DrillEligible = "true" }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
