output "function_name" {
  description = "Name of the function (the machines' LambdaFunctionName input)."
  value       = aws_lambda_function.helper.function_name
}

output "function_arn" {
  description = "ARN of the function (what lambda:InvokeFunction is granted on)."
  value       = aws_lambda_function.helper.arn
}

output "role_arn" {
  description = "ARN of the function's own execution role."
  value       = aws_iam_role.function.arn
}

output "log_group_name" {
  description = "Log group of the function."
  value       = aws_cloudwatch_log_group.function.name
}
