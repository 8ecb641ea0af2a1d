output "destination_role_arn" {
  description = "The destination role: one of refresh-shared-services' destination_role_arns, and the machines' DestinationAccount.RoleArn."
  value       = module.destination.role_arn
}

output "account_id" {
  description = "This destination account (DestinationAccount.AccountId)."
  value       = module.destination.account_id
}

output "lambda_function_names" {
  description = "Helper functions by helper (the machines' LambdaFunctionName inputs)."
  value       = module.destination.lambda_function_names
}
