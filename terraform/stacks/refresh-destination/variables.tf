variable "environment" {
  description = "The destination's environment (the registry stack is refresh-<environment>): the Environment and Stack tags. Never production: a refresh overwrites its destination."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.environment)) && !contains(["production", "prod"], var.environment)
    error_message = "environment must be 1 to 31 lower-case letters, digits or '-' (e.g. staging, dev), and not production."
  }
}

variable "region" {
  description = "AWS Region of the destination clusters (the production Region: snapshots are shared within a Region)."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}-[a-z]+-[0-9]$", var.region))
    error_message = "region must look like eu-west-1."
  }
}

variable "name_prefix" {
  description = "Prefix of the destination role (<prefix>-destination) and the helper Lambdas; the same prefix as the other refresh stacks."
  type        = string
  default     = "refresh"
}

variable "execution_role_arn" {
  description = "The refresh state machines' execution role in shared services (arn:aws:iam::<shared-services>:role/<prefix>-sfn-execution): the only principal the destination role trusts. It need not exist yet."
  type        = string
}

variable "source_kms_key_arns" {
  description = "Production KMS keys of the shared snapshots (restoring an encrypted shared snapshot needs them)."
  type        = list(string)
  default     = []
}

variable "kms_key_arns" {
  description = "KMS keys of this account for restored clusters, new file systems and RDS-managed master secrets."
  type        = list(string)
  default     = []
}

variable "sql_bucket_arns" {
  description = "S3 buckets of the post-restore SQL scripts (run_sql_from_s3)."
  type        = list(string)
  default     = []
}

variable "pass_role_arns" {
  description = "Aurora S3-integration role(s) and AWS Backup restore role(s) the destination role may pass (see the module)."
  type = object({
    rds    = optional(list(string), [])
    backup = optional(list(string), [])
  })
  default = {}
}

variable "lambda_subnet_ids" {
  description = "Private subnets of the helper Lambdas (they reach the refreshed cluster and the EFS mount targets)."
  type        = list(string)
}

variable "lambda_security_group_ids" {
  description = "Security groups of the helper Lambdas."
  type        = list(string)
}

variable "eks_access" {
  description = "EKS access entry for the dump/import/archive/storage jobs (cluster_name, namespaces, optional access_policy_arn); null: none."
  type = object({
    cluster_name      = string
    namespaces        = list(string)
    access_policy_arn = optional(string, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy")
  })
  default = null
}

variable "lambda_dir" {
  description = "Directory of the built Lambda zips (null: build/lambdas of the repository, where `make test` and `python -m platform_ops.refresh.lambda_package` put them)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
