variable "name_prefix" {
  description = "Prefix of the forwarding rules and their IAM role in this (source) account."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9][a-zA-Z0-9_-]{0,50}$", var.name_prefix))
    error_message = "name_prefix must be 1 to 51 letters, digits, '_' or '-'."
  }
}

variable "central_event_bus_arn" {
  description = "The central account's default event bus (the native-events module's event_bus_arn output); same Region."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/default$", var.central_event_bus_arn))
    error_message = "central_event_bus_arn must be the ARN of a default event bus."
  }
}

variable "event_patterns" {
  description = "Event patterns by kind (the native-events module's event_patterns output, JSON strings), forwarded as they are."
  type        = map(string)

  validation {
    condition     = alltrue([for pattern in values(var.event_patterns) : can(jsondecode(pattern).source)])
    error_message = "event_patterns must be JSON event patterns with a source."
  }
}

variable "tags" {
  description = "Tags of every resource."
  type        = map(string)
  default     = {}
}
