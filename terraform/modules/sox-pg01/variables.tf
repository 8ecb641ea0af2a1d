variable "name" {
  description = "Name prefix of every resource (cluster, roles, security group, KMS alias, bucket)."
  type        = string
  default     = "sox-pg01"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name))
    error_message = "name must be 3 to 31 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "vpc_id" {
  description = "VPC of the Fargate tasks (private subnets with a route to the SQL Server)."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123abcd."
  }
}

variable "subnet_ids" {
  description = "Private subnets the tasks run in; they need a network path to the database (VPN, Direct Connect or a proxy)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) > 0 && alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "subnet_ids must list at least one subnet id (subnet-...)."
  }
}

variable "db_secret_arn" {
  description = "Secrets Manager secret holding the ODBC Driver 17 connection string (SQL authentication). Created and filled outside Terraform so the value never lands in state."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", var.db_secret_arn))
    error_message = "db_secret_arn must be a Secrets Manager secret ARN."
  }
}

variable "db_secret_kms_key_arn" {
  description = "Customer managed KMS key of the secret, if it is not encrypted with the AWS managed key (the execution role then gets kms:Decrypt on it)."
  type        = string
  default     = null
}

variable "db_cidr_blocks" {
  description = "Where the SQL Server is (on-premises ranges reached over VPN/Direct Connect, or the proxy's range). The only non-HTTPS egress of the task."
  type        = list(string)

  validation {
    condition     = length(var.db_cidr_blocks) > 0 && alltrue([for c in var.db_cidr_blocks : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "db_cidr_blocks must be one or more CIDR blocks, and not 0.0.0.0/0."
  }
}

variable "db_port" {
  description = "TCP port of the SQL Server."
  type        = number
  default     = 1433

  validation {
    condition     = var.db_port > 0 && var.db_port < 65536
    error_message = "db_port must be a TCP port."
  }
}

variable "vpc_endpoint_security_group_ids" {
  description = "Security groups of the VPC interface endpoints (ECR api/dkr, CloudWatch Logs, Secrets Manager) the task reaches over HTTPS. Required when the subnets have no NAT; without them the task cannot pull its image or read its secret."
  type        = list(string)
  default     = []
}

variable "image_digest" {
  description = "Digest of the derived image (image/ beside this module) pushed to the module's ECR repository. The task definition references the image by digest, never by tag."
  type        = string

  validation {
    condition     = can(regex("^sha256:[0-9a-f]{64}$", var.image_digest))
    error_message = "image_digest must be sha256:<64 hex characters>."
  }
}

variable "ecr_repository_name" {
  description = "Name of the ECR repository of the derived image."
  type        = string
  default     = "soxauto-pg01"
}

variable "ecr_keep_images" {
  description = "How many images the ECR lifecycle policy keeps (older ones expire; keep enough for the audit trail of past releases)."
  type        = number
  default     = 50

  validation {
    condition     = var.ecr_keep_images >= 10
    error_message = "ecr_keep_images must be at least 10."
  }
}

variable "task_family" {
  description = "Task definition family (the DAG config and the local container double use it)."
  type        = string
  default     = "soxauto-pg01"
}

variable "container_name" {
  description = "Name of the job's container in the task definition."
  type        = string
  default     = "soxauto-pg01"
}

variable "cpu" {
  description = "Fargate task CPU units (2048 = 2 vCPU)."
  type        = number
  default     = 2048

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.cpu)
    error_message = "cpu must be a Fargate CPU value: 256, 512, 1024, 2048, 4096, 8192 or 16384."
  }
}

variable "memory" {
  description = "Fargate task memory in MiB (4096 = 4 GB). The job pulls every company's rows; measure on the first live run (2 vCPU allows up to 16 GB)."
  type        = number
  default     = 4096

  validation {
    condition     = var.memory >= 512 && var.memory <= 122880 && var.memory % 512 == 0
    error_message = "memory must be a multiple of 512 MiB between 512 and 122880."
  }
}

variable "log_retention_days" {
  description = "Retention of the container logs, in days (the evidence itself lives in S3)."
  type        = number
  default     = 400

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts (..., 365, 400, 545, 731, ...)."
  }
}

variable "evidence_bucket_name" {
  description = "Name of the evidence bucket; default <name>-evidence-<account id>."
  type        = string
  default     = null
}

variable "evidence_prefix" {
  description = "Prefix under which the task may write (one sub-prefix per period, company, run and try)."
  type        = string
  default     = "sox-automation/pg01"

  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]*[A-Za-z0-9._-]$", var.evidence_prefix)) && !startswith(var.evidence_prefix, "/")
    error_message = "evidence_prefix must be a key prefix without leading or trailing slash."
  }
}

variable "object_lock_enabled" {
  description = "Create the evidence bucket with S3 Object Lock (can only be chosen at bucket creation) and a default retention."
  type        = bool
  default     = false
}

variable "object_lock_mode" {
  description = "Default Object Lock mode: COMPLIANCE (nobody can shorten it) or GOVERNANCE (privileged override)."
  type        = string
  default     = "COMPLIANCE"

  validation {
    condition     = contains(["COMPLIANCE", "GOVERNANCE"], var.object_lock_mode)
    error_message = "object_lock_mode must be COMPLIANCE or GOVERNANCE."
  }
}

variable "object_lock_retention_days" {
  description = "Default Object Lock retention of every object version, in days (SOX evidence: typically 7 years)."
  type        = number
  default     = 2557
}

variable "network_parameter_name" {
  description = "SSM parameter where the module publishes the awsvpc network configuration the DAG reads."
  type        = string
  default     = "/platform-ops/sox-pg01/network-configuration"

  validation {
    condition     = startswith(var.network_parameter_name, "/")
    error_message = "network_parameter_name must start with '/'."
  }
}

variable "airflow_role_names" {
  description = "IAM roles of Airflow (the DAG's AWS connection) to attach the least-privilege DAG policy to."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}
