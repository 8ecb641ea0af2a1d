data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

module "state_backend" {
  source = "../../modules/state-backend"

  bucket_name       = "${var.bucket_prefix}-${data.aws_caller_identity.current.account_id}"
  lock_table_name   = var.lock_table_name
  state_writer_arns = [for role in var.state_writer_role_names : "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/${role}"]
}
