"""
terraform_apply: plan a stack, show the plan to a reviewer, apply exactly what was approved.

### terraform_apply
Replaces `terraform plan && terraform apply` from a laptop. **Manual only.**

1. `lock_stack`: one run per stack at a time (a lease next to the Terraform state lock).
2. `plan`: `init` + `plan -out`, stored in the artifacts bucket under
   `terraform/plans/<stack>/<run id>/` with its summary. Destroys or replacements are refused
   unless `allow_destroy` is true.
3. `changes_to_review`: a plan with no changes ends the run here.
4. `approval_route`: the stack's approval policy (registry `approval`, default `required`).
   `auto_when_no_destroy` goes to `auto_approved` when the plan destroys and replaces nothing;
   every other plan, and every plan of a production account's stack, goes to `approve`.
   `approve`: a person reads the per-resource summary and approves or rejects (Required Actions
   in the UI). No answer within the timeout counts as **Reject**.
5. `apply`: applies the exact reviewed plan (SHA-256 checked). A plan made stale by another
   change is refused; plan again. A held state lock fails with who holds it; never force-unlocked.
6. `release_stack` (teardown): always runs.

Leaves: `plan-summary.json`, `tfplan` and `apply-record.json` (who approved or which policy let
the plan through without review, outputs) in S3.
"""

from __future__ import annotations

from airflow.sdk import Param, TriggerRule, chain, setup, task, teardown
from platform_ops.dag_defaults import platform_dag
from platform_ops.registry import registry
from platform_ops.terraform.gates import review_gate, run_lease_seconds
from platform_ops.terraform.retry import terraform_no_retry_policy

REGISTRY = registry()
NO_RETRY = terraform_no_retry_policy()
LEASE_SECONDS = run_lease_seconds()

with platform_dag(
    "terraform_apply",
    __doc__,
    description="Plan, review and apply one Terraform stack",
    schedule=None,
    tags=["terraform", "platform"],
    max_active_tasks=4,
    params={
        "stack": Param(REGISTRY.default_stack, type="string", enum=REGISTRY.stack_names(),
                       description="Stack under terraform/stacks/ (from the environment registry)."),
        "vars": Param({}, type=["object", "null"],
                      description="Optional Terraform variables, merged over the registry's.",
                      additionalProperties={"type": ["string", "number", "boolean", "array", "object"]}),
        "targets": Param([], type=["array", "null"], description="Optional -target resource addresses.",
                         items={"type": "string", "pattern": r"^[A-Za-z0-9_.\-\[\]\"]+$"}, uniqueItems=True),
        "allow_destroy": Param(False, type="boolean",
                               description="Allow a plan that destroys or replaces resources."),
    },  # fmt: skip
) as dag:

    @setup
    def lock_stack(params=None, run_id=None, dag_run=None) -> str:
        from platform_ops.terraform import lease

        stack = REGISTRY.stack(params["stack"])
        lease.acquire(stack, holder=run_id, ttl_seconds=LEASE_SECONDS, dag_id=dag_run.dag_id)
        return params["stack"]

    @task(retry_policy=NO_RETRY)
    def plan(stack: str, params=None, run_id=None) -> dict:
        from platform_ops.terraform.apply_steps import make_plan

        variables, targets = params["vars"] or {}, params["targets"] or []  # the form may send null
        return make_plan(stack, variables, targets, params["allow_destroy"], run_id)

    @task.short_circuit
    def changes_to_review(review: dict) -> bool:
        return review["has_changes"]

    @task.branch
    def approval_route(review: dict) -> str:
        return "approve" if review["approval"]["review_required"] else "auto_approved"

    @task
    def auto_approved(review: dict) -> dict:
        """No person needed: the policy allows it and the plan destroys nothing (re-checked at apply)."""
        return review["approval"]

    approve = review_gate("approve", "Apply Terraform plan for {{ params.stack }}?", review_task_id="plan")

    # Runs after either gate; a Reject skips it (ApprovalOperator skips everything downstream).
    @task(retry_policy=NO_RETRY, trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
    def apply(review: dict, approval: dict | None, params=None, run_id=None) -> dict:
        from platform_ops.terraform.apply_steps import apply_reviewed_plan

        return apply_reviewed_plan(review, approval, params["allow_destroy"], run_id)

    @teardown
    def release_stack(stack: str, run_id=None) -> None:
        from platform_ops.terraform import lease

        lease.release(REGISTRY.stack(stack), holder=run_id)

    locked = lock_stack()
    review = plan(locked)
    applied = apply(review, approve.output)
    gates = [approve, auto_approved(review)]
    chain(review, changes_to_review(review), approval_route(review), gates, applied)
    applied >> release_stack(locked)
