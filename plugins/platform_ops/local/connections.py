"""Airflow connections and AWS CLI/boto3 profiles for the local AWS, one per registry account.

Each connection assumes ``arn:aws:iam::<account>:role/<role>``; moto maps the credentials STS
returns to that account, so every connection really lands in its own account's backend. The STS
endpoint must be set separately: role assumption ignores the global ``endpoint_url``.

The profiles (``aws_profiles``) do the same for a shell: profile ``<account name>`` assumes that
role from static local keys (profile ``local``), with ``endpoint_url`` set in every profile, so
``aws --profile staging s3 ls`` or ``boto3.Session(profile_name="staging")`` land in staging.
"""

from __future__ import annotations

import json

from platform_ops.registry import Registry, registry


def connection_uris(endpoint: str, reg: Registry | None = None) -> dict[str, str]:
    """``{"AIRFLOW_CONN_AWS_DEV": "<json>", ...}`` for every account, plus ``aws_default``."""
    reg = reg or registry()
    region = reg.primary_region
    env: dict[str, str] = {}
    for account in reg.accounts():
        extra = {
            "region_name": region,
            "endpoint_url": endpoint,
            "role_arn": account.role_arn,
            "assume_role_method": "assume_role",
            "service_config": {"sts": {"endpoint_url": endpoint}},
            "config_kwargs": {"retries": {"max_attempts": 2}, "connect_timeout": 5},
        }
        conn = {"conn_type": "aws", "login": "testing", "password": "testing", "extra": extra}
        env[f"AIRFLOW_CONN_{account.aws_conn_id.upper()}"] = json.dumps(conn)
    default = json.loads(env[f"AIRFLOW_CONN_{reg.artifacts_account.aws_conn_id.upper()}"])
    env["AIRFLOW_CONN_AWS_DEFAULT"] = json.dumps(default)
    return env


def local_environment(endpoint: str) -> dict[str, str]:
    """Environment for any process that talks to the local AWS (Airflow, Terraform, boto3)."""
    env = connection_uris(endpoint)
    env.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": registry().primary_region,
            "PLATFORM_OPS_LOCAL_ENDPOINT": endpoint,
        }
    )
    return env


SOURCE_PROFILE = "local"  # the static keys the role profiles assume their roles with


def aws_profiles(endpoint: str, session_name: str, reg: Registry | None = None) -> tuple[str, str]:
    """``(config, credentials)`` file texts: one role profile per account, named as the account.

    Give each start of the local AWS its own ``session_name``: the AWS CLI caches assumed-role
    keys on disk (``~/.aws/cli/cache``, keyed by role and session name) for up to an hour, and
    keys from a previous local AWS mean nothing to a new one, which then puts every call in
    moto's default account.
    """
    reg = reg or registry()
    region = reg.primary_region
    config = [f"[profile {SOURCE_PROFILE}]\nregion = {region}\nendpoint_url = {endpoint}\n"]
    for account in reg.accounts():
        config.append(
            f"[profile {account.name}]\n"
            f"role_arn = {account.role_arn}\n"
            f"source_profile = {SOURCE_PROFILE}\n"
            f"role_session_name = {session_name}\n"
            f"region = {region}\n"
            f"endpoint_url = {endpoint}\n"
        )
    credentials = f"[{SOURCE_PROFILE}]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
    return "\n".join(config), credentials
