variable "zone_id" {
  description = "ID of the public hosted zone that holds the failover record."
  type        = string

  validation {
    condition     = can(regex("^[A-Z0-9]{1,32}$", var.zone_id))
    error_message = "zone_id must be a Route 53 hosted zone ID (upper-case letters and digits, without /hostedzone/)."
  }
}

variable "record_name" {
  description = "Fully qualified name of the failover record (for example app.example.com)."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}\\.?$", var.record_name))
    error_message = "record_name must be a lower-case fully qualified domain name such as app.example.com."
  }
}

variable "ttl" {
  description = "TTL of the failover records in seconds; keep it low so clients follow a failover quickly."
  type        = number
  default     = 30

  validation {
    condition     = var.ttl >= 5 && var.ttl <= 300
    error_message = "ttl must be between 5 and 300 seconds."
  }
}

variable "primary" {
  description = "Primary Region endpoint: the host name the record points to (CNAME) and the host the health check calls."
  type = object({
    target            = string
    health_check_fqdn = optional(string)
  })

  validation {
    condition     = can(regex("^[a-z0-9.-]+$", var.primary.target))
    error_message = "primary.target must be a lower-case host name."
  }
}

variable "secondary" {
  description = "Secondary Region endpoint: the host name the record points to (CNAME) and the host the health check calls."
  type = object({
    target            = string
    health_check_fqdn = optional(string)
  })

  validation {
    condition     = can(regex("^[a-z0-9.-]+$", var.secondary.target))
    error_message = "secondary.target must be a lower-case host name."
  }
}

variable "health_check" {
  description = "HTTPS health check settings shared by both endpoints. search_string switches to HTTPS_STR_MATCH."
  type = object({
    port              = optional(number, 443)
    resource_path     = optional(string, "/healthz")
    failure_threshold = optional(number, 3)
    request_interval  = optional(number, 30)
    search_string     = optional(string)
    measure_latency   = optional(bool, true)
    regions           = optional(list(string))
  })
  default = {}

  validation {
    condition     = contains([10, 30], var.health_check.request_interval) && var.health_check.failure_threshold >= 1 && var.health_check.failure_threshold <= 10
    error_message = "health_check.request_interval must be 10 or 30 and failure_threshold between 1 and 10."
  }

  validation {
    condition     = startswith(var.health_check.resource_path, "/")
    error_message = "health_check.resource_path must start with /."
  }

  validation {
    condition     = var.health_check.regions == null || length(coalesce(var.health_check.regions, [])) >= 3
    error_message = "health_check.regions must list at least three checker Regions when given."
  }
}

variable "drill_tags" {
  description = "Tags that mark the resources a DR drill may touch (the health checks)."
  type        = map(string)
  default     = { DrillEligible = "true" }
}

variable "tags" {
  description = "Tags for the health checks."
  type        = map(string)
  default     = {}
}
