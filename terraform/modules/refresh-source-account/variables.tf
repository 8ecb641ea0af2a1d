variable "name_prefix" {
  description = "Prefix of the role (and of the optional flag-file helper Lambda)."
  type        = string
  default     = "refresh"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.name_prefix))
    error_message = "name_prefix must be 1 to 31 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "create_role" {
  description = "Create the source role. false: attach the policy to existing_role_name instead (its trust policy is then yours to keep right)."
  type        = bool
  default     = true
}

variable "existing_role_name" {
  description = "Existing role that receives the source policy when create_role is false."
  type        = string
  default     = null

  validation {
    condition     = var.existing_role_name == null || can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.existing_role_name))
    error_message = "existing_role_name must be an IAM role name."
  }
}

variable "trusted_role_arns" {
  description = "Roles allowed to assume the source role: the Step Functions execution role of the refresh-step-functions module (shared-services account). Trust names their account and matches the role by aws:PrincipalArn, so this stack can be applied before that role exists."
  type        = list(string)

  validation {
    condition     = length(var.trusted_role_arns) > 0 && alltrue([for arn in var.trusted_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", arn))])
    error_message = "trusted_role_arns must be one or more IAM role ARNs."
  }
}

variable "external_id" {
  description = "sts:ExternalId the assuming role must present (null: no ExternalId condition). Step Functions' Credentials field cannot pass one, so set it only for roles used by other callers."
  type        = string
  default     = null
  sensitive   = true
}

variable "destination_role_arns" {
  description = "Destination roles that may receive a KMS grant on the snapshot keys (kms:GranteePrincipal)."
  type        = list(string)

  validation {
    condition     = length(var.destination_role_arns) > 0 && alltrue([for arn in var.destination_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", arn))])
    error_message = "destination_role_arns must be one or more IAM role ARNs."
  }
}

variable "snapshot_kms_key_arns" {
  description = "Customer managed KMS keys of the production clusters' snapshots. The role may describe them and create grants on them for the destination roles only. Empty: unencrypted snapshots only."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.snapshot_kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", arn))])
    error_message = "snapshot_kms_key_arns must be KMS key ARNs."
  }
}

variable "cluster_identifiers" {
  description = "Production clusters whose snapshots the refresh may take (rds:CreateDBClusterSnapshot on these only)."
  type        = list(string)

  validation {
    condition     = length(var.cluster_identifiers) > 0
    error_message = "cluster_identifiers must name at least one cluster."
  }
}

variable "snapshot_prefix" {
  description = "Prefix of the manual snapshots the refresh creates and shares (rds create/share rights on cluster-snapshot:<prefix>* only)."
  type        = string
  default     = "refresh-"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,40}$", var.snapshot_prefix))
    error_message = "snapshot_prefix must start with a letter and hold lowercase letters, digits or '-'."
  }
}

variable "pass_role_arns" {
  description = "Roles the source role may hand to a service: the AWS Backup copy role (backup.amazonaws.com, restore_from_backup's cross-account copy) and the EFS replication role (elasticfilesystem.amazonaws.com, setup_cross_account_replication)."
  type = object({
    backup            = optional(list(string), [])
    elasticfilesystem = optional(list(string), [])
  })
  default = {}
}

variable "flag_file_lambda" {
  description = "Source-side check_flag_file helper for check_replication_sync (it writes and deletes the flag on the production file system, mounted through efs_access_point_arn). null: no helper, and no lambda:InvokeFunction right."
  type = object({
    zip_path             = string
    zip_sha256           = string
    subnet_ids           = list(string)
    security_group_ids   = list(string)
    efs_access_point_arn = optional(string)
  })
  default = null
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of every role created here, if the account requires one."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}
