variable "repository_name" {
  description = "Name of the repository."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$", var.repository_name)) && length(var.repository_name) <= 256
    error_message = "repository_name must be lower-case letters and digits separated by '.', '_', '-' or '/' (up to 256)."
  }
}

variable "kms_key_arn" {
  description = "KMS key of the repository; null uses the AWS managed aws/ecr key (still KMS)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN or null."
  }
}

variable "scan_on_push" {
  description = "Scan every pushed image for vulnerabilities."
  type        = bool
  default     = true
}

variable "keep_tagged_images" {
  description = "Number of tagged images kept; older ones expire."
  type        = number
  default     = 50

  validation {
    condition     = var.keep_tagged_images >= 1
    error_message = "keep_tagged_images must be at least 1."
  }
}

variable "untagged_image_expiry_days" {
  description = "Days after which untagged images expire."
  type        = number
  default     = 7

  validation {
    condition     = var.untagged_image_expiry_days >= 1
    error_message = "untagged_image_expiry_days must be at least 1."
  }
}

variable "pull_principal_arns" {
  description = "Other accounts or roles allowed to pull (for example the workload accounts)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.pull_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:", arn))])
    error_message = "pull_principal_arns must be IAM ARNs (arn:aws:iam::<account>:root or a role)."
  }
}

variable "tags" {
  description = "Tags for the repository."
  type        = map(string)
  default     = {}
}
