"""The start every drill DAG shares: preflight → dry_run_gate (→ dry_run) → approve.

Called inside the DAG's context; ``steps_module`` names the module whose ``preflight(spec_name,
params, logical_date)`` plans the drill (imported in the task, never at parse time). A
``DrillRefused`` fails the preflight without retries, with its reason; so does a scheduled run
that starts more than an hour after its slot (``spec.refuse_late_scheduled_start``).
"""

from __future__ import annotations

from datetime import timedelta

from airflow.providers.standard.operators.hitl import ApprovalOperator
from airflow.sdk import Param, task

from platform_ops.drills.spec import Spec


def planning_tasks(spec: Spec, spec_name: str, steps_module: str, body: str):
    """``(plan, gate, approve)``: the preflight's XCom, the dry-run branch and the approval."""

    @task
    def preflight(params=None, logical_date=None, dag_run=None) -> dict:
        import importlib
        from datetime import UTC, datetime

        from airflow.sdk.exceptions import AirflowFailException

        from platform_ops.drills.spec import DrillRefused, refuse_late_scheduled_start

        try:
            run_type = getattr(dag_run, "run_type", None)
            refuse_late_scheduled_start(spec, run_type, logical_date, datetime.now(UTC))
            return importlib.import_module(steps_module).preflight(spec_name, params, logical_date)
        except DrillRefused as err:
            raise AirflowFailException(str(err)) from None

    @task.branch
    def dry_run_gate(plan: dict) -> str:
        return "dry_run" if plan["dry_run"] else "approve"

    @task
    def dry_run(plan: dict) -> dict:
        """Nothing is changed: the plan is the output."""
        return {
            "blast_radius": plan["blast_radius_text"],
            "calls": plan["calls"],
            "steady_state": plan["steady_state"],
        }

    approve = ApprovalOperator(
        task_id="approve",
        subject=f"Run the drill {spec['title']}?",
        body=body,
        defaults=["Reject"],
        response_timeout=approval_timeout(spec),
        retries=0,
    )
    plan = preflight()
    gate = dry_run_gate(plan)
    gate >> dry_run(plan)
    return plan, gate, approve


def drill_params(spec: Spec, hold: str, hold_maximum: int = 7200, dry_run: str = "", **more: Param) -> dict:
    """Every drill's form: ``dry_run``, the drill's own ``more``, then ``hold_seconds`` (the spec's hold)."""
    return {
        "dry_run": Param(
            False, type="boolean", description=dry_run or "Resolve, check and print the calls; change nothing."
        ),
        **more,
        "hold_seconds": Param(
            spec.waits[-1].get("seconds", 60), type="integer", minimum=0, maximum=hold_maximum, description=hold
        ),
    }


def approval_timeout(spec: Spec) -> timedelta:
    return timedelta(hours=spec.raw.get("approval", {}).get("timeout_hours", 4))
