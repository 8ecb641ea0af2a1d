variable "name" {
  description = "Name of the key; the alias becomes alias/<name>."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9/_-]{1,200}$", var.name)) && !startswith(var.name, "aws/")
    error_message = "name may hold letters, digits, '/', '_' and '-' (up to 200) and must not start with aws/."
  }
}

variable "description" {
  description = "What the key protects; shown in the KMS console."
  type        = string
  default     = "Managed by Terraform"
}

variable "deletion_window_in_days" {
  description = "Waiting period before a scheduled deletion removes the key (7 to 30 days)."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "deletion_window_in_days must be between 7 and 30."
  }
}

variable "rotation_period_in_days" {
  description = "Days between automatic rotations of the key material (90 to 2560). Rotation is always on."
  type        = number
  default     = 365

  validation {
    condition     = var.rotation_period_in_days >= 90 && var.rotation_period_in_days <= 2560
    error_message = "rotation_period_in_days must be between 90 and 2560."
  }
}

variable "key_administrator_arns" {
  description = "IAM principals that administer the key. Empty means the account root, which delegates to IAM policies."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.key_administrator_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:", arn))])
    error_message = "key_administrator_arns must be IAM ARNs."
  }
}

variable "key_user_arns" {
  description = "IAM principals allowed to encrypt and decrypt with the key directly."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.key_user_arns : can(regex("^arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:", arn))])
    error_message = "key_user_arns must be IAM or STS ARNs."
  }
}

variable "allowed_services" {
  description = <<-EOT
    AWS service principals (for example rds.amazonaws.com, logs.eu-west-1.amazonaws.com, cloudwatch.amazonaws.com)
    that may use the key for this account only: log groups of this account for logs.<region>, aws:SourceAccount for
    cloudwatch, sns and cloudfront, kms:ViaService + kms:CallerAccount for every other service.
  EOT
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.allowed_services : can(regex("^[a-z0-9.-]+\\.amazonaws\\.com$", s))])
    error_message = "allowed_services must be service principals such as rds.amazonaws.com."
  }
}

variable "multi_region" {
  description = "Create a multi-Region primary key (needed only when replicas in other Regions must decrypt the same ciphertext)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for the key."
  type        = map(string)
  default     = {}
}
