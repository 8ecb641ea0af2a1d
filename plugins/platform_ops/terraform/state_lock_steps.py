"""The steps of the terraform_state_locks DAG as plain functions (the DAG file only wires them).

Two paths. The scan (hourly) lists every stack's held lock, says which are stale, and notifies a
stale lock once: a marker per notified lock in the artifacts bucket
(``terraform/locks/<stack>/notified/<lock>.json``) keeps the next hour quiet. The release (manual,
one ``lock_id``) re-checks that the lock is still stale, waits for a person, checks again with
the stack's lease held, and runs ``terraform force-unlock`` with that ID. Nothing is ever
unlocked without that approval, and never more than the one lock.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from platform_ops.aws.access import aws_client
from platform_ops.aws.artifacts import ArtifactStore, safe_run_id
from platform_ops.notify import send_notice
from platform_ops.registry import Stack, registry
from platform_ops.terraform import lease
from platform_ops.terraform.access import TerraformStackHook
from platform_ops.terraform.approval import NotApproved, approver
from platform_ops.terraform.state_locks import (
    STALE,
    LockNotReleasable,
    LockStatus,
    RunningCheck,
    classify,
    holder_table,
    read_lock,
)

log = logging.getLogger(__name__)
# The release holds the stack while it re-checks and unlocks: minutes, not an approval's hours.
RELEASE_LEASE_SECONDS = 900


def run_checker(ti) -> RunningCheck:
    """``is_running(dag_id, run_id)`` through the Task SDK (a task cannot query the metadata DB)."""
    return lambda dag_id, run_id: ti.get_dr_count(dag_id=dag_id, run_ids=[run_id], states=["running"]) > 0


def lock_status(
    stack: Stack, is_running: RunningCheck, stale_after_minutes: int, own_run: str = ""
) -> LockStatus | None:
    """The stack's held lock with its status, or None when the state is not locked.

    ``own_run``: the run asking, whose own lease on the stack does not account for the lock.
    """
    lock = read_lock(stack, aws_client(stack.account, "s3", stack.region))
    if lock is None:
        return None
    held = lease.current(stack)
    if held and held.holder == own_run:
        held = None
    return classify(lock, held, is_running, datetime.now(UTC), stale_after_minutes * 60)


def _notified_key(status: dict) -> str:
    return f"terraform/locks/{status['stack']}/notified/{status['name']}.json"


def scan(
    stack_names: list[str], is_running: RunningCheck, stale_after_minutes: int, dry_run: bool, run_id: str
) -> dict:
    """Every held lock of ``stack_names`` with holder, operation, who, age and status."""
    reg = registry()
    locks = []
    for name in stack_names:
        status = lock_status(reg.stack(name), is_running, stale_after_minutes)
        if status is None:
            continue
        row = status.as_dict()
        log.info("%s: lock %s (%s by %s, %s old): %s, %s", name, row["name"], row["operation"], row["who"],
                 row["age"], row["status"], row["reason"])  # fmt: skip
        locks.append(row)
    report = {"run_id": run_id, "scanned_at": datetime.now(UTC).isoformat(), "stacks": stack_names,
              "stale_after_minutes": stale_after_minutes, "locks": locks}  # fmt: skip
    if not dry_run:
        ArtifactStore().put_json(f"terraform/locks/runs/{safe_run_id(run_id)}.json", report)
    return report


def notify_stale(report: dict, dry_run: bool) -> dict:
    """One notice for the stale locks not notified before; then a marker for each."""
    store = ArtifactStore()
    stale = [row for row in report["locks"] if row["status"] == STALE]
    new = [row for row in stale if store.get_json(_notified_key(row)) is None]
    if not new:
        return {"stale": len(stale), "notified": []}
    lines = ["Terraform state locks left behind (no running Airflow run holds their stack):", ""]
    for row in new:
        lines += [f"- {row['stack']}: lock {row['name']}, {row['operation']} by {row['who']} "
                  f"(terraform {row['version']}), created {row['created']}, {row['age']} old"]  # fmt: skip
    lines += ["", "If the holder is really gone, release one lock with terraform_state_locks, params "
              '{"stack": "<stack>", "lock_id": "<lock ID>"} (a person approves it after a re-check).']  # fmt: skip
    names = [row["name"] for row in new]
    if dry_run:
        log.info("dry run: would notify %s:\n%s", names, "\n".join(lines))
        return {"stale": len(stale), "notified": [], "would_notify": names}
    send_notice(f"[platform-ops] {len(new)} stale Terraform state lock(s)", "\n".join(lines))
    for row in new:  # only after the notice went out: a failed send is retried next hour
        store.put_json(_notified_key(row), {**row, "notified_at": datetime.now(UTC).isoformat()})
    return {"stale": len(stale), "notified": names}


def _releasable(
    stack: Stack, lock_id: str, is_running: RunningCheck, stale_after_minutes: int, own_run: str = ""
) -> LockStatus:
    status = lock_status(stack, is_running, stale_after_minutes, own_run)
    if status is None:
        raise LockNotReleasable(f"stack {stack.name!r} holds no state lock now; nothing to release")
    if status.lock.id != lock_id:
        raise LockNotReleasable(
            f"stack {stack.name!r} is locked by {status.lock.name}, not {lock_id}; "
            "only the lock named by lock_id is ever released. Check the lock again and trigger anew."
        )
    if status.status != STALE:
        raise LockNotReleasable(
            f"lock {lock_id} on {stack.name!r} is not stale ({status.status}: {status.reason})"
        )
    return status


def check_lock(stack_name: str, lock_id: str, is_running: RunningCheck, stale_after_minutes: int) -> dict:
    """The one lock to release, re-checked: still there, this ID, stale. Returns the review."""
    stack = registry().stack(stack_name)
    status = _releasable(stack, lock_id, is_running, stale_after_minutes)
    return {
        "stack": stack_name,
        "lock": status.as_dict(),
        "checked_at": datetime.now(UTC).isoformat(),
        "summary_md": (
            f"Release the Terraform state lock of **{stack_name}** with `terraform force-unlock {lock_id}`?\n\n"
            f"{holder_table(status)}\n\n"
            "Approve only if the holder is really gone: a terraform still running under this lock "
            "would then write state that another run may overwrite."
        ),
    }


def release(review: dict, approval: dict | None, is_running: RunningCheck, stale_after_minutes: int,
            run_id: str, dag_id: str) -> dict:  # fmt: skip
    """After the approval: hold the stack, check again, ``force-unlock`` the one lock, record it."""
    lock_id = review["lock"]["id"]
    try:
        approved_by = approver(approval, review["checked_at"], f"the release of lock {lock_id}")
    except NotApproved as err:
        raise LockNotReleasable(str(err)) from None
    hook = TerraformStackHook(review["stack"])
    stack = hook.stack
    lease.acquire(stack, holder=run_id, ttl_seconds=RELEASE_LEASE_SECONDS, dag_id=dag_id)
    try:
        status = _releasable(stack, lock_id, is_running, stale_after_minutes, own_run=run_id)
        with hook.workspace(logger=log) as tf:
            tf.force_unlock(lock_id)
        if read_lock(stack, aws_client(stack.account, "s3", stack.region)) is not None:
            raise LockNotReleasable(
                f"terraform force-unlock {lock_id} ran, yet {stack.name!r} is still locked"
            )
    finally:
        lease.release(stack, holder=run_id)
    record = {"stack": stack.name, "run_id": run_id, "released_at": datetime.now(UTC).isoformat(),
              "approved_by": approved_by, "lock": status.as_dict()}  # fmt: skip
    ArtifactStore().put_json(f"terraform/locks/{stack.name}/released/{lock_id}.json", record)
    log.info(
        "released lock %s of %s (held by %s), approved by %s",
        lock_id,
        stack.name,
        status.lock.who,
        approved_by,
    )
    return record
