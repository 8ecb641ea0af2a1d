provider "aws" {
  region = "eu-west-1"
}

# In the shared-services account, from the repository's asl/ directory.
module "refresh_step_functions" {
  source = "../.."

  definitions_dir       = "${path.root}/../../../../../asl"
  source_role_arn       = "arn:aws:iam::222222222222:role/refresh-source"
  destination_role_arns = ["arn:aws:iam::333333333333:role/refresh-destination", "arn:aws:iam::444444444444:role/refresh-destination"]
  xray_tracing          = true
}

output "state_machine_arns" {
  description = "By definition, e.g. db/share_snapshot."
  value       = module.refresh_step_functions.state_machine_arns
}
