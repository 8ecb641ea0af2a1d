output "role_arn" {
  description = "ARN of the role Airflow's refresh connection assumes (role_arn in the connection's extra)."
  value       = aws_iam_role.airflow.arn
}

output "history_table_name" {
  description = "DynamoDB table of the refresh history."
  value       = aws_dynamodb_table.history.name
}

output "history_table_arn" {
  description = "ARN of the refresh history table."
  value       = aws_dynamodb_table.history.arn
}

output "policy_json" {
  description = "The role's policy document."
  value       = data.aws_iam_policy_document.airflow.json
}
