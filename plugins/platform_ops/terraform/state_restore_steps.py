"""The steps of the terraform_state_restore DAG as plain functions (the DAG file only wires them).

Safety rules enforced here:
- the review shows the state's versions and, per resource address, what the restore brings back
  and what it forgets; no state content leaves the state bucket (state holds secrets);
- the restore runs only after an approval newer than the review, with the stack's lease held,
  and only if the current version is still the reviewed one;
- the state lock is held while the object is written, so no terraform writes at the same time;
- the current version is copied to a backup key first; the chosen one becomes a new current
  version, and a plan afterwards must show exactly the reviewed addresses.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from platform_ops.aws.access import aws_client
from platform_ops.aws.artifacts import ArtifactStore, safe_run_id
from platform_ops.registry import Stack, registry
from platform_ops.terraform.access import TerraformStackHook
from platform_ops.terraform.approval import NotApproved, approver
from platform_ops.terraform.plan_summary import summarize_plan
from platform_ops.terraform.state_locks import holding_state_lock
from platform_ops.terraform.state_versions import (
    RestoreRefused,
    address_diff,
    copy_version,
    current_sha256,
    diff_markdown,
    list_versions,
    read_version,
    state_addresses,
    versions_table,
)

log = logging.getLogger(__name__)


def _s3(stack: Stack):
    return aws_client(stack.account, "s3", stack.region)


def backup_key(stack: Stack, run_id: str) -> str:
    """Beside the state in its own bucket (same account, same encryption), outside its prefix."""
    return f"state-backups/{stack.state_key}/{safe_run_id(run_id)}.tfstate"


def record_key(stack_name: str, run_id: str) -> str:
    return f"terraform/state-restores/{stack_name}/{safe_run_id(run_id)}/restore-record.json"


def review_restore(stack_name: str, version_id: str | None) -> dict:
    """The versions (time, size) and, for ``version_id``, the address diff to the current state."""
    stack = registry().stack(stack_name)
    s3 = _s3(stack)
    versions = list_versions(stack, s3)
    current = next((v for v in versions if v.is_latest), None)
    if current is None or current.delete_marker:
        raise RestoreRefused(f"stack {stack_name!r} has no current state object to restore over")
    review = {"stack": stack_name, "versions": [v.as_dict() for v in versions], "current": current.as_dict(),
              "chosen": None, "reviewed_at": datetime.now(UTC).isoformat()}  # fmt: skip
    if not version_id:
        review["summary_md"] = versions_table(versions, {current.version_id: "current"})
        log.info("versions of %s (newest first):\n%s", stack_name, review["summary_md"])
        return review
    chosen = next((v for v in versions if v.version_id == version_id), None)
    if chosen is None or chosen.delete_marker:
        raise RestoreRefused(
            f"{version_id!r} is not a state version of {stack_name!r}; trigger without version_id to list them"
        )
    if chosen.is_latest:
        raise RestoreRefused(
            f"{version_id!r} is the current state of {stack_name!r} already; nothing to restore"
        )
    current_state, current_sha = read_version(stack, s3, current.version_id)
    chosen_state, chosen_sha = read_version(stack, s3, version_id)
    if chosen_state.get("lineage") != current_state.get("lineage"):
        raise RestoreRefused(
            f"version {version_id!r} has lineage {chosen_state.get('lineage')!r}, the current state "
            f"{current_state.get('lineage')!r}: it is another state, not an earlier one of this stack"
        )
    diff = address_diff(state_addresses(current_state), state_addresses(chosen_state))
    review.update(
        chosen=chosen.as_dict(),
        current_sha256=current_sha,
        chosen_sha256=chosen_sha,
        chosen_serial=chosen_state.get("serial"),
        current_serial=current_state.get("serial"),
        chosen_addresses=state_addresses(chosen_state),
        diff=diff,
    )
    marks = {current.version_id: "current", version_id: "**restore this**"}
    review["summary_md"] = (
        f"Restore the Terraform state of **{stack_name}** to version `{version_id}` "
        f"(serial {chosen_state.get('serial')}, written {chosen.last_modified}, {chosen.size} bytes)? "
        f"The current version `{current.version_id}` (serial {current_state.get('serial')}) is backed up first.\n\n"
        f"{diff_markdown(diff)}\n\n{versions_table(versions, marks)}"
    )
    log.info("restore review of %s:\n%s", stack_name, review["summary_md"])
    return review


def restore(review: dict, approval: dict | None, run_id: str, dag_id: str) -> dict:
    """Back up the current version, then copy the chosen one over it, under the state lock."""
    try:
        approved_by = approver(approval, review["reviewed_at"], "this state restore")
    except NotApproved as err:
        raise RestoreRefused(str(err)) from None
    stack = registry().stack(review["stack"])
    s3 = _s3(stack)
    who = f"platform-ops {dag_id} {run_id}"
    with holding_state_lock(
        stack, s3, who=who, operation="state-restore", info=f"restore {review['chosen']['version_id']}"
    ):
        current_id, current_sha = current_sha256(stack, s3)
        if (current_id, current_sha) != (review["current"]["version_id"], review["current_sha256"]):
            raise RestoreRefused(
                f"the state of {stack.name!r} changed since the review (now version {current_id}); "
                "nothing was restored. Trigger again to review the new state."
            )
        backup_version = copy_version(stack, s3, current_id, backup_key(stack, run_id))
        restored_version = copy_version(stack, s3, review["chosen"]["version_id"], stack.state_key)
        new_id, new_sha = current_sha256(stack, s3)
    if (new_id, new_sha) != (restored_version, review["chosen_sha256"]):
        raise RestoreRefused(
            f"after the copy the current state is {new_id} ({new_sha}), not the reviewed content"
        )
    log.info("restored %s to %s as new version %s; backup s3://%s/%s (version %s)", stack.name,
             review["chosen"]["version_id"], new_id, stack.state_bucket, backup_key(stack, run_id), backup_version)  # fmt: skip
    return {
        "approved_by": approved_by,
        "restored_version_id": new_id,
        "backup": {
            "bucket": stack.state_bucket,
            "key": backup_key(stack, run_id),
            "version_id": backup_version,
            "of_version_id": current_id,
        },  # fmt: skip
        "restored_at": datetime.now(UTC).isoformat(),
    }


def verify(review: dict, restored: dict, run_id: str) -> dict:
    """Plan on the restored state: it must hold exactly the reviewed addresses. Writes the record."""
    hook = TerraformStackHook(review["stack"])
    stack = hook.stack
    with hook.workspace(logger=log) as tf:
        tf.plan("tfplan", variables=stack.vars, lock_timeout="120s")
        summary = summarize_plan(tf.show_json("tfplan"))
        in_state = sorted(r["address"] for r in tf.state_resources())
    counts = {k: getattr(summary, k) for k in ("adds", "changes", "destroys", "replaces")}
    record = {
        "stack": stack.name,
        "run_id": run_id,
        "from_version_id": review["current"]["version_id"],
        "restored": review["chosen"],
        **restored,
        "diff": review["diff"],
        "verify": {
            "addresses_match": in_state == review["chosen_addresses"],
            "plan_counts": counts,
            "plan_resources": [f"{r['action']} {r['address']}" for r in summary.resources],
        },  # fmt: skip
    }
    ArtifactStore().put_json(record_key(stack.name, run_id), record)
    if in_state != review["chosen_addresses"]:
        missing = sorted(set(review["chosen_addresses"]) - set(in_state))
        extra = sorted(set(in_state) - set(review["chosen_addresses"]))
        raise RestoreRefused(
            f"the restored state of {stack.name!r} is not what was reviewed (missing {missing}, extra {extra}); "
            f"the previous state is at s3://{stack.state_bucket}/{restored['backup']['key']}"
        )
    log.info("verified %s: the state holds the reviewed %d addresses; the next plan: %s",
             stack.name, len(in_state), counts)  # fmt: skip
    return {"stack": stack.name, "addresses": len(in_state), "plan_counts": counts}
