"""
terraform_drift: monthly read-only plan of every stack, a per-resource report, notify on change.

### terraform_drift
Replaces the monthly `terraform plan` + `aws eks list-nodegroups` done by hand.
**Schedule:** 1st of the month at 06:00 UTC, and manual.

For each stack (`stacks` param, default: every registry stack with `drift_check`):
`plan -detailed-exitcode` (read-only: nothing is applied), then a report per resource from
`show -json`: `resource_drift` (changed outside Terraform) and `resource_changes` (what a plan
would do to existing objects), with the attributes that changed. The ignore list
`terraform/drift-ignore.json` (address glob + attributes + reason) is applied first. Every EKS
cluster in state has its node groups compared with `eks:ListNodegroups`.

Leaves: `terraform/drift/<stack>/runs/<run id>.json` per run and `latest.json` in the artifacts
bucket. One SNS notice per run, **only when** some stack's drift differs from its `latest.json`.
"""

from __future__ import annotations

from airflow.sdk import Param, TriggerRule, task
from platform_ops.dag_defaults import platform_dag
from platform_ops.notify import FailureAlreadyNotified
from platform_ops.registry import registry

REGISTRY = registry()

with platform_dag(
    "terraform_drift",
    __doc__,
    description="Monthly Terraform drift report per resource, notified only when it changes",
    schedule="0 6 1 * *",
    tags=["terraform", "drift", "platform"],
    max_active_runs=1,
    params={
        "stacks": Param([], type=["array", "null"], uniqueItems=True,
                        items={"type": "string", "enum": REGISTRY.stack_names()},
                        description="Stacks to check; empty means every stack marked drift_check."),
    },  # fmt: skip
) as dag:

    @task
    def select_stacks(params=None) -> list[str]:
        from platform_ops.terraform.drift_steps import stacks_to_check

        return stacks_to_check(params["stacks"] or [])

    @task(max_active_tis_per_dagrun=2)
    def check_stack(stack: str, run_id=None) -> dict:
        from platform_ops.terraform.drift_steps import check_stack

        return check_stack(stack, run_id)

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def notify(results) -> dict:
        from platform_ops.terraform.drift_steps import notify_changes

        return notify_changes(list(results))

    @task(trigger_rule=TriggerRule.ONE_FAILED, retries=0)
    def fail_if_a_stack_failed() -> None:
        """The run is failed when any stack could not be checked (each failed check sent its notice)."""
        raise FailureAlreadyNotified("at least one stack could not be checked; see the check_stack logs")

    checks = check_stack.expand(stack=select_stacks())
    notify(checks)
    checks >> fail_if_a_stack_failed()
