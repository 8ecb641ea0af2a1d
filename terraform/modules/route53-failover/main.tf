locals {
  endpoints = {
    primary   = var.primary
    secondary = var.secondary
  }
  record_name = trimsuffix(var.record_name, ".")
}

resource "aws_route53_health_check" "this" {
  for_each = local.endpoints

  type              = var.health_check.search_string == null ? "HTTPS" : "HTTPS_STR_MATCH"
  fqdn              = coalesce(each.value.health_check_fqdn, each.value.target)
  port              = var.health_check.port
  resource_path     = var.health_check.resource_path
  search_string     = var.health_check.search_string
  failure_threshold = var.health_check.failure_threshold
  request_interval  = var.health_check.request_interval
  measure_latency   = var.health_check.measure_latency
  regions           = var.health_check.regions
  enable_sni        = true

  tags = merge(var.tags, var.drill_tags, {
    Name         = "${local.record_name}-${each.key}"
    FailoverRole = upper(each.key)
  })
}

resource "aws_route53_record" "this" {
  for_each = local.endpoints

  zone_id         = var.zone_id
  name            = local.record_name
  type            = "CNAME"
  ttl             = var.ttl
  records         = [each.value.target]
  set_identifier  = each.key
  health_check_id = aws_route53_health_check.this[each.key].id

  failover_routing_policy {
    type = upper(each.key)
  }
}
