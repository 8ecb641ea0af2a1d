output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "CIDR of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "azs" {
  description = "Availability Zones in use, in subnet order."
  value       = local.azs
}

output "public_subnet_ids" {
  description = "IDs of the public subnets, in AZ order."
  value       = [for az in local.azs : aws_subnet.public[az].id]
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, in AZ order."
  value       = [for az in local.azs : aws_subnet.private[az].id]
}

output "public_route_table_id" {
  description = "ID of the public route table."
  value       = aws_route_table.public.id
}

output "private_route_table_ids" {
  description = "IDs of the private route tables, in AZ order."
  value       = [for az in local.azs : aws_route_table.private[az].id]
}

output "nat_gateway_ids" {
  description = "IDs of the NAT gateways (one, or one per AZ)."
  value       = [for az in local.nat_azs : aws_nat_gateway.this[az].id]
}

output "nat_public_ips" {
  description = "Elastic IPs of the NAT gateways (what partners allow-list)."
  value       = [for az in local.nat_azs : aws_eip.nat[az].public_ip]
}

output "nat_gateways" {
  description = "Per NAT gateway: its AZ, public subnet, Elastic IP and the private route tables whose default route uses it (the NAT drill's targets)."
  value = {
    for az in local.nat_azs : aws_nat_gateway.this[az].id => {
      availability_zone       = az
      subnet_id               = aws_nat_gateway.this[az].subnet_id
      allocation_id           = aws_eip.nat[az].id
      public_ip               = aws_eip.nat[az].public_ip
      private_route_table_ids = [for rt_az in local.azs : aws_route_table.private[rt_az].id if local.nat_az_for[rt_az] == az]
    }
  }
}

output "s3_endpoint_id" {
  description = "ID of the S3 gateway endpoint, or null."
  value       = one(aws_vpc_endpoint.s3[*].id)
}

output "flow_log_group_name" {
  description = "Name of the flow log group, or null."
  value       = one(aws_cloudwatch_log_group.flow_log[*].name)
}
