"""The one way to reach AWS: a provider hook for (registry account, service, Region).

Every hook goes through the account's Airflow connection, which does the role assumption (and,
locally, points at the local AWS). Services with a provider hook of their own get that hook; any
other service gets ``AwsBaseHook`` with its ``client_type``. Nothing here runs at import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from platform_ops.registry import Account, registry

if TYPE_CHECKING:
    from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook


def _provider_hook(service: str):
    """The provider's own hook class for ``service``, or None (then ``AwsBaseHook`` is used)."""
    if service == "s3":
        from airflow.providers.amazon.aws.hooks.s3 import S3Hook

        return S3Hook
    if service == "sns":
        from airflow.providers.amazon.aws.hooks.sns import SnsHook

        return SnsHook
    if service == "eks":
        from airflow.providers.amazon.aws.hooks.eks import EksHook

        return EksHook
    if service == "ssm":
        from airflow.providers.amazon.aws.hooks.ssm import SsmHook

        return SsmHook
    if service == "ec2":
        from functools import partial

        from airflow.providers.amazon.aws.hooks.ec2 import EC2Hook

        return partial(EC2Hook, api_type="client_type")  # a boto3 client, as every other hook here
    return None


def aws_hook(account: Account | str, service: str, region: str) -> AwsBaseHook:
    """A hook for ``service`` in ``account`` (a registry account or its name) and ``region``."""
    if isinstance(account, str):
        account = registry().account(account)
    hook_class = _provider_hook(service)
    if hook_class is not None:
        return hook_class(aws_conn_id=account.aws_conn_id, region_name=region)
    from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

    return AwsBaseHook(aws_conn_id=account.aws_conn_id, region_name=region, client_type=service)


def aws_client(account: Account | str, service: str, region: str):
    """The boto3 client of ``aws_hook(account, service, region)``."""
    return aws_hook(account, service, region).get_conn()


def session_credentials(account: Account | str, region: str):
    """Short-lived credentials of the account's connection and its endpoint (None on real AWS).

    For tools that are not boto3 (terraform): they get the keys in their environment.
    """
    hook = aws_hook(account, "sts", region)
    frozen = hook.get_session(region_name=region).get_credentials().get_frozen_credentials()
    return frozen, hook.conn_config.endpoint_url
