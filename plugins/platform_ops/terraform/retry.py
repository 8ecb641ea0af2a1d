"""Errors a Terraform task fails on at once: each needs a person, not another try."""

from __future__ import annotations

from platform_ops.dag_defaults import fail_fast_policy
from platform_ops.registry import RegistryError
from platform_ops.terraform.apply_steps import PlanRefused
from platform_ops.terraform.cli import StalePlanError, StateLockedError
from platform_ops.terraform.lease import StackBusyError

TERRAFORM_NO_RETRY: tuple[type[BaseException], ...] = (
    PlanRefused,
    StalePlanError,
    StateLockedError,
    StackBusyError,
    RegistryError,
)


def terraform_no_retry_policy():
    """The policy of plan and apply: a refused plan, stale plan or held lock needs a person."""
    return fail_fast_policy(*TERRAFORM_NO_RETRY, reason="a refused plan, stale plan or held lock needs a person")
