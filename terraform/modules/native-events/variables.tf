variable "name_prefix" {
  description = "Prefix of the queue, the dead-letter queue, the rules and the alarm."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9][a-zA-Z0-9_-]{0,50}$", var.name_prefix))
    error_message = "name_prefix must be 1 to 51 letters, digits, '_' or '-'."
  }
}

variable "state_machine_arns" {
  description = "State machines whose executions are waited for: their terminal \"Step Functions Execution Status Change\" events (SUCCEEDED, FAILED, TIMED_OUT, ABORTED) go to the queue. Empty: no Step Functions rule."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.state_machine_arns : can(regex("^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]+$", arn))])
    error_message = "state_machine_arns must be unqualified state machine ARNs (events carry the unqualified ARN)."
  }
}

variable "ecs_cluster_arns" {
  description = "ECS clusters whose tasks are waited for: their \"ECS Task State Change\" events with lastStatus STOPPED go to the queue. Empty: no ECS rule."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.ecs_cluster_arns : can(regex("^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:cluster/[A-Za-z0-9_-]+$", arn))])
    error_message = "ecs_cluster_arns must be ECS cluster ARNs."
  }
}

variable "alarm_names" {
  description = "CloudWatch alarms (e.g. drill stop conditions) whose \"CloudWatch Alarm State Change\" events go to the queue. Empty (and alarm_arns empty): no alarm rule."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for name in var.alarm_names : length(name) > 0 && length(name) <= 255])
    error_message = "alarm_names must be 1 to 255 characters each."
  }
}

variable "alarm_arns" {
  description = "Alarms given by ARN instead of name (their names are used in the rule; events name the alarm in detail.alarmName)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.alarm_arns : can(regex("^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:[0-9]{12}:alarm:.+$", arn))])
    error_message = "alarm_arns must be CloudWatch alarm ARNs."
  }
}

variable "rds_snapshot_events" {
  description = "Also deliver the RDS snapshot events that end a snapshot or copy wait (\"RDS DB Snapshot Event\" and \"RDS DB Cluster Snapshot Event\": created, copied, cancelled) of this account and Region. Off: no RDS rule."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for the queues. Its key policy must let events.amazonaws.com call kms:GenerateDataKey and kms:Decrypt, and the Airflow role kms:Decrypt. null: SQS-managed encryption (SSE-SQS)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN or null."
  }
}

variable "message_retention_seconds" {
  description = "How long an event waits in the queue. A wait reads it within seconds, and its Describe backstop covers anything older than its backstop interval, so a day is plenty."
  type        = number
  default     = 86400

  validation {
    condition     = var.message_retention_seconds >= 900 && var.message_retention_seconds <= 1209600
    error_message = "message_retention_seconds must be 900 to 1209600 (14 days)."
  }
}

variable "max_receive_count" {
  description = "Receives before a message goes to the dead-letter queue. A message no wait takes (an orphan) is released twice and then hidden for 1, 2, 4 ... s, so 10 receives take it there in about two minutes; a wait whose event went there still ends at its Describe backstop."
  type        = number
  default     = 10

  validation {
    condition     = var.max_receive_count >= 3 && var.max_receive_count <= 1000
    error_message = "max_receive_count must be 3 to 1000."
  }
}

variable "dlq_alarm_actions" {
  description = "Actions (e.g. an SNS topic ARN) of the alarm on the dead-letter queue's depth."
  type        = list(string)
  default     = []
}

variable "source_account_ids" {
  description = "Other accounts whose executions, tasks or alarms are waited for here. Each is allowed (one statement per account, nothing broader) to put events on this account's default event bus; deploy the forwarder submodule in each."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for id in var.source_account_ids : can(regex("^[0-9]{12}$", id))])
    error_message = "source_account_ids must be 12-digit account IDs."
  }
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}
