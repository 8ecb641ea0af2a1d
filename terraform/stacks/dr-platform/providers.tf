locals {
  default_tags = merge(var.tags, {
    ManagedBy   = "terraform"
    Stack       = "dr-platform"
    Environment = var.environment
  })
}

# Every resource and module of this stack names its provider explicitly; this unaliased
# configuration only exists so the primary Region is also the default for tooling.
provider "aws" {
  region = var.primary_region

  default_tags {
    tags = local.default_tags
  }
}

provider "aws" {
  alias  = "primary"
  region = var.primary_region

  default_tags {
    tags = local.default_tags
  }
}

provider "aws" {
  alias  = "secondary"
  region = var.secondary_region

  default_tags {
    tags = local.default_tags
  }
}
