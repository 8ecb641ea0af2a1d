variable "name_prefix" {
  description = "Prefix of the role, the helper Lambdas and their roles."
  type        = string
  default     = "refresh"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.name_prefix))
    error_message = "name_prefix must be 1 to 31 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "create_role" {
  description = "Create the destination role. false: attach the policy to existing_role_name instead (its trust policy is then yours to keep right)."
  type        = bool
  default     = true
}

variable "existing_role_name" {
  description = "Existing role that receives the destination policy when create_role is false."
  type        = string
  default     = null

  validation {
    condition     = var.existing_role_name == null || can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.existing_role_name))
    error_message = "existing_role_name must be an IAM role name."
  }
}

variable "trusted_role_arns" {
  description = "Roles allowed to assume the destination role: the Step Functions execution role of the refresh-step-functions module (shared-services account). Trust names their account and matches the role by aws:PrincipalArn, so this stack can be applied before that role exists."
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

variable "source_kms_key_arns" {
  description = "KMS keys of the source account that encrypt the shared snapshots: restoring one needs kms:CreateGrant and kms:DescribeKey on it (the source key policy or share_snapshot's grant allows the rest)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.source_kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", arn))])
    error_message = "source_kms_key_arns must be KMS key ARNs."
  }
}

variable "kms_key_arns" {
  description = "KMS keys of this account the refresh encrypts with: restored clusters (KmsKeyId), new file systems, RDS-managed master secrets."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", arn))])
    error_message = "kms_key_arns must be KMS key ARNs."
  }
}

variable "sql_bucket_arns" {
  description = "S3 buckets holding post-restore SQL scripts (run_sql_from_s3 lists them, the run_sql Lambda reads them)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.sql_bucket_arns : can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9.-]+$", arn))])
    error_message = "sql_bucket_arns must be S3 bucket ARNs."
  }
}

variable "export_bucket_arn" {
  description = "S3 bucket the run_sql Lambda may write SELECT results to (null: no export right)."
  type        = string
  default     = null
}

variable "pass_role_arns" {
  description = "Roles the destination role may hand to a service: the Aurora S3-integration role (rds.amazonaws.com, configure_s3_integration) and the AWS Backup restore role (backup.amazonaws.com, restore_from_backup)."
  type = object({
    rds    = optional(list(string), [])
    backup = optional(list(string), [])
  })
  default = {}
}

variable "ssm_parameter_prefix" {
  description = "SSM parameter path get_subpath_and_store_in_ssm writes under (ssm:PutParameter only there)."
  type        = string
  default     = "/refresh/"

  validation {
    condition     = startswith(var.ssm_parameter_prefix, "/") && endswith(var.ssm_parameter_prefix, "/")
    error_message = "ssm_parameter_prefix must start and end with '/'."
  }
}

variable "lambda_packages" {
  description = "The helper zips by name (run_sql, get_efs_subpath, check_flag_file): path and filebase64sha256, as printed by `python -m platform_ops.refresh.lambda_package`."
  type = map(object({
    zip_path   = string
    zip_sha256 = string
  }))

  validation {
    condition     = length(setsubtract(["run_sql", "get_efs_subpath", "check_flag_file"], keys(var.lambda_packages))) == 0
    error_message = "lambda_packages must have run_sql, get_efs_subpath and check_flag_file."
  }
}

variable "lambda_subnet_ids" {
  description = "Private subnets of the helper Lambdas (reach the Aurora cluster and the EFS mount targets)."
  type        = list(string)
}

variable "lambda_security_group_ids" {
  description = "Security groups of the helper Lambdas."
  type        = list(string)
}

variable "run_sql_secret_arns" {
  description = "Secrets the run_sql Lambda may read (the RDS-managed master secret of the refreshed cluster). Default: RDS-managed secrets of this account and Region (names start with rds!)."
  type        = list(string)
  default     = null
}

variable "run_sql_tls" {
  description = "DB_TLS of the run_sql Lambda: verify (TLS with the bundled CA) or off."
  type        = string
  default     = "verify"

  validation {
    condition     = contains(["verify", "off"], var.run_sql_tls)
    error_message = "run_sql_tls must be verify or off."
  }
}

variable "eks_access" {
  description = "EKS access entry for the Kubernetes jobs (runJob/call of the dump, import, archive and storage machines): the destination role gets the given access policy on these namespaces of the cluster. null: no access entry."
  type = object({
    cluster_name      = string
    namespaces        = list(string)
    access_policy_arn = optional(string, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy")
  })
  default = null
}

variable "log_retention_days" {
  description = "Retention of the helper Lambdas' log groups."
  type        = number
  default     = 365
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
