output "rule_arns" {
  description = "Forwarding rule ARNs by kind."
  value       = { for key, rule in aws_cloudwatch_event_rule.forward : key => rule.arn }
}

output "role_arn" {
  description = "The role EventBridge uses to put the events on the central bus."
  value       = aws_iam_role.forward.arn
}
