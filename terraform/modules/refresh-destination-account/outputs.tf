output "role_arn" {
  description = "ARN of the destination role: the machines' DestinationAccount.RoleArn, and one of the destination_role_arns of refresh-step-functions."
  value       = module.role.role_arn
}

output "role_name" {
  description = "Name of the destination role."
  value       = module.role.role_name
}

output "account_id" {
  description = "This destination account (the machines' DestinationAccount.AccountId)."
  value       = local.account
}

output "lambda_function_names" {
  description = "Helper function names by helper (run_sql, get_efs_subpath, check_flag_file): the machines' LambdaFunctionName inputs."
  value       = { for name, helper in module.helper : name => helper.function_name }
}

output "lambda_function_arns" {
  description = "Helper function ARNs by helper."
  value       = { for name, helper in module.helper : name => helper.function_arn }
}

output "policy_json" {
  description = "The destination role's policy document (what the IAM <-> ASL cross-check reads)."
  value       = data.aws_iam_policy_document.destination.json
}
