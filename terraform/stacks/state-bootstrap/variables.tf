variable "region" {
  description = "Region of the state bucket and lock table (the Region every stack's backend points at)."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must look like eu-west-1."
  }
}

variable "bucket_prefix" {
  description = "State bucket name is <bucket_prefix>-<account id> (the registry's terraform.state.bucket_prefix)."
  type        = string
  default     = "platform-ops-tfstate"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{2,49}$", var.bucket_prefix))
    error_message = "bucket_prefix must be 3 to 50 lower-case letters, digits or dashes."
  }
}

variable "lock_table_name" {
  description = "DynamoDB lock table (the registry's terraform.state.lock_table)."
  type        = string
  default     = "platform-ops-tflock"

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{3,255}$", var.lock_table_name))
    error_message = "lock_table_name must be 3 to 255 letters, digits, '_', '-' or '.'."
  }
}

variable "state_writer_role_names" {
  description = "Roles of this account that run Terraform (granted use of the state key)."
  type        = list(string)
  default     = ["platform-ops"]
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
