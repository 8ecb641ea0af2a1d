variable "function_name" {
  description = "Name of the function (and prefix of its role and log group)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,56}$", var.function_name))
    error_message = "function_name must be 1 to 56 letters, digits, '_' or '-' (the role name adds '-role')."
  }
}

variable "description" {
  description = "What the function does (shown in the Lambda console)."
  type        = string
}

variable "zip_path" {
  description = "Path of the zip built by `python -m platform_ops.refresh.lambda_package`."
  type        = string
}

variable "zip_sha256" {
  description = "filebase64sha256 of the zip (the package command prints it): a new hash is a new code version."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+/]{43}=$", var.zip_sha256))
    error_message = "zip_sha256 must be a base64 SHA-256 (filebase64sha256 of the zip)."
  }
}

variable "subnet_ids" {
  description = "Private subnets of the function (it reaches the database or mounts EFS there)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) > 0 && alltrue([for id in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", id))])
    error_message = "subnet_ids must be one or more subnet IDs."
  }
}

variable "security_group_ids" {
  description = "Security groups of the function's network interfaces."
  type        = list(string)

  validation {
    condition     = length(var.security_group_ids) > 0 && alltrue([for id in var.security_group_ids : can(regex("^sg-[0-9a-f]+$", id))])
    error_message = "security_group_ids must be one or more security group IDs."
  }
}

variable "timeout_seconds" {
  description = "Function timeout."
  type        = number
  default     = 300

  validation {
    condition     = var.timeout_seconds >= 1 && var.timeout_seconds <= 900
    error_message = "timeout_seconds must be 1 to 900."
  }
}

variable "memory_mb" {
  description = "Function memory."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_mb >= 128 && var.memory_mb <= 10240
    error_message = "memory_mb must be 128 to 10240."
  }
}

variable "environment" {
  description = "Environment variables of the function (no secret: secrets are read from Secrets Manager at run time)."
  type        = map(string)
  default     = {}
}

variable "policy_statements" {
  description = "Extra IAM statements of the function's own role ({sid, actions, resources}); the role always gets VPC network interfaces and its log group."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
  }))
  default = []
}

variable "efs_file_system_arns" {
  description = "EFS file systems the function may mount through an access point (elasticfilesystem:ClientMount/ClientWrite, only through an access point). Empty: no EFS rights."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.efs_file_system_arns : can(regex("^arn:aws[a-z-]*:elasticfilesystem:", arn))])
    error_message = "efs_file_system_arns must be EFS file system ARNs."
  }
}

variable "efs_access_point_arn" {
  description = "EFS access point mounted at /mnt/efs from the start (a file system that exists before the refresh, e.g. production's for check_flag_file). null: no static mount; the machines attach one at run time (efs/get_subpath_and_store_in_ssm)."
  type        = string
  default     = null

  validation {
    condition     = var.efs_access_point_arn == null || can(regex("^arn:aws[a-z-]*:elasticfilesystem:[a-z0-9-]+:[0-9]{12}:access-point/fsap-[0-9a-f]+$", var.efs_access_point_arn))
    error_message = "efs_access_point_arn must be an EFS access point ARN."
  }
}

variable "log_retention_days" {
  description = "Retention of the function's log group."
  type        = number
  default     = 365
}

variable "log_kms_key_arn" {
  description = "Customer managed KMS key of the log group (null: CloudWatch Logs' own encryption)."
  type        = string
  default     = null
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of the function's role, if the account requires one."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}
