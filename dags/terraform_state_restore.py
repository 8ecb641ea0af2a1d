"""
terraform_state_restore: put an earlier S3 version of a stack's Terraform state back, after review.

### terraform_state_restore
Replaces the seed's `aws s3api list-object-versions` + `get-object --version-id` restore by hand.
**Manual only.**

1. `lock_stack` (setup): one run per stack; refused while another run (an apply, a restore) holds
   it. A listing or a dry run only checks that the stack is free.
2. `review_restore`: the state object's versions (time, size); for `version_id`, the resource
   addresses the restore brings back and those it forgets. Refused: an unknown version, the
   current one, or a version of another lineage. No `version_id`: the run lists and ends.
3. `restore_wanted`: a listing or a dry run ends here.
4. `approve`: a person reads the review (Required Actions; no answer means **Reject**).
5. `restore_version`: under the state lock, and only if the current version is still the
   reviewed one: copies it to `state-backups/<state key>/<run id>.tfstate` in the state bucket,
   then copies the chosen version onto the state key (S3 CopyObject with VersionId: a new current
   version; nothing is deleted).
6. `verify_restore`: `terraform plan` on the restored state; the state must hold exactly the
   reviewed addresses; the plan's changes are recorded.
7. `release_stack` (teardown): always runs.

Params: `stack`, `version_id` (empty: list the versions), `dry_run` (review only).

Leaves: `terraform/state-restores/<stack>/<run id>/restore-record.json` in the artifacts bucket
(versions, diff, who approved, backup, verify plan); the backup in the state bucket.
"""

from __future__ import annotations

from airflow.sdk import Param, chain, setup, task, teardown
from platform_ops.dag_defaults import fail_fast_policy, platform_dag
from platform_ops.registry import RegistryError, registry
from platform_ops.terraform.cli import StateLockedError
from platform_ops.terraform.gates import review_gate, run_lease_seconds
from platform_ops.terraform.lease import StackBusyError
from platform_ops.terraform.state_versions import RestoreRefused

REGISTRY = registry()
LEASE_SECONDS = run_lease_seconds()
NO_RETRY = fail_fast_policy(
    RestoreRefused, StackBusyError, StateLockedError, RegistryError, reason="a refused restore needs a person"
)

with platform_dag(
    "terraform_state_restore",
    __doc__,
    description="Restore an earlier S3 version of a stack's Terraform state, after review",
    schedule=None,
    tags=["terraform", "platform"],
    params={
        "stack": Param(REGISTRY.default_stack, type="string", enum=REGISTRY.stack_names(),
                       description="Stack whose state is restored (from the environment registry)."),
        "version_id": Param(None, type=["string", "null"], minLength=1, maxLength=1024,
                            pattern=r"^[A-Za-z0-9._+/=-]+$",
                            description="S3 version of the state to restore; empty lists the versions."),
        "dry_run": Param(False, type="boolean",
                         description="Review only: no lease, no approval asked, nothing written."),
    },  # fmt: skip
) as dag:

    @setup
    @task(retry_policy=NO_RETRY)
    def lock_stack(params=None, run_id=None, dag_run=None) -> dict:
        from platform_ops.terraform import lease

        stack = REGISTRY.stack(params["stack"])
        if params["dry_run"] or not params["version_id"]:
            lease.ensure_free(stack, holder=run_id)  # reads only
            return {"stack": stack.name, "leased": False}
        lease.acquire(stack, holder=run_id, ttl_seconds=LEASE_SECONDS, dag_id=dag_run.dag_id)
        return {"stack": stack.name, "leased": True}

    @task(retry_policy=NO_RETRY)
    def review_restore(locked: dict, params=None) -> dict:
        from platform_ops.terraform.state_restore_steps import review_restore

        return review_restore(locked["stack"], params["version_id"])

    @task.short_circuit
    def restore_wanted(review: dict, params=None) -> bool:
        return bool(review["chosen"]) and not params["dry_run"]

    approve = review_gate("approve", "Restore the Terraform state of {{ params.stack }}?", "review_restore")

    # A retry is safe: it restores only while the current version is still the reviewed one.
    @task(retry_policy=NO_RETRY)
    def restore_version(review: dict, approval: dict, run_id=None, dag_run=None) -> dict:
        from platform_ops.terraform.state_restore_steps import restore

        return restore(review, approval, run_id, dag_run.dag_id)

    @task(retry_policy=NO_RETRY)
    def verify_restore(review: dict, restored: dict, run_id=None) -> dict:
        from platform_ops.terraform.state_restore_steps import verify

        return verify(review, restored, run_id)

    @teardown
    def release_stack(locked: dict, run_id=None) -> None:
        from platform_ops.terraform import lease

        if locked["leased"]:
            lease.release(REGISTRY.stack(locked["stack"]), holder=run_id)

    locked = lock_stack()
    review = review_restore(locked)
    restored = restore_version(review, approve.output)
    verified = verify_restore(review, restored)
    chain(review, restore_wanted(review), approve, restored, verified)
    verified >> release_stack(locked)
