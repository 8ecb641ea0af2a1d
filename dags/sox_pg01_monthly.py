"""
### SOX PG-01 monthly reconciliation (`sox_pg01_monthly`)

Runs the SOXauto PG-01 (C-PG-1) reconciliation once a month, **one Fargate task per legal
entity**, and leaves for every run an immutable, verifiable evidence record in S3.
Replaces the EventBridge cron `cron(0 9 1 * ? *)` of the original design.

**When:** the 3rd of each month at 06:00 UTC, for the month that just closed. The 1st at
09:00 is too early: IPE_12 reads the SQL Server clock (`GETDATE()`) and cuts off a month early
on the 1st and 2nd, and the month-end close (CR_04 closing balances, FX closing rates) is rarely
loaded by then. A readiness pre-flight on the same task definition checks the database path and
that CR_04 has live rows for the cutoff before any company runs.

**Params:** `period` (`YYYY-MM`, empty = the month that just closed), `companies` (full company
codes such as `EC_NG`; default: the scheduled ones in `platform_ops/sox/pg01.json`), `ipes`
(optional subset of items), `dry_run` (log the ECS overrides and whether a real run would be
refused, and why; start nothing, write nothing, succeed).

**Steps:** resolve period → cutoff (last calendar day) → dry-run gate → connectivity/readiness
pre-flight → per company (pool `sox_pg01_db`, one slot: the job's `##temp` tables collide):
run the container → verify (exit code, result JSON, live sources, quality, evidence packages and
their integrity) → manifest (SHA-256 of every object) → move
`latest.json` (only if verified) → notices (incident / per-company summary / variance). A real
run that is too early is refused in `resolve_period` with one log line and one incident notice;
every failed step sends its own notice, and `run_outcome` (which fails the run) sends none.

**Leaves behind:** `s3://<evidence bucket>/sox-automation/pg01/period=YYYY-MM/company=<CODE>/`
`run=<dag run id>-try<n>/` with `result.json`, `run.json`, `evidence/`, `outputs/`,
`verification.json`, `manifest.json`; and `latest.json` per period and company.
ECS failures are retried with exponential backoff; verification failures are terminal.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import Param, TriggerRule, get_current_context, task, task_group
from platform_ops.dag_defaults import platform_dag
from platform_ops.notify import FailureAlreadyNotified, FailureNotifier
from platform_ops.sox import steps
from platform_ops.sox.catalog import ITEMS
from platform_ops.sox.config import COMPANY_CODE, config
from platform_ops.sox.contract import MODE_PREFLIGHT, MODE_RECONCILE
from platform_ops.sox.operators import Pg01RunTaskOperator, pg01_ecs_kwargs
from platform_ops.sox.period import PERIOD_PATTERN

CONFIG = config()  # a small validated file in the repo, read once per process; no AWS call
ECS_SETTINGS = pg01_ecs_kwargs(CONFIG)  # shared by both ECS steps (pre-flight and per-company run)

with platform_dag(
    "sox_pg01_monthly",
    __doc__,
    description="SOX PG-01 reconciliation on Fargate, verified and archived as audit evidence",
    schedule="0 6 3 * *",
    tags=["sox", "ecs", "audit-evidence"],
    retries=1,
    retry_delay=timedelta(minutes=1),
    notifier=FailureNotifier(compose=steps.incident_notice),
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=8),
    params={
        "period": Param(
            None,
            type=["null", "string"],
            pattern=PERIOD_PATTERN,
            title="Period (YYYY-MM)",
            description="Month to reconcile, e.g. 2026-04. Empty: the month that just closed.",
        ),
        "companies": Param(
            CONFIG.scheduled_companies,
            type="array",
            minItems=1,
            uniqueItems=True,
            items={"type": "string", "pattern": COMPANY_CODE, "enum": CONFIG.company_codes},
            title="Companies",
            description="Full company codes (EC_NG, not NG); one Fargate task each, one at a time.",
        ),
        "ipes": Param(
            None,
            type=["null", "array"],
            items={"type": "string", "enum": list(ITEMS)},
            uniqueItems=True,
            title="Items",
            description="Optional subset of items (--ipes). Empty: the configured default list.",
        ),
        "dry_run": Param(
            False,
            type="boolean",
            title="Dry run",
            description="Resolve and log the ECS overrides; start no ECS task and write nothing.",
        ),
    },
) as dag:

    @task
    def resolve_period(params=None, dag_run=None) -> dict:
        """Period, cutoff (last calendar day), companies and items; refuses a real run that is too early."""
        return steps.resolve_run(params, dag_run.run_after)

    @task
    def plan_companies(run: dict) -> list[dict]:
        """One plan per company, for the mapped ``reconcile`` group."""
        return steps.company_plans(run)

    @task.short_circuit
    def dry_run_gate(run: dict, run_id=None) -> bool:
        """Log the exact overrides and any refusal a real run would meet; stop here when ``dry_run``."""
        return steps.describe_dry_run(run, run_id)

    resolved = resolve_period()

    preflight = Pg01RunTaskOperator(
        task_id="preflight",
        mode=MODE_PREFLIGHT,
        plan=resolved,
        doc_md="Connection check + CR_04 readiness on the same task definition (no DB path = clear failure).",
        **ECS_SETTINGS,
    )

    # Mapped instances are labelled by company in the UI (and in failure notices).
    by_company = "{{ task.op_kwargs['plan']['company'] }}"

    @task_group
    def reconcile(plan: dict):
        """One company: container run → verification → manifest → pointer."""
        run_job = Pg01RunTaskOperator(
            task_id="run_job",
            mode=MODE_RECONCILE,
            plan=plan,
            max_active_tis_per_dagrun=1,
            map_index_template="{{ task.plan['company'] }}",
            **ECS_SETTINGS,
        )

        @task(map_index_template=by_company)
        def verify(plan: dict, record: dict, run_id=None) -> dict:
            """The verification checklist over what the container uploaded; writes verification.json."""
            return steps.verify(plan, record, run_id)

        @task(map_index_template=by_company)
        def write_manifest(plan: dict, record: dict, report: dict) -> dict:
            """Immutable manifest: run ids, ECS task, image digest, log stream, SHA-256 of every object."""
            return steps.write_manifest(plan, record, report, get_current_context())

        # Task id ``publish``: the evidence is published by moving latest.json to it.
        @task(task_id="publish", map_index_template=by_company)
        def move_latest(plan: dict, record: dict, report: dict, manifest: dict, run_id=None) -> dict:
            """Move latest.json if verified; a failed verification ends here, terminally."""
            return steps.move_latest(plan, record, report, manifest, run_id)

        report = verify(plan=plan, record=run_job.output)
        manifest = write_manifest(plan=plan, record=run_job.output, report=report)
        # No return value: expand() then yields the group, so dependencies bind to all of it.
        move_latest(plan=plan, record=run_job.output, report=report, manifest=manifest)

    per_company = reconcile.expand(plan=plan_companies(resolved))

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def notify(ti=None) -> dict:
        """Per-company success summary and variance notices (failures were notified as they happened)."""
        run = ti.xcom_pull(task_ids="resolve_period")
        # Pulled rather than passed as an argument: with all_done, failed companies have no value,
        # and a list of task ids returns the values of the map indexes that succeeded.
        summaries = ti.xcom_pull(task_ids=["reconcile.publish"]) or []
        return steps.notify_outcome(run, summaries)

    @task(trigger_rule=TriggerRule.ONE_FAILED, retries=0)
    def run_outcome():
        """Marks the DAG run failed when any step failed (notify always runs, so it cannot).

        No notice of its own: each failed step sent one (one notice per failure cause).
        """
        raise FailureAlreadyNotified(
            "the SOX PG-01 run failed: at least one step failed (see its own incident notice); "
            "no latest.json was moved for a company that was not verified"
        )

    gate = dry_run_gate(resolved)
    outcome = run_outcome()
    gate >> preflight >> per_company >> notify() >> outcome
    [preflight, per_company] >> outcome
