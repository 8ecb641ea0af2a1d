"""Apply a registry stack to the local AWS outside Airflow (test set-up for drift and friends)."""

from __future__ import annotations

from platform_ops.local.clients import account_session
from platform_ops.registry import registry
from platform_ops.terraform.workspace import AwsCredentials, stack_workspace


def account_credentials(endpoint: str, account: str) -> AwsCredentials:
    frozen = account_session(endpoint, account).get_credentials().get_frozen_credentials()
    return AwsCredentials(frozen.access_key, frozen.secret_key, frozen.token)


def apply_stack(endpoint: str, name: str, variables: dict | None = None) -> dict:
    """plan + apply ``name`` in its registry account; returns its outputs."""
    stack = registry().stack(name)
    with stack_workspace(stack, account_credentials(endpoint, stack.account.name), endpoint) as tf:
        tf.plan("tfplan", variables={**(stack.vars or {}), **(variables or {})})
        tf.apply_plan("tfplan")
        return tf.output()
