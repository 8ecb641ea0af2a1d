# Example values: replace with your account's. No secret here: the connection string lives in
# Secrets Manager and is referenced by ARN.
region                          = "eu-west-1"
environment                     = "production"
vpc_id                          = "vpc-0a1b2c3d4e5f60718"
subnet_ids                      = ["subnet-0a1b2c3d4e5f60719", "subnet-0a1b2c3d4e5f6071a"]
db_secret_arn                   = "arn:aws:secretsmanager:eu-west-1:222222222222:secret:sox-pg01/db-connection-string-AbCdEf"
db_cidr_blocks                  = ["10.200.16.0/24"]
vpc_endpoint_security_group_ids = ["sg-0a1b2c3d4e5f6071b"]
image_digest                    = "sha256:0000000000000000000000000000000000000000000000000000000000000000"
object_lock_enabled             = true
airflow_role_names              = ["platform-ops"]
