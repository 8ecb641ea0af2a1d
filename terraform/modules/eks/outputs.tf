output "cluster_name" {
  description = "Name of the cluster."
  value       = aws_eks_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the cluster."
  value       = aws_eks_cluster.this.arn
}

output "cluster_endpoint" {
  description = "Endpoint of the Kubernetes API."
  value       = aws_eks_cluster.this.endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 CA certificate of the Kubernetes API."
  value       = try(aws_eks_cluster.this.certificate_authority[0].data, null)
}

output "cluster_security_group_id" {
  description = "Security group EKS created for the control plane and managed nodes."
  value       = try(aws_eks_cluster.this.vpc_config[0].cluster_security_group_id, null)
}

output "node_security_group_id" {
  description = "Security group on every node (pods share it through the VPC CNI): allow it on data stores."
  value       = aws_security_group.node.id
}

output "cluster_iam_role_arn" {
  description = "IAM role of the control plane."
  value       = aws_iam_role.cluster.arn
}

output "node_iam_role_arn" {
  description = "IAM role of the worker nodes."
  value       = aws_iam_role.node.arn
}

output "node_group_names" {
  description = "EKS node group names by node_groups key."
  value       = { for k, g in aws_eks_node_group.this : k => g.node_group_name }
}

output "node_groups" {
  description = "Per node group: name, capacity type and scaling bounds (what the drift check compares with eks:ListNodegroups)."
  value = {
    for k, g in aws_eks_node_group.this : k => {
      name          = g.node_group_name
      capacity_type = g.capacity_type
      min_size      = g.scaling_config[0].min_size
      max_size      = g.scaling_config[0].max_size
    }
  }
}

output "oidc_provider_arn" {
  description = "ARN of the IAM OIDC provider (for more IRSA roles)."
  value       = aws_iam_openid_connect_provider.this.arn
}

output "oidc_issuer_url" {
  description = "OIDC issuer URL of the cluster."
  value       = aws_eks_cluster.this.identity[0].oidc[0].issuer
}

output "lb_controller_role_arn" {
  description = "IRSA role ARN to annotate the AWS Load Balancer Controller's service account with, or null."
  value       = one(aws_iam_role.lb_controller[*].arn)
}

output "kms_key_arn" {
  description = "KMS key encrypting Kubernetes secrets and control plane logs."
  value       = local.kms_key_arn
}
