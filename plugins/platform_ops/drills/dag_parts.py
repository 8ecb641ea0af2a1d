"""The start every drill DAG shares: preflight → dry_run_gate (→ dry_run) → approve.

Called inside the DAG's context; ``steps_module`` names the module whose ``preflight(spec_name,
params, logical_date)`` plans the drill (imported in the task, never at parse time). A
``DrillRefused`` fails the preflight without retries, with its reason; so does a scheduled run
that starts more than an hour after its slot (``spec.refuse_late_scheduled_start``).
"""

from __future__ import annotations

from datetime import timedelta

from airflow.providers.standard.operators.hitl import ApprovalOperator
from airflow.sdk import task

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


def approval_timeout(spec: Spec) -> timedelta:
    return timedelta(hours=spec.raw.get("approval", {}).get("timeout_hours", 4))
