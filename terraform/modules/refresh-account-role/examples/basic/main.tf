provider "aws" {
  region = "eu-west-1"
}

data "aws_iam_policy_document" "read_snapshots" {
  statement {
    actions   = ["rds:DescribeDBClusterSnapshots"]
    resources = ["arn:aws:rds:eu-west-1:222222222222:cluster-snapshot:refresh-*"]
  }
}

module "refresh_role" {
  source = "../.."

  role_name         = "refresh-example"
  description       = "Assumed by the refresh state machines."
  trusted_role_arns = ["arn:aws:iam::111111111111:role/refresh-sfn-execution"]
  policy_json       = data.aws_iam_policy_document.read_snapshots.json
}

output "role_arn" {
  description = "The machines' Credentials.RoleArn."
  value       = module.refresh_role.role_arn
}
