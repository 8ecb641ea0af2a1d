variable "bucket_name" {
  description = "Name of the state bucket (one per account; keys are stacks/<stack>/terraform.tfstate)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name)) && !strcontains(var.bucket_name, "..")
    error_message = "bucket_name must be a valid S3 bucket name (3 to 63 lower-case letters, digits, dots or dashes)."
  }
}

variable "lock_table_name" {
  description = "Name of the DynamoDB lock table (hash key LockID)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{3,255}$", var.lock_table_name))
    error_message = "lock_table_name must be 3 to 255 letters, digits, '_', '-' or '.'."
  }
}

variable "create_kms_key" {
  description = "Create a dedicated KMS key for the bucket and the table; false uses kms_key_arn."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "KMS key for the bucket and the table when create_kms_key is false."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN or null."
  }
}

variable "state_writer_arns" {
  description = "Roles allowed to read and write state (for example each account's platform-ops role). They are granted key use."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.state_writer_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:", arn))])
    error_message = "state_writer_arns must be IAM ARNs."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days old state versions are kept (they are the undo of a bad apply)."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days >= 30
    error_message = "noncurrent_version_expiration_days must be at least 30: old state versions are the way back."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
