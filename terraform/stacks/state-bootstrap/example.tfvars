region                  = "eu-west-1"
bucket_prefix           = "platform-ops-tfstate"
lock_table_name         = "platform-ops-tflock"
state_writer_role_names = ["platform-ops"]
