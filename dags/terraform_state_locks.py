"""
terraform_state_locks: list every stack's held Terraform state lock, notify stale ones once, and
release one stale lock after a person approves it.

### terraform_state_locks
Replaces the seed's "scan the lock table, check no terraform runs, delete the lock entry by hand"
and `terraform force-unlock <LOCK_ID>` from a laptop. **Schedule:** hourly, and manual.

Each stack's lock is the S3 object `<state key>.tflock` beside its state (the backend's
`use_lockfile`; no stack locks in DynamoDB). A lock is **held by an Airflow run** while a running
DAG run holds the stack's lease; **stale** when it is older than `stale_after_minutes` and no
running run accounts for it.

Scan (no `lock_id`): `scan_locks` lists every lock (or the `stack` param's) with ID, operation,
who, terraform version, age and status → `notify_stale`: one SNS notice for stale locks not
notified before (a marker per lock keeps the next hours quiet).

Release (`lock_id` and `stack`): `check_lock` (still there, same ID, stale) → `approve_release`
(HITL: the holder's lock info; no answer means **Reject**) → `release_lock`: holds the stack's
lease, checks again, `terraform force-unlock -force <lock_id>`, checks the lock is gone. One lock,
never automatic.

Params: `stack`, `lock_id`, `stale_after_minutes` (default 60), `dry_run` (scan: nothing written or
sent; release: check only, no approval asked, nothing unlocked).

Leaves: `terraform/locks/runs/<run id>.json` (the scan), `terraform/locks/<stack>/notified/<lock>.json`
and `terraform/locks/<stack>/released/<lock id>.json` (who approved, the holder) in the artifacts bucket.
"""

from __future__ import annotations

from airflow.sdk import Param, chain, task
from platform_ops.dag_defaults import fail_fast_policy, platform_dag
from platform_ops.registry import RegistryError, registry
from platform_ops.terraform.cli import TerraformError
from platform_ops.terraform.gates import review_gate
from platform_ops.terraform.lease import StackBusyError
from platform_ops.terraform.state_locks import LockNotReleasable

REGISTRY = registry()
LOCK_ID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"  # terraform's lock IDs
NO_RETRY = fail_fast_policy(
    LockNotReleasable, StackBusyError, RegistryError, TerraformError, reason="a lock release needs a person"
)

with platform_dag(
    "terraform_state_locks",
    __doc__,
    description="Held Terraform state locks: list hourly, notify stale ones, release one after approval",
    schedule="@hourly",
    tags=["terraform", "platform"],
    # No max_active_runs=1: a release waiting hours for its approval must not hold up the scans.
    params={
        "stack": Param(None, type=["string", "null"], enum=[*REGISTRY.stack_names(), None],
                       description="Scan only this stack; with lock_id, the stack whose lock is released."),
        "lock_id": Param(None, type=["string", "null"], pattern=LOCK_ID,
                         description="Release this one stale lock (terraform's lock ID, from the notice)."),
        "stale_after_minutes": Param(60, type="integer", minimum=0, maximum=7 * 24 * 60,
                                     description="A lock older than this that no running run holds is stale."),
        "dry_run": Param(False, type="boolean",
                         description="Report only: no notice, no record, no approval asked, nothing unlocked."),
    },  # fmt: skip
) as dag:

    @task.branch
    def choose_path(params=None) -> str:
        if params["lock_id"] and not params["stack"]:
            raise RegistryError("lock_id needs stack: the stack whose state the lock is on")
        return "check_lock" if params["lock_id"] else "scan_locks"

    @task
    def scan_locks(params=None, ti=None, run_id=None) -> dict:
        from platform_ops.terraform.state_lock_steps import run_checker, scan

        names = [params["stack"]] if params["stack"] else REGISTRY.stack_names()
        return scan(names, run_checker(ti), params["stale_after_minutes"], params["dry_run"], run_id)

    @task
    def notify_stale(report: dict, params=None) -> dict:
        from platform_ops.terraform.state_lock_steps import notify_stale

        return notify_stale(report, params["dry_run"])

    @task(retry_policy=NO_RETRY)
    def check_lock(params=None, ti=None) -> dict:
        from platform_ops.terraform.state_lock_steps import check_lock, run_checker

        return check_lock(params["stack"], params["lock_id"], run_checker(ti), params["stale_after_minutes"])

    @task.short_circuit
    def release_wanted(review: dict, params=None) -> bool:
        """A dry run ends here: the lock was checked, nothing is asked or unlocked."""
        return not params["dry_run"]

    approve_release = review_gate(
        "approve_release", "Force-unlock the Terraform state of {{ params.stack }}?", review_task_id="check_lock"
    )

    @task(retry_policy=NO_RETRY)
    def release_lock(review: dict, approval: dict, params=None, ti=None, run_id=None, dag_run=None) -> dict:
        from platform_ops.terraform.state_lock_steps import release, run_checker

        return release(review, approval, run_checker(ti), params["stale_after_minutes"], run_id, dag_run.dag_id)

    path = choose_path()
    scanned = scan_locks()
    checked = check_lock()
    path >> [scanned, checked]
    notify_stale(scanned)
    chain(checked, release_wanted(checked), approve_release, release_lock(checked, approve_release.output))
