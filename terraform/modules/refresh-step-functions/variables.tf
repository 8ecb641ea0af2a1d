variable "name_prefix" {
  description = "Prefix of the state machines (<prefix>-<module>-<name>, e.g. refresh-db-share_snapshot), the execution role, the log group and the event queue."
  type        = string
  default     = "refresh"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.name_prefix))
    error_message = "name_prefix must be 1 to 31 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "definitions_dir" {
  description = "Directory of the ASL definitions (the repository's asl/): every <module>/<name>.asl.json under it is deployed as it is, read with file()."
  type        = string
}

variable "machines" {
  description = "Which definitions to deploy, as <module>/<name> (e.g. db/share_snapshot). null: every *.asl.json under definitions_dir."
  type        = list(string)
  default     = null

  validation {
    condition     = var.machines == null || alltrue([for m in coalesce(var.machines, []) : can(regex("^[a-z]+/[a-z0-9_]+$", m))])
    error_message = "machines must be <module>/<name> entries such as db/share_snapshot."
  }
}

variable "source_role_arn" {
  description = "The source (production) role the machines assume (refresh-source-account's role_arn)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.source_role_arn))
    error_message = "source_role_arn must be an IAM role ARN."
  }
}

variable "destination_role_arns" {
  description = "The destination roles the machines assume (refresh-destination-account's role_arn in each destination)."
  type        = list(string)

  validation {
    condition     = length(var.destination_role_arns) > 0 && alltrue([for arn in var.destination_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", arn))])
    error_message = "destination_role_arns must be one or more IAM role ARNs."
  }
}

variable "log_level" {
  description = "Execution logging level (ALL, ERROR, FATAL)."
  type        = string
  default     = "ALL"

  validation {
    condition     = contains(["ALL", "ERROR", "FATAL"], var.log_level)
    error_message = "log_level must be ALL, ERROR or FATAL."
  }
}

variable "include_execution_data" {
  description = "Log execution input and output. Off by default: a refresh's input and state carry connection details (hosts, secret ARNs, bucket names)."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of the execution log group."
  type        = number
  default     = 365
}

variable "log_kms_key_arn" {
  description = "Customer managed KMS key of the execution log group (its key policy must allow logs.<region>.amazonaws.com). null: CloudWatch Logs' own encryption."
  type        = string
  default     = null
}

variable "xray_tracing" {
  description = "X-Ray tracing of the executions (adds the X-Ray write actions to the execution role)."
  type        = bool
  default     = false
}

variable "event_queue" {
  description = "The native-events queue of the event-driven waits: EventBridge rule on these machines' terminal status events -> SQS (module native-events). false: no rule and queue."
  type        = bool
  default     = true
}

variable "event_dlq_alarm_actions" {
  description = "Actions (e.g. the platform's SNS topic ARN) of the alarm on the event queue's dead-letter queue."
  type        = list(string)
  default     = []
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of the execution role, if the account requires one."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}
