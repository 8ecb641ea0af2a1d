variable "name_prefix" {
  description = "Prefix of the role and the history table."
  type        = string
  default     = "refresh"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.name_prefix))
    error_message = "name_prefix must be 1 to 31 lowercase letters, digits or '-', starting with a letter."
  }
}

variable "trusted_principal_arns" {
  description = "Principals that assume this role for Airflow's refresh connection (the Airflow workers' role)."
  type        = list(string)

  validation {
    condition     = length(var.trusted_principal_arns) > 0 && alltrue([for arn in var.trusted_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/.+$", arn))])
    error_message = "trusted_principal_arns must be one or more IAM role or user ARNs."
  }
}

variable "state_machine_arns" {
  description = "The refresh state machines (refresh-step-functions' state_machine_arns values): the only machines Airflow may start, watch and stop."
  type        = list(string)

  validation {
    condition     = length(var.state_machine_arns) > 0 && alltrue([for arn in var.state_machine_arns : can(regex("^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]+$", arn))])
    error_message = "state_machine_arns must be unqualified state machine ARNs."
  }
}

variable "event_queue_arn" {
  description = "The native-events queue of these machines (refresh-step-functions' event_queue_arn): receive and delete only."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:.+$", var.event_queue_arn))
    error_message = "event_queue_arn must be an SQS queue ARN."
  }
}

variable "history_kms_key_arn" {
  description = "Customer managed KMS key of the history table (null: DynamoDB's AWS owned key)."
  type        = string
  default     = null
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of the role, if the account requires one."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}
