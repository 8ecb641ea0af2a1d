"""
dr_aurora_switchover_semiannual: the half-yearly Aurora Global switchover to us-east-1 and back,
with measured RTO and RPO, the stop watch, and the switch home as the always-running rollback.

### dr_aurora_switchover_semiannual
Replaces the half-yearly "promote the secondary Aurora Region and return" exercise by hand.
**Schedule:** 10:00 UTC on the first Wednesday of March and September (`0 10 * 3,9 3#1`: `3#1`
is "the first Wednesday", so no day-of-month OR), and manual. The drill is the spec
`plugins/platform_ops/drills/specs/aurora_switchover_semiannual.json`.

1. `preflight`: refuses inside a blocked window (the SOX PG-01 run), reads the `drill_targets`
   contract (`aurora`: global cluster, one cluster a Region, master secret), checks the drill tags
   of both clusters, the steady state (global cluster available, writer in eu-west-1, members
   synchronized, the secondary's lag below `aurora.max_lag_ms`, health-check and error-rate alarms
   OK) and the gotchas (same engine version, same cluster parameter values, the master secret
   replicated to us-east-1): a gotcha fails the drill before any change, also in a dry run.
2. `dry_run` ends here when `dry_run` is true: the exact calls are in the log and in XCom.
3. `approve`: blast radius, calls, objectives and rollback on the approval page.
4. `record_state` (setup): writer and lag as they are, a marker row written to the writer (RDS
   Data API), to S3; start notice.
5. `switchover_to_secondary`: `SwitchoverGlobalCluster` to us-east-1, until the writer is there and
   accepts a write (RTO: call → first write accepted), the marker is readable there (RPO 0) and
   eu-west-1 replicates from it. `hold_on_secondary`: the stop watch (error-rate alarms; never the
   Aurora lag alarm, which goes silent when the roles flip).
6. `rollback` (teardown, always runs): switchover back home, verified (writer home, writes
   accepted, us-east-1 synchronized), retried; an incident notice when it never holds.
7. `report`: evidence + page (RTO/RPO against the objectives and the earlier runs, as a chart) +
   `latest.json`; end notice saying whether the figures got better or worse.

Params: `dry_run`, `hold_seconds`.
Leaves: `drills/aurora_switchover_semiannual/runs/<run id>/{before.json,evidence.json,report.html}` and
`drills/aurora_switchover_semiannual/latest.json` in the artifacts bucket; a marker row per run in
the `platform_ops_drill_marker` table.
"""

from __future__ import annotations

from airflow.sdk import CronTriggerTimetable, TriggerRule, chain, setup, task, teardown
from platform_ops.dag_defaults import platform_dag
from platform_ops.drills.aurora_steps import approval_body
from platform_ops.drills.dag_parts import drill_params, planning_tasks
from platform_ops.drills.operators import DrillWaitOperator
from platform_ops.drills.spec import load_spec

SPEC_NAME = "aurora_switchover_semiannual"
SPEC = load_spec(SPEC_NAME)
SCHEDULE = CronTriggerTimetable("0 10 * 3,9 3#1", timezone="UTC")
FAULT_TASK = SPEC.injection["name"]
HOLD = SPEC.waits[-1]

with platform_dag(
    SPEC["dag_id"],
    __doc__,
    description=SPEC["title"],
    schedule=SCHEDULE,
    tags=["dr", "drill", "aurora", "platform"],
    max_active_runs=1,
    params=drill_params(SPEC, hold="How long the writer stays in us-east-1 before the switch home."),
) as dag:
    plan, gate, approve = planning_tasks(
        SPEC, SPEC_NAME, "platform_ops.drills.aurora_steps", approval_body(SPEC)
    )

    @setup
    def record_state(plan: dict, run_id=None) -> dict:
        from platform_ops.drills.aurora_steps import record

        return record(SPEC_NAME, plan, run_id)

    @task(task_id=FAULT_TASK, retries=0)
    def switchover(plan: dict, recorded: dict) -> dict:
        from platform_ops.drills.aurora_steps import switchover as run_switchover

        return run_switchover(SPEC_NAME, plan, recorded)

    @teardown
    def rollback(plan: dict, recorded: dict, run_id=None, ti=None) -> dict:
        from platform_ops.drills.aurora_steps import rollback as switch_home

        return switch_home(SPEC_NAME, plan, run_id, ti)

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def report(run_id=None, ti=None) -> dict:
        from platform_ops.drills.aurora_steps import report as write_report

        return write_report(SPEC_NAME, run_id, ti, FAULT_TASK, [HOLD["name"]])

    recorded = record_state(plan)
    fault = switchover(plan, recorded)
    hold = DrillWaitOperator(
        task_id=HOLD["name"], drill=SPEC.drill, step=HOLD, fault_task=FAULT_TASK, earlier=[]
    )
    restored = rollback(plan, recorded)
    chain(gate, approve, recorded, fault, hold, restored, report())
