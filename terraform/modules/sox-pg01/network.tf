# The task's security group: no ingress; egress only to the database port and, over HTTPS, to S3
# (and to the VPC interface endpoints the image pull, logs and secret need).

data "aws_ec2_managed_prefix_list" "s3" {
  name = "com.amazonaws.${local.region}.s3"
}

resource "aws_security_group" "task" {
  # checkov:skip=CKV2_AWS_5:Attached at RunTask time through the network configuration, not to a standing resource.
  name        = "${var.name}-task"
  description = "SOX PG-01 Fargate task: egress to the database and S3 only"
  vpc_id      = var.vpc_id

  egress {
    description = "SQL Server"
    protocol    = "tcp"
    from_port   = var.db_port
    to_port     = var.db_port
    cidr_blocks = var.db_cidr_blocks
  }

  egress {
    description     = "S3 (evidence upload, ECR layers) through the gateway endpoint"
    protocol        = "tcp"
    from_port       = 443
    to_port         = 443
    prefix_list_ids = [data.aws_ec2_managed_prefix_list.s3.id]
  }

  dynamic "egress" {
    for_each = length(var.vpc_endpoint_security_group_ids) > 0 ? [1] : []
    content {
      description     = "VPC interface endpoints: ECR, CloudWatch Logs, Secrets Manager"
      protocol        = "tcp"
      from_port       = 443
      to_port         = 443
      security_groups = var.vpc_endpoint_security_group_ids
    }
  }

  tags = merge(local.tags, { Name = "${var.name}-task" })
}
