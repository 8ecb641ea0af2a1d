output "source_role_arn" {
  description = "The source role: refresh-shared-services' source_role_arn, and the machines' SourceAccount.RoleArn."
  value       = module.source.role_arn
}

output "account_id" {
  description = "The production account (SourceAccount.AccountId)."
  value       = module.source.account_id
}

output "flag_file_function_name" {
  description = "Source-side check_flag_file function, or null."
  value       = module.source.flag_file_function_name
}
