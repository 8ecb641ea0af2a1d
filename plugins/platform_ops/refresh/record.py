"""The record of a refresh run: one DynamoDB history item and one JSON evidence file in S3.

Both hold the same document (``run_record``): every execution ARN, the snapshot, each phase's
state and duration, the options, who triggered the run, and what cleanup removed. The evidence
file is write-once per try (``refresh/<destination>/run=<run id>/try=<n>/record.json``); the
history item (key ``destination`` + ``run_id``) is the latest try's.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from platform_ops.refresh.plan import PHASES, snapshot_used

FAILED_STATES = frozenset({"failed", "upstream_failed"})


def phase_table(breadcrumbs: list[dict]) -> dict[str, dict]:
    """``{task_id: {"phase", "state", "duration_seconds"}}`` of the finished steps."""
    out = {}
    for crumb in breadcrumbs:
        task_id = crumb["task_id"]
        if task_id not in PHASES:
            continue
        duration = crumb.get("duration")
        out[task_id] = {
            "phase": PHASES[task_id],
            "state": str(crumb.get("state")),
            "duration_seconds": round(float(duration), 3) if duration is not None else None,
        }
    return out


def failed_steps(phases: dict[str, dict]) -> list[str]:
    """Steps that failed themselves (not the ones held back by them), in phase order."""
    failed = [t for t, p in phases.items() if p["state"] == "failed"]
    return sorted(failed, key=lambda t: (int(PHASES[t].split()[0]), t))


def run_record(plan: dict, look, phases: dict, executions: dict, triggered_by: str, try_number: int) -> dict:
    cleanup = look.output("cleanup") or {}
    failed = failed_steps(phases)
    return {
        "destination": plan["destination"],
        "run_id": plan["run_id"],
        "try_number": try_number,
        "outcome": "failed" if failed else "succeeded",
        "failed_steps": [{"task_id": t, "phase": PHASES[t]} for t in failed],
        "triggered_by": triggered_by,
        "source": {k: plan["source"][k] for k in ("name", "AccountId")},
        "target": {k: plan["target"][k] for k in ("name", "AccountId")},
        "names": plan["names"],
        "snapshot": {**plan["snapshot"], **snapshot_used(plan, look)},
        "options": plan["options"],
        "plan_tags": plan.get("tags", []),
        "executions": executions,
        "phases": phases,
        "cleanup_removed": cleanup_removed(cleanup, plan),
    }


def cleanup_removed(cleanup_output: dict, plan: dict) -> list[str]:
    """What ``cleanup`` deleted: the ``-restore`` cluster and its instances, or nothing."""
    if cleanup_output.get("Status") != "Completed":
        return []
    return [f"cluster {plan['names']['restore']}"] + [
        f"instance {i}" for i in cleanup_output.get("DeletedInstanceIdentifiers") or []
    ]


def evidence_key(destination: str, run_id: str, try_number: int) -> str:
    return f"refresh/{destination}/run={run_id}/try={try_number}/record.json"


def to_dynamodb(value: Any) -> Any:
    """boto3's resource layer wants Decimal, not float."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: to_dynamodb(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_dynamodb(v) for v in value]
    return value
