output "record_name" {
  description = "Fully qualified name of the failover record (both Regions share it)."
  value       = local.record_name
}

output "record_type" {
  description = "Type of the failover records."
  value       = "CNAME"
}

output "set_identifiers" {
  description = "Set identifier of each failover record: { primary, secondary }."
  value       = { for k, r in aws_route53_record.this : k => r.set_identifier }
}

output "health_check_ids" {
  description = "Health check ID of each endpoint: { primary, secondary }."
  value       = { for k, hc in aws_route53_health_check.this : k => hc.id }
}

output "targets" {
  description = "Host name each failover record answers with: { primary, secondary }."
  value       = { for k, e in local.endpoints : k => e.target }
}
