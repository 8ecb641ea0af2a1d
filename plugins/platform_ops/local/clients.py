"""boto3 clients for a registry account on the local AWS (tests, seeding, the demo)."""

from __future__ import annotations

import boto3
import botocore.loaders
import botocore.session

from platform_ops.registry import registry

_SESSIONS: dict[tuple[str, str, str | None], boto3.Session] = {}
# One botocore loader for every session here. Each new session's own loader parses the service
# models again (about 70 ms a client; 3-4 s of every test's seeding, which resets the sessions);
# the loader keeps no credentials or session state, only the parsed models.
_LOADER = botocore.loaders.create_loader()


def forget_sessions() -> None:
    """Drop cached sessions: a moto reset forgets which account their keys belong to."""
    _SESSIONS.clear()


def account_session(endpoint: str, account_name: str, region: str | None = None) -> boto3.Session:
    """A session whose credentials moto maps to ``account_name``'s account (via STS AssumeRole).

    Sessions are cached until the next ``forget_sessions()`` (called by ``LocalAws.reset``).
    """
    key = (endpoint, account_name, region)
    if key not in _SESSIONS:
        _SESSIONS[key] = _assume(endpoint, account_name, region)
    return _SESSIONS[key]


def _assume(endpoint: str, account_name: str, region: str | None) -> boto3.Session:
    reg = registry()
    account = reg.account(account_name)
    region = region or reg.primary_region
    sts = boto3.client(
        "sts",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    creds = sts.assume_role(RoleArn=account.role_arn, RoleSessionName="platform-ops-local")["Credentials"]
    core = botocore.session.get_session()
    core.register_component("data_loader", _LOADER)
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=region,
        botocore_session=core,
    )


def account_client(endpoint: str, account_name: str, service: str, region: str | None = None):
    session = account_session(endpoint, account_name, region)
    return session.client(service, endpoint_url=endpoint)
