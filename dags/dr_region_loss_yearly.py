"""
dr_region_loss_yearly: the yearly simulated loss of eu-west-1. Fail the primary ingress's health
check, confirm Route 53 answers us-east-1, promote Aurora there, write, and always fail back.

### dr_region_loss_yearly
Replaces the yearly "loss of eu-west-1" exercise by hand.
**Schedule:** 10:00 UTC on the second Wednesday of November (`0 10 * 11 3#2`), and manual.
The drill is the spec `plugins/platform_ops/drills/specs/region_loss_yearly.json`; it reads the
`drill_targets` contract in us-east-1 (the Region that survives).

1. `preflight`: blocked window (month-end close), contract, drill tags of the clusters and health
   checks, steady state (health-check and error-rate alarms OK, Aurora healthy with the writer in
   eu-west-1 and lag below the objective, DNS answering the primary), the Aurora gotchas. A
   disabled primary health check is refused: Route 53 counts it healthy, the fault would do nothing.
2. `dry_run` ends here when `dry_run` is true.
3. `approve`; with `allow_data_loss`, a second approval `approve_data_loss` (a failover with
   `AllowDataLoss` rebuilds the old primary on a new volume). Without it nothing changes.
4. `record_state` (setup): health checks, writer, lag, a marker row in the writer; start notice.
5. `lose_primary_region`: inverts the primary health check (what is and is not simulated is in the
   spec and the report: no latency hook yet). `await_dns_failover`: until `TestDNSAnswer` answers
   the secondary ingress, timed. `promote_secondary`: switchover to us-east-1 (default) or the
   approved data-loss failover, until a synthetic write there is accepted. `hold_region_lost`: the
   stop watch (secondary health check and error rate).
6. `rollback` (teardown, always runs): health check restored as recorded, DNS answers the primary,
   Aurora switched home, each verified; retried; an incident notice when it never holds.
7. `report`: timeline (fault injected, alarm fired, DNS switched, writer available, first write
   OK, alarms back to OK), RTO/RPO against the objectives and the earlier runs; end notice.

Params: `dry_run`, `allow_data_loss` (with its own approval), `hold_seconds`.
Leaves: `drills/region_loss_yearly/runs/<run id>/{before.json,evidence.json,report.html}` and
`drills/region_loss_yearly/latest.json` in the artifacts bucket.
"""

from __future__ import annotations

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.hitl import ApprovalOperator
from airflow.sdk import CronTriggerTimetable, Param, TriggerRule, chain, setup, task, teardown
from platform_ops.dag_defaults import platform_dag
from platform_ops.drills.aurora_steps import approval_body
from platform_ops.drills.dag_parts import approval_timeout, drill_params, planning_tasks
from platform_ops.drills.operators import DrillWaitOperator
from platform_ops.drills.spec import load_spec

SPEC_NAME = "region_loss_yearly"
SPEC = load_spec(SPEC_NAME)
SCHEDULE = CronTriggerTimetable("0 10 * 11 3#2", timezone="UTC")
METHOD = [step["name"] for step in SPEC["method"]]
FAULT, AWAIT_DNS, PROMOTE, HOLD = METHOD
TIMEOUT = approval_timeout(SPEC)

with platform_dag(
    SPEC["dag_id"],
    __doc__,
    description=SPEC["title"],
    schedule=SCHEDULE,
    tags=["dr", "drill", "aurora", "route53", "platform"],
    max_active_runs=1,
    params=drill_params(
        SPEC,
        hold="How long us-east-1 serves before the fail back.",
        allow_data_loss=Param(
            False,
            type="boolean",
            description="Promote by FailoverGlobalCluster with AllowDataLoss (rebuilds the old "
            "primary); asks a second approval.",
        ),
    ),
) as dag:
    plan, gate, approve = planning_tasks(
        SPEC, SPEC_NAME, "platform_ops.drills.region_loss", approval_body(SPEC)
    )

    @task.branch
    def data_loss_gate(plan: dict) -> str:
        return "approve_data_loss" if plan["allow_data_loss"] else "switchover_promotion"

    approve_data_loss = ApprovalOperator(
        task_id="approve_data_loss",
        subject="Second approval: fail Aurora over WITH DATA LOSS?",
        body="FailoverGlobalCluster with **AllowDataLoss** does not wait for the secondary: writes of the last "
             "seconds are lost and the old primary is rebuilt on a new storage volume (hours for a large "
             "database). Without this approval the drill does not start.",
        defaults=["Reject"], response_timeout=TIMEOUT, retries=0,
    )  # fmt: skip
    switchover_promotion = EmptyOperator(task_id="switchover_promotion")

    @task(trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
    def approved() -> bool:
        return True

    @setup
    def record_state(plan: dict, run_id=None) -> dict:
        from platform_ops.drills.region_loss import record

        return record(SPEC_NAME, plan, run_id)

    @task(task_id=FAULT, retries=0)
    def lose_primary_region(plan: dict, recorded: dict) -> dict:
        from platform_ops.drills.region_loss import lose_region

        return lose_region(SPEC_NAME, plan)

    @task(task_id=AWAIT_DNS, retries=0)
    def await_dns_failover(plan: dict, fault: dict) -> dict:
        from airflow.sdk.exceptions import AirflowSkipException
        from platform_ops.drills.region_loss import await_dns

        if not fault.get("fault_injected_at"):
            raise AirflowSkipException(f"not started: {fault['stopped']['condition']}")
        return await_dns(SPEC_NAME, plan, fault, SPEC["method"][1])

    @task(task_id=PROMOTE, retries=0)
    def promote_secondary(plan: dict, recorded: dict, fault: dict, dns: dict, ti=None) -> dict:
        from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException
        from platform_ops.drills.operators import stopped_by
        from platform_ops.drills.region_loss import DATA_LOSS_APPROVAL, promote
        from platform_ops.drills.spec import DrillRefused

        stop = stopped_by([fault.get("stopped"), dns])
        if stop:
            raise AirflowSkipException(f"not started: {stop['condition']}")
        try:
            return promote(SPEC_NAME, plan, recorded, fault, ti.xcom_pull(task_ids=DATA_LOSS_APPROVAL))
        except DrillRefused as err:
            raise AirflowFailException(str(err)) from None

    @teardown
    def rollback(plan: dict, recorded: dict, run_id=None, ti=None) -> dict:
        from platform_ops.drills.region_loss import rollback as fail_back

        return fail_back(SPEC_NAME, plan, recorded, run_id, ti)

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def report(run_id=None, ti=None) -> dict:
        from platform_ops.drills.region_loss import report as write_report

        return write_report(SPEC_NAME, run_id, ti, METHOD)

    loss_gate = data_loss_gate(plan)
    joined = approved()
    loss_gate >> [approve_data_loss, switchover_promotion] >> joined
    recorded = record_state(plan)
    fault = lose_primary_region(plan, recorded)
    dns = await_dns_failover(plan, fault)
    promoted = promote_secondary(plan, recorded, fault, dns)
    hold = DrillWaitOperator(task_id=HOLD, drill=SPEC.drill, step=SPEC.waits[-1], fault_task=FAULT,
                             earlier=[AWAIT_DNS, PROMOTE])  # fmt: skip
    restored = rollback(plan, recorded)
    chain(gate, approve, loss_gate)
    chain(joined, recorded, fault, dns, promoted, hold, restored, report())
