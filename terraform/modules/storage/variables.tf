variable "bucket_name" {
  description = "Name of the private assets bucket behind CloudFront."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name)) && !strcontains(var.bucket_name, "..")
    error_message = "bucket_name must be a valid S3 bucket name (3 to 63 lower-case letters, digits, dots or dashes)."
  }
}

variable "kms_key_arn" {
  description = "KMS key of the bucket. Its policy must let cloudfront.amazonaws.com decrypt (the kms module does with allowed_services)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "aliases" {
  description = "Alternate domain names of the distribution; needs acm_certificate_arn (a us-east-1 certificate)."
  type        = list(string)
  default     = []
}

variable "acm_certificate_arn" {
  description = "ACM certificate (us-east-1) for the aliases. Null serves on the *.cloudfront.net name with CloudFront's certificate."
  type        = string
  default     = null

  validation {
    condition     = var.acm_certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:us-east-1:", var.acm_certificate_arn))
    error_message = "acm_certificate_arn must be an ACM certificate ARN in us-east-1, or null."
  }
}

variable "price_class" {
  description = "CloudFront price class."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_All", "PriceClass_200", "PriceClass_100"], var.price_class)
    error_message = "price_class must be PriceClass_All, PriceClass_200 or PriceClass_100."
  }
}

variable "default_root_object" {
  description = "Object returned for the root URL."
  type        = string
  default     = "index.html"
}

variable "cache_policy_id" {
  description = "Cache policy of the default behaviour (default: the AWS managed CachingOptimized policy)."
  type        = string
  default     = "658327ea-f89d-4fab-a63d-7e88639e58f6"
}

variable "response_headers_policy_id" {
  description = "Response headers policy of the default behaviour (default: the AWS managed SecurityHeadersPolicy: HSTS, nosniff, frame options, XSS, referrer)."
  type        = string
  default     = "67f7725c-6f97-4210-82d7-5512b31e9d03"
}

variable "web_acl_id" {
  description = "ARN of a WAFv2 web ACL (scope CLOUDFRONT) to attach, or null."
  type        = string
  default     = null
}

variable "logging_bucket_domain_name" {
  description = "Bucket domain name (<bucket>.s3.amazonaws.com, ACLs enabled) for standard access logs, or null."
  type        = string
  default     = null
}

variable "geo_restriction" {
  description = "Country restriction: type none, whitelist or blacklist, with ISO 3166 codes."
  type = object({
    type      = optional(string, "none")
    locations = optional(list(string), [])
  })
  default = {}

  validation {
    condition     = contains(["none", "whitelist", "blacklist"], var.geo_restriction.type)
    error_message = "geo_restriction.type must be none, whitelist or blacklist."
  }
}

variable "wait_for_deployment" {
  description = "Wait until the distribution is deployed to every edge location (several minutes on AWS)."
  type        = bool
  default     = true
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which non-current object versions are deleted."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1
    error_message = "noncurrent_version_expiration_days must be at least 1."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
