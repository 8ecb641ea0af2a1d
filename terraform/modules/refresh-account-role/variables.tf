variable "role_name" {
  description = "Name of the role (created, or existing when create_role is false)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.role_name))
    error_message = "role_name must be an IAM role name."
  }
}

variable "description" {
  description = "Description of the created role."
  type        = string
}

variable "create_role" {
  description = "Create the role. false: attach the policy to the existing role_name (its trust policy is then yours to keep right)."
  type        = bool
  default     = true
}

variable "trusted_role_arns" {
  description = "Roles allowed to assume this one: the Step Functions execution role of refresh-step-functions (shared-services account). The trust names their account and matches the role by aws:PrincipalArn, so the role can be created before that role exists."
  type        = list(string)

  validation {
    condition     = length(var.trusted_role_arns) > 0 && alltrue([for arn in var.trusted_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", arn))])
    error_message = "trusted_role_arns must be one or more IAM role ARNs."
  }
}

variable "external_id" {
  description = "sts:ExternalId the assuming role must present (null: no ExternalId condition). Step Functions' Credentials field cannot pass one, so set it only for roles used by other callers."
  type        = string
  default     = null
  sensitive   = true
}

variable "policy_json" {
  description = "The role's inline policy document."
  type        = string
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of the created role, if the account requires one."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags of the created role."
  type        = map(string)
  default     = {}
}
