"""Airflow connections for the local AWS: one assume-role connection per registry account.

Each connection assumes ``arn:aws:iam::<account>:role/<role>``; moto maps the credentials STS
returns to that account, so every connection really lands in its own account's backend. The STS
endpoint must be set separately: role assumption ignores the global ``endpoint_url``.
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
