variable "cluster_name" {
  description = "Name of the EKS cluster."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,99}$", var.cluster_name))
    error_message = "cluster_name must start with a letter and hold up to 100 letters, digits or dashes."
  }
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane and node groups (for example 1.33)."
  type        = string
  default     = "1.33"

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "kubernetes_version must look like 1.33."
  }
}

variable "vpc_id" {
  description = "VPC of the cluster."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "subnet_ids" {
  description = "Private subnets of the control plane ENIs and the node groups (at least two AZs)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2 && alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "subnet_ids must list at least two subnet IDs."
  }
}

variable "endpoint_public_access" {
  description = "Expose the Kubernetes API endpoint publicly (restricted to public_access_cidrs). The private endpoint is always on."
  type        = bool
  default     = false
}

variable "public_access_cidrs" {
  description = "CIDRs allowed to reach the public API endpoint when endpoint_public_access is true."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.public_access_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "public_access_cidrs must be valid CIDRs and must not be 0.0.0.0/0."
  }
}

variable "cluster_log_types" {
  description = "Control plane log types sent to CloudWatch Logs."
  type        = list(string)
  default     = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  validation {
    condition     = alltrue([for t in var.cluster_log_types : contains(["api", "audit", "authenticator", "controllerManager", "scheduler"], t)])
    error_message = "cluster_log_types may only hold api, audit, authenticator, controllerManager and scheduler."
  }
}

variable "log_retention_in_days" {
  description = "Retention of the control plane log group, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, ... 3653)."
  }
}

variable "create_kms_key" {
  description = "Create a dedicated KMS key for Kubernetes secrets and control plane logs; false uses kms_key_arn."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "KMS key that encrypts Kubernetes secrets and the control plane logs when create_kms_key is false (its policy must allow logs.<region>.amazonaws.com)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN or null."
  }
}

variable "node_groups" {
  description = <<-EOT
    Managed node groups by key. capacity_type is ON_DEMAND or SPOT (give several instance types to spot groups so
    capacity can come from several pools). desired_size is only the initial size: the cluster autoscaler owns it afterwards.
  EOT
  nullable    = false
  type = map(object({
    capacity_type  = optional(string, "ON_DEMAND")
    instance_types = list(string)
    min_size       = number
    max_size       = number
    desired_size   = number
    disk_size_gib  = optional(number, 50)
    labels         = optional(map(string), {})
    taints = optional(list(object({
      key    = string
      value  = optional(string)
      effect = string
    })), [])
  }))
  default = {
    on_demand = {
      capacity_type  = "ON_DEMAND"
      instance_types = ["m6i.large"]
      min_size       = 2
      max_size       = 6
      desired_size   = 2
    }
    spot = {
      capacity_type  = "SPOT"
      instance_types = ["m6i.large", "m5.large", "m6a.large"]
      min_size       = 0
      max_size       = 10
      desired_size   = 1
      labels         = { "node.platform/lifecycle" = "spot" }
    }
  }

  validation {
    condition     = length(var.node_groups) > 0 && alltrue([for g in values(var.node_groups) : contains(["ON_DEMAND", "SPOT"], g.capacity_type)])
    error_message = "node_groups needs at least one group, and capacity_type must be ON_DEMAND or SPOT."
  }

  validation {
    condition     = alltrue([for g in values(var.node_groups) : g.min_size >= 0 && g.min_size <= g.desired_size && g.desired_size <= g.max_size && g.max_size >= 1])
    error_message = "Each node group needs 0 <= min_size <= desired_size <= max_size and max_size >= 1."
  }

  validation {
    condition     = alltrue([for g in values(var.node_groups) : length(g.instance_types) > 0 && g.disk_size_gib >= 20])
    error_message = "Each node group needs at least one instance type and disk_size_gib >= 20."
  }

  validation {
    condition     = alltrue(flatten([for g in values(var.node_groups) : [for t in g.taints : contains(["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"], t.effect)]]))
    error_message = "Taint effects must be NO_SCHEDULE, NO_EXECUTE or PREFER_NO_SCHEDULE."
  }
}

variable "create_lb_controller_role" {
  description = "Create the IRSA role of the AWS Load Balancer Controller (service account kube-system/aws-load-balancer-controller)."
  type        = bool
  default     = true
}

variable "lb_controller_service_account" {
  description = "Namespace and name of the AWS Load Balancer Controller's service account."
  type = object({
    namespace = string
    name      = string
  })
  default = {
    namespace = "kube-system"
    name      = "aws-load-balancer-controller"
  }
}

variable "drill_tags" {
  description = "Tags that mark the resources a DR drill may touch (the cluster and its node groups)."
  type        = map(string)
  default     = { DrillEligible = "true" }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
