variable "region" {
  description = "AWS Region the stack lives in."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}-[a-z]+-[0-9]$", var.region))
    error_message = "region must look like eu-west-1."
  }
}

variable "environment" {
  description = "Environment name, used in tags."
  type        = string
  default     = "production"

  validation {
    condition     = contains(["dev", "staging", "production", "shared"], var.environment)
    error_message = "environment must be one of dev, staging, production, shared."
  }
}

variable "vpc_id" {
  description = "VPC of the Fargate tasks."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets with a network path to the SQL Server."
  type        = list(string)
}

variable "db_secret_arn" {
  description = "Secrets Manager secret with the ODBC connection string (filled outside Terraform)."
  type        = string
}

variable "db_secret_kms_key_arn" {
  description = "Customer managed KMS key of the secret, if any."
  type        = string
  default     = null
}

variable "db_cidr_blocks" {
  description = "Address ranges of the SQL Server (or of the proxy in front of it)."
  type        = list(string)
}

variable "vpc_endpoint_security_group_ids" {
  description = "Security groups of the ECR, Logs and Secrets Manager interface endpoints."
  type        = list(string)
  default     = []
}

variable "image_digest" {
  description = "Digest (sha256:...) of the derived image pushed to the stack's ECR repository."
  type        = string
}

variable "cpu" {
  description = "Fargate CPU units of the task."
  type        = number
  default     = 2048
}

variable "memory" {
  description = "Fargate memory (MiB) of the task."
  type        = number
  default     = 4096
}

variable "object_lock_enabled" {
  description = "Create the evidence bucket under S3 Object Lock (decided once, at creation)."
  type        = bool
  default     = true
}

variable "airflow_role_names" {
  description = "IAM roles of Airflow that get the DAG policy."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

variable "event_queue_parameter_name" {
  description = "SSM parameter that receives the native-events queue URL (config ecs.event_queue.ssm_parameter)."
  type        = string
  default     = "/platform-ops/sox-pg01/event-queue-url"

  validation {
    condition     = startswith(var.event_queue_parameter_name, "/")
    error_message = "event_queue_parameter_name must start with '/'."
  }
}

variable "event_dlq_alarm_actions" {
  description = "Actions (e.g. the platform's SNS topic ARN) of the alarm on the event queue's dead-letter queue."
  type        = list(string)
  default     = []
}
