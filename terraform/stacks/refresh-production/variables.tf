variable "region" {
  description = "AWS Region of the production clusters."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}-[a-z]+-[0-9]$", var.region))
    error_message = "region must look like eu-west-1."
  }
}

variable "name_prefix" {
  description = "Prefix of the source role (<prefix>-source); the same prefix as the other refresh stacks."
  type        = string
  default     = "refresh"
}

variable "execution_role_arn" {
  description = "The refresh state machines' execution role in shared services (arn:aws:iam::<shared-services>:role/<prefix>-sfn-execution): the only principal the source role trusts. It need not exist yet."
  type        = string
}

variable "destination_role_arns" {
  description = "Destination roles (arn:aws:iam::<staging|dev>:role/<prefix>-destination) that may receive KMS grants on the snapshot keys."
  type        = list(string)
}

variable "cluster_identifiers" {
  description = "Production Aurora clusters the refresh may snapshot."
  type        = list(string)
}

variable "snapshot_prefix" {
  description = "Prefix of the refresh's manual snapshots (the only snapshots the role may create, tag and share)."
  type        = string
  default     = "refresh-"
}

variable "snapshot_kms_key_arns" {
  description = "Customer managed KMS keys of the production clusters (empty: unencrypted clusters only)."
  type        = list(string)
  default     = []
}

variable "pass_role_arns" {
  description = "AWS Backup copy role(s) and EFS replication role(s) the source role may pass (see the module)."
  type = object({
    backup            = optional(list(string), [])
    elasticfilesystem = optional(list(string), [])
  })
  default = {}
}

variable "flag_file_lambda" {
  description = "Network of the source-side check_flag_file helper (check_replication_sync) and the access point of the production file system it mounts; null: no helper."
  type = object({
    subnet_ids           = list(string)
    security_group_ids   = list(string)
    efs_access_point_arn = optional(string)
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
