"""The steps of the terraform_drift DAG as plain functions (the DAG file only wires them).

Reports live in the artifacts bucket: ``terraform/drift/<stack>/runs/<run id>.json`` for every
run, and ``terraform/drift/<stack>/latest.json`` for the last report that was notified. A notice
goes out only when a stack's drift differs from its ``latest.json``, so the same drift found
every month does not page anyone twice, and drift that is fixed is announced once too.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from platform_ops.aws.artifacts import ArtifactStore, safe_run_id
from platform_ops.notify import send_notice
from platform_ops.registry import registry
from platform_ops.terraform.access import TerraformStackHook
from platform_ops.terraform.drift import drift_report, eks_nodegroup_mismatches, load_ignore_rules
from platform_ops.terraform.plan_diff import describe

log = logging.getLogger(__name__)


def stacks_to_check(requested: list[str]) -> list[str]:
    """The requested stacks (validated), or every stack the registry marks for drift checks."""
    reg = registry()
    if requested:
        return [reg.stack(name).name for name in requested]
    return [name for name in reg.stack_names() if reg.stack(name).drift_check]


def check_stack(stack_name: str, run_id: str) -> dict:
    """Plan the stack read-only and store its drift report; returns a small summary for XCom."""
    hook = TerraformStackHook(stack_name)
    stack = hook.stack
    eks_hook = hook.aws_hook("eks")
    with hook.workspace(logger=log) as tf:
        tf.plan("tfplan", variables=stack.vars, lock_timeout="120s")
        plan_json = tf.show_json("tfplan")
        eks = eks_nodegroup_mismatches(
            tf.state_resources(), lambda cluster: eks_hook.list_nodegroups(clusterName=cluster)
        )
    report = drift_report(stack_name, plan_json, load_ignore_rules(), eks)
    report.update({"run_id": run_id, "checked_at": datetime.now(UTC).isoformat(), "account": stack.account.name})
    key = f"terraform/drift/{stack_name}/runs/{safe_run_id(run_id)}.json"
    ArtifactStore().put_json(key, report)
    for item in report["drifted"]:
        changes = "; ".join(describe(row) for row in item["changes"])
        log.info("drift in %s: %s %s %s", stack_name, item["address"], item["actions"], changes)
    return {
        "stack": stack_name,
        "report_key": key,
        "fingerprint": report["fingerprint"],
        "has_drift": report["has_drift"],
        "drifted": [d["address"] for d in report["drifted"]],
        "eks_nodegroups": report["eks_nodegroups"],
    }


MAX_NOTICE_ATTRIBUTES = 10  # per resource; the report in S3 has them all


def _message(changed: list[dict], reports: dict[str, dict], bucket: str) -> str:
    lines = ["Terraform drift changed since the last report:", ""]
    for item in changed:
        state = "DRIFTED" if item["has_drift"] else "back in line with the code"
        lines.append(f"- {item['stack']}: {state}")
        for entry in reports[item["stack"]]["drifted"]:
            lines.append(f"    {entry['address']} ({entry['source']}: {'/'.join(entry['actions'])})")
            rows = entry.get("changes", [])
            lines += [f"      {describe(row)}" for row in rows[:MAX_NOTICE_ATTRIBUTES]]
            if len(rows) > MAX_NOTICE_ATTRIBUTES:
                lines.append(f"      … {len(rows) - MAX_NOTICE_ATTRIBUTES} more attribute(s) in the report")
        lines += [f"    EKS node group {m['cluster']}/{m['nodegroup']}: {m['problem']}" for m in item["eks_nodegroups"]]
        lines.append(f"    report: s3://{bucket}/{item['report_key']}")
    return "\n".join(lines)


def notify_changes(results: list[dict | None]) -> dict:
    """One notice for every stack whose drift differs from its last notified report."""
    store = ArtifactStore()
    clean = drift_report("", {}, [])["fingerprint"]
    results = list(filter(None, results))
    reports = {result["stack"]: store.get_json(result["report_key"]) for result in results}
    changed = []
    for result in results:
        latest = store.get_json(f"terraform/drift/{result['stack']}/latest.json")
        previous = latest["fingerprint"] if latest else clean
        if result["fingerprint"] != previous:
            changed.append(result)
    if changed:
        stacks = ", ".join(item["stack"] for item in changed)
        send_notice(f"[platform-ops] Terraform drift changed: {stacks}", _message(changed, reports, store.bucket))
    for stack, report in reports.items():  # only after the notice went out: nothing is lost
        store.put_json(f"terraform/drift/{stack}/latest.json", report)
    return {"notified": bool(changed), "changed": [item["stack"] for item in changed]}
