name        = "platform-app"
environment = "production"
region      = "eu-west-1"

# The private network of the dr-platform stack in eu-west-1 (terraform output of that stack, or the console).
vpc_id             = "vpc-0a1b2c3d4e5f60718"
private_subnet_ids = ["subnet-0a1b2c3d4e5f60718", "subnet-0b1c2d3e4f5a60718", "subnet-0c1d2e3f4a5b60718"]
allowed_security_groups = {
  eks_nodes = "sg-0a1b2c3d4e5f60718"
}

postgres = {
  engine_version = "16.4"
  instance_class = "db.t4g.small"
  multi_az       = true
}

enable_elasticache = true
redis = {
  node_type          = "cache.t4g.small"
  num_cache_clusters = 2
}

ecr_repositories = ["api", "worker", "usdz-converter"]
