"""The steps of the terraform_apply DAG as plain functions (the DAG file only wires them).

Safety rules enforced here, not in the DAG wiring:
- the plan that is applied is byte-for-byte the plan that was reviewed (SHA-256 checked);
- the approval must be newer than the plan, so a re-plan always needs a new review;
- destroys and replacements are refused unless the run asked for ``allow_destroy``;
- a plan skips the human review only where the stack's approval policy allows it and the plan
  destroys and replaces nothing (``approval.decide``, checked again on the plan being applied);
- a stale plan or a held state lock fails with terraform's reason, never retried blindly.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from platform_ops.aws.artifacts import ArtifactStore, safe_run_id
from platform_ops.terraform.access import TerraformStackHook
from platform_ops.terraform.approval import ApprovalDecision, NotApproved, approver, decide
from platform_ops.terraform.plan_summary import summarize_plan

log = logging.getLogger(__name__)


class PlanRefused(RuntimeError):
    """The plan breaks a rule of this run (e.g. it destroys without allow_destroy)."""


def plan_prefix(stack: str, run_id: str) -> str:
    return f"terraform/plans/{stack}/{safe_run_id(run_id)}"


def make_plan(stack_name: str, variables: dict, targets: list[str], allow_destroy: bool, run_id: str) -> dict:
    """init + plan to a saved file, stored in S3 with its JSON and summary; returns the review."""
    hook = TerraformStackHook(stack_name)
    stack = hook.stack
    merged_vars = {**(stack.vars or {}), **variables}
    store = ArtifactStore()
    prefix = plan_prefix(stack_name, run_id)
    with hook.workspace(logger=log) as tf:
        has_changes = tf.plan("tfplan", variables=merged_vars, targets=targets)
        plan_json = tf.show_json("tfplan")
        summary = summarize_plan(plan_json)
        if summary.destroying and not allow_destroy:
            raise PlanRefused(
                f"the plan for {stack_name} destroys or replaces {len(summary.destroying)} resource(s): "
                f"{', '.join(summary.destroying)}. Trigger again with allow_destroy=true if that is intended."
            )
        plan_sha = store.upload_file(f"{prefix}/tfplan", tf.workdir / "tfplan")
    decision = decide(stack, summary.destroying)
    planned_at = datetime.now(UTC).isoformat()
    full_plan = f"`s3://{store.bucket}/{prefix}/` (`tfplan`, `plan-summary.json`) and the log of the `plan` task"
    review = {
        "stack": stack_name,
        "account": stack.account.name,
        "has_changes": has_changes and summary.has_changes,
        "plan_key": f"{prefix}/tfplan",
        "plan_sha256": plan_sha,
        "planned_at": planned_at,
        "counts": {k: getattr(summary, k) for k in ("adds", "changes", "destroys", "replaces")},
        "approval": decision.as_dict(),
        "summary_md": summary.markdown(stack_name, full_plan)
        + f"\n\nPlan SHA-256: `{plan_sha}`\n\n{decision.sentence()}",
    }
    store.put_json(f"{prefix}/plan-summary.json", {**review, "resources": summary.resources})
    return review


def check_approval(review: dict, approval: dict | None) -> str:
    """Who approved; raises unless the approval is an Approve given after this plan was made."""
    try:
        return approver(approval, review["planned_at"], "this plan")
    except NotApproved as err:
        raise PlanRefused(str(err)) from None


def apply_reviewed_plan(review: dict, approval: dict | None, allow_destroy: bool, run_id: str) -> dict:
    """Apply exactly the reviewed plan; writes an apply record next to it in S3.

    ``approval`` is the HITL answer, or None when the gate was skipped by the stack's policy: the
    policy is then decided again on the downloaded plan, and a plan it does not let through is refused.
    """
    store = ArtifactStore()
    hook = TerraformStackHook(review["stack"])
    with hook.workspace(logger=log) as tf:
        with tempfile.TemporaryDirectory() as tmp:
            local_plan = Path(tmp) / "tfplan"
            sha = store.download_file(review["plan_key"], local_plan)
            if sha != review["plan_sha256"]:
                raise PlanRefused(
                    f"the stored plan's SHA-256 {sha} differs from the reviewed {review['plan_sha256']}; "
                    "refusing to apply an unreviewed plan"
                )
            summary = summarize_plan(tf.show_json(str(local_plan)))
            if summary.destroying and not allow_destroy:
                raise PlanRefused(f"the plan destroys {summary.destroying} and allow_destroy is false")
            decision = decide(hook.stack, summary.destroying)
            approved_by = resolve_approver(review, approval, decision)
            tf.apply_plan(str(local_plan))
        outputs = tf.output(include_sensitive=False)  # sensitive values never reach XCom or logs
    record = {
        "stack": review["stack"],
        "run_id": run_id,
        "plan_sha256": review["plan_sha256"],
        "approved_by": approved_by,
        "approval": {**decision.as_dict(), "approved_by": approved_by},
        "applied_at": datetime.now(UTC).isoformat(),
        "counts": review["counts"],
        "outputs": outputs,
    }
    store.put_json(f"{plan_prefix(review['stack'], run_id)}/apply-record.json", record)
    return record


def resolve_approver(review: dict, approval: dict | None, decision: ApprovalDecision) -> str | None:
    """The approver's name; None for a plan the policy applies without review (the gate skipped)."""
    if approval is None and not decision.review_required:
        log.info("applied without review: policy %s, since %s", decision.policy, decision.reason)
        return None
    if approval is None:
        raise PlanRefused(f"the plan needs a person's approval ({decision.reason}) and none was given")
    return check_approval(review, approval)
