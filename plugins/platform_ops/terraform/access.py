"""Credentials and endpoint of a stack's account, resolved from its Airflow connection.

The connection does the role assumption; terraform receives short-lived keys in its environment.
A connection with an ``endpoint_url`` (the local AWS) makes the workspace add its override file.
"""

from __future__ import annotations

from platform_ops.registry import Stack
from platform_ops.terraform.workspace import AwsCredentials


def stack_access(stack: Stack) -> tuple[AwsCredentials, str | None]:
    from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

    hook = AwsBaseHook(aws_conn_id=stack.account.aws_conn_id, region_name=stack.region, client_type="sts")
    frozen = hook.get_session(region_name=stack.region).get_credentials().get_frozen_credentials()
    endpoint = hook.conn_config.endpoint_url
    return AwsCredentials(frozen.access_key, frozen.secret_key, frozen.token), endpoint
