output "role_arn" {
  description = "ARN of the source role: the machines' SourceAccount.RoleArn, and the source_role_arn of refresh-step-functions."
  value       = module.role.role_arn
}

output "role_name" {
  description = "Name of the source role."
  value       = module.role.role_name
}

output "account_id" {
  description = "The source (production) account (the machines' SourceAccount.AccountId)."
  value       = local.account
}

output "flag_file_function_name" {
  description = "Source-side check_flag_file function (check_replication_sync's FlagFile.SourceFunctionName), or null."
  value       = try(module.flag_file["check_flag_file"].function_name, null)
}

output "policy_json" {
  description = "The source role's policy document (what the IAM <-> ASL cross-check reads)."
  value       = data.aws_iam_policy_document.source.json
}
