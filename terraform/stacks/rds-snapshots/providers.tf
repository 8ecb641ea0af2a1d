locals {
  default_tags = merge(var.tags, {
    ManagedBy   = "terraform"
    Stack       = "rds-snapshots"
    Environment = var.environment
  })
}

# Every module of this stack names its provider explicitly; this unaliased configuration only
# exists so the primary Region is also the default for tooling.
provider "aws" {
  region = var.region

  default_tags {
    tags = local.default_tags
  }
}

provider "aws" {
  alias  = "primary"
  region = var.region

  default_tags {
    tags = local.default_tags
  }
}

provider "aws" {
  alias  = "dr"
  region = var.dr_region

  default_tags {
    tags = local.default_tags
  }
}
