terraform {
  # 1.11: write-only arguments keep the generated master password out of plan and state.
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source                = "hashicorp/aws"
      version               = ">= 5.87, < 6.0"
      configuration_aliases = [aws.primary, aws.secondary]
    }
  }
}
