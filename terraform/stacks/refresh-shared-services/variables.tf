variable "region" {
  description = "AWS Region of the state machines (the Region of the clusters they refresh)."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}-[a-z]+-[0-9]$", var.region))
    error_message = "region must look like eu-west-1."
  }
}

variable "name_prefix" {
  description = "Prefix of the machines, the execution role (<prefix>-sfn-execution), the Airflow role and the history table; the same prefix as the other refresh stacks."
  type        = string
  default     = "refresh"
}

variable "definitions_dir" {
  description = "Directory of the ASL definitions (null: asl/ of the repository)."
  type        = string
  default     = null
}

variable "source_role_arn" {
  description = "refresh-production's source_role_arn output (arn:aws:iam::<production>:role/<prefix>-source)."
  type        = string
}

variable "destination_role_arns" {
  description = "refresh-staging's and refresh-dev's destination_role_arn outputs (arn:aws:iam::<account>:role/<prefix>-destination)."
  type        = list(string)
}

variable "airflow_principal_arns" {
  description = "The Airflow workers' role(s), which assume the refresh connection's role."
  type        = list(string)
}

variable "include_execution_data" {
  description = "Log execution input and output (off: they carry connection details)."
  type        = bool
  default     = false
}

variable "xray_tracing" {
  description = "X-Ray tracing of the executions."
  type        = bool
  default     = false
}

variable "event_dlq_alarm_actions" {
  description = "Actions (e.g. the platform's SNS topic ARN) of the alarm on the event queue's dead-letter queue."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
