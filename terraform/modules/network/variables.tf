variable "name" {
  description = "Name of the VPC; prefixes the Name tag of every resource."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}$", var.name))
    error_message = "name must be 2 to 39 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "cidr" {
  description = "IPv4 CIDR of the VPC; must be a /16."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr, 0)) && endswith(var.cidr, "/16")
    error_message = "cidr must be a valid IPv4 /16 such as 10.10.0.0/16."
  }
}

variable "azs" {
  description = "Availability Zones to spread the subnets over, in order (pinned, so a new zone in the Region never moves a subnet)."
  type        = list(string)

  validation {
    condition     = length(var.azs) >= 2 && length(var.azs) <= 4 && length(distinct(var.azs)) == length(var.azs)
    error_message = "azs must list 2 to 4 distinct Availability Zones (three is the norm)."
  }
}

variable "single_nat_gateway" {
  description = "true: one NAT gateway shared by every private subnet (cheaper, one AZ of failure); false: one per AZ."
  type        = bool
  default     = true
}

variable "enable_s3_endpoint" {
  description = "Create an S3 gateway endpoint attached to every route table."
  type        = bool
  default     = true
}

variable "enable_flow_log" {
  description = "Send VPC flow logs (all traffic) to a CloudWatch log group."
  type        = bool
  default     = true
}

variable "flow_log_retention_in_days" {
  description = "Retention of the flow log group, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_in_days)
    error_message = "flow_log_retention_in_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, ... 3653)."
  }
}

variable "flow_log_kms_key_arn" {
  description = "KMS key for the flow log group (its policy must allow logs.<region>.amazonaws.com). Null uses CloudWatch Logs' own encryption."
  type        = string
  default     = null

  validation {
    condition     = var.flow_log_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.flow_log_kms_key_arn))
    error_message = "flow_log_kms_key_arn must be a KMS key ARN or null."
  }
}

variable "public_subnet_tags" {
  description = "Extra tags for the public subnets (for example kubernetes.io/cluster/<name> = shared)."
  type        = map(string)
  default     = {}
}

variable "private_subnet_tags" {
  description = "Extra tags for the private subnets."
  type        = map(string)
  default     = {}
}

variable "drill_tags" {
  description = "Tags that mark the resources a DR drill may touch (NAT gateways and the private route tables that use them)."
  type        = map(string)
  default     = { DrillEligible = "true" }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
