provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, {
      ManagedBy   = "terraform"
      Stack       = "data"
      Environment = var.environment
    })
  }
}
