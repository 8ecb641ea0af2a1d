"""
dr_chaos_nat_quarterly: the quarterly chaos test. Cut the primary NAT gateway, watch the stop
conditions, always roll back, measure recovery, leave a report.

### dr_chaos_nat_quarterly
Replaces the quarterly "cut the primary NAT gateway, validate the rerouting" exercise by hand.
**Schedule:** 10:00 UTC on the second Tuesday of January, April, July and October
(`0 10 * 1,4,7,10 2#2`: `2#2` is "the second Tuesday", so no day-of-month OR), and manual.
The drill is the spec `plugins/platform_ops/drills/specs/nat_chaos_quarterly.json`.

1. `preflight`: refuses inside a blocked window (month-end close), reads the `drill_targets`
   contract (SSM) of `dr-platform`, resolves every private route table whose default route
   targets the NAT gateway and refuses more than the blast radius allows, an untagged one or
   another account/Region; checks the steady state (both health-check alarms OK).
2. `dry_run` ends here when `dry_run` is true: the blast radius and the exact calls are in
   the log and in XCom; no mutating call is made.
3. `approve`: blast radius, objectives and rollback on the approval page. No answer means no drill.
4. `record_state` (setup): the route tables as they are, to S3; start notice.
5. Method: `cut_nat_egress` (removes each 0.0.0.0/0 route to the NAT gateway), `await_failover`
   (until the primary health check is unhealthy and the secondary healthy), `hold_fault`. Each
   waits on the stop watch: a stop alarm in ALARM or the maximum duration ends it, and no
   further step starts.
6. `rollback` (teardown, always runs): re-creates the recorded routes, verifies attribute for
   attribute, retries; an incident notice when it never holds.
7. `report`: `evidence.json` + `report.html` + `latest.json`; end notice; fails the run unless passed.

Params: `dry_run`, `nat_gateway_id` (default: the NAT gateway of the first AZ), `hold_seconds`.
Leaves: `drills/nat_chaos_quarterly/runs/<run id>/{before.json,evidence.json,report.html}` and
`drills/nat_chaos_quarterly/latest.json` in the artifacts bucket.
"""

from __future__ import annotations

from airflow.sdk import CronTriggerTimetable, Param, TriggerRule, chain, setup, task, teardown
from platform_ops.dag_defaults import platform_dag
from platform_ops.drills.dag_parts import drill_params, planning_tasks
from platform_ops.drills.operators import DrillWaitOperator
from platform_ops.drills.spec import load_spec
from platform_ops.drills.steps import approval_body

SPEC_NAME = "nat_chaos_quarterly"
SPEC = load_spec(SPEC_NAME)
# A run at each matching time, with that time as its logical date (a bare cron string may become
# CronDataIntervalTimetable, whose logical date is the previous quarter's run).
SCHEDULE = CronTriggerTimetable("0 10 * 1,4,7,10 2#2", timezone="UTC")
METHOD_TASKS = [step["name"] for step in SPEC["method"]]

with platform_dag(
    SPEC["dag_id"],
    __doc__,
    description=SPEC["title"],
    schedule=SCHEDULE,
    tags=["dr", "drill", "chaos", "platform"],
    max_active_runs=1,
    params=drill_params(
        SPEC,
        hold="How long hold_fault keeps the fault after the failover.",
        hold_maximum=3600,
        dry_run="Resolve and print the blast radius and calls; change nothing.",
        nat_gateway_id=Param(
            None,
            type=["string", "null"],
            pattern=r"^nat-[0-9a-f]{8,17}$",
            description="NAT gateway to cut (one of the contract's); empty: the first AZ's.",
        ),
    ),
) as dag:

    plan, gate, approve = planning_tasks(SPEC, SPEC_NAME, "platform_ops.drills.steps", approval_body(SPEC))

    @setup
    def record_state(plan: dict, run_id=None) -> dict:
        from platform_ops.drills.steps import record_state as record

        return record(SPEC_NAME, plan, run_id)

    @task(task_id=METHOD_TASKS[0])
    def inject_fault(plan: dict, record: dict) -> dict:
        from platform_ops.drills.steps import inject

        return inject(SPEC_NAME, plan, record)

    @teardown
    def rollback(plan: dict, record: dict, run_id=None, ti=None) -> dict:
        from platform_ops.drills.steps import rollback as restore

        return restore(SPEC_NAME, plan, record, run_id, ti)

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def report(run_id=None, ti=None) -> dict:
        from platform_ops.drills.steps import report as write_report

        return write_report(SPEC_NAME, run_id, ti, METHOD_TASKS)

    recorded = record_state(plan)
    fault = inject_fault(plan, recorded)
    waits = [
        DrillWaitOperator(task_id=step["name"], drill=SPEC.drill, step=step, fault_task=METHOD_TASKS[0],
                          earlier=METHOD_TASKS[1:i + 1])
        for i, step in enumerate(SPEC.waits)
    ]  # fmt: skip
    restored = rollback(plan, recorded)
    chain(gate, approve, recorded, fault, *waits, restored, report())
