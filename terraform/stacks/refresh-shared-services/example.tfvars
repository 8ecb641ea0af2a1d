# Example values: replace with your accounts'. No secret here. The role ARNs are the outputs of
# refresh-production, refresh-staging and refresh-dev (applied first).
region                  = "eu-west-1"
source_role_arn         = "arn:aws:iam::222222222222:role/refresh-source"
destination_role_arns   = ["arn:aws:iam::333333333333:role/refresh-destination", "arn:aws:iam::444444444444:role/refresh-destination"]
airflow_principal_arns  = ["arn:aws:iam::111111111111:role/platform-ops"]
include_execution_data  = false
xray_tracing            = false
event_dlq_alarm_actions = ["arn:aws:sns:eu-west-1:111111111111:platform-ops-notifications"]
