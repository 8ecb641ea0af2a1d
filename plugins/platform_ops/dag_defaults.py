"""What every platform DAG shares: owner, retries, failure alerts, and which errors never retry."""

from __future__ import annotations

from datetime import datetime, timedelta

START_DATE = datetime(2026, 1, 1)
OWNER = "platform-team"


def default_args(retries: int = 1) -> dict:
    from platform_ops.notify import failure_notifier

    return {
        "owner": OWNER,
        "retries": retries,
        "retry_delay": timedelta(minutes=2),
        "retry_exponential_backoff": True,
        "on_failure_callback": [failure_notifier()],
    }


def fail_fast_policy(*exceptions: str, reason: str):
    """A retry policy that fails at once on the given exception classes (dotted paths)."""
    from airflow.sdk import ExceptionRetryPolicy, RetryAction, RetryRule

    return ExceptionRetryPolicy(rules=[RetryRule(exception=list(exceptions), action=RetryAction.FAIL, reason=reason)])


TERRAFORM_NO_RETRY = (
    "platform_ops.terraform.apply_steps.PlanRefused",
    "platform_ops.terraform.cli.StalePlanError",
    "platform_ops.terraform.cli.StateLockedError",
    "platform_ops.terraform.lease.StackBusyError",
    "platform_ops.registry.RegistryError",
)
