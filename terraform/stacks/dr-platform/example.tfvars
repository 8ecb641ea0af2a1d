name        = "platform-dr"
environment = "production"

primary_region   = "eu-west-1"
secondary_region = "us-east-1"

network = {
  primary            = { cidr = "10.10.0.0/16", azs = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }
  secondary          = { cidr = "10.20.0.0/16", azs = ["us-east-1a", "us-east-1b", "us-east-1c"] }
  single_nat_gateway = true
}

eks = {
  kubernetes_version = "1.33"
}

aurora = {
  engine_version           = "16.6"
  instance_class           = "db.r6g.large"
  primary_instance_count   = 2
  secondary_instance_count = 1
}

dns = {
  hosted_zone_name           = "example.com"
  record                     = "app"
  primary_ingress_hostname   = "ingress-euw1.example.com"
  secondary_ingress_hostname = "ingress-use1.example.com"
}

# The ingress ALBs the AWS Load Balancer Controller created (ARN or ARN suffix), once they exist.
ingress_error_rate = {
  primary_load_balancer   = "app/platform-dr-euw1/1a2b3c4d5e6f7a8b"
  secondary_load_balancer = "app/platform-dr-use1/50dc6c495c0c9188"
}
