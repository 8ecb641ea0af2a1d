"""The refresh DAG of one registry destination: ``refresh_dag(name, doc)``.

Each ``dags/refresh_<destination>.py`` is two lines around this builder (one DAG a file, named
after it); the DAG's ``doc_md`` is that file's docstring followed by ``PHASES_DOC``. Parse-cheap:
the registry (cached, no AWS call) and the builders in ``plan``; every input is built at run time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import Param, TriggerRule, chain, task

from platform_ops.dag_defaults import platform_dag
from platform_ops.notify import FailureAlreadyNotified, FailureNotifier
from platform_ops.refresh import steps
from platform_ops.refresh.operators import RefreshStepOperator
from platform_ops.refresh.options import OPTION_SCHEMAS, defaults, param_schemas
from platform_ops.registry import registry

PHASES_DOC = """

#### Every refresh DAG (`refresh_<destination>`, built by `platform_ops.refresh.dag`)

One DAG per destination of the registry's `refresh` section (`refresh_staging`, `refresh_dev`):
production's Aurora cluster is restored into the destination account, **masked before it takes
the target's name**, and swapped in; nothing is left behind when a step fails. Replaces starting
terraform-aws-refresh's orchestrator state machine by hand: the order, the parallel phases, the
conditions, cleanup and notices are this DAG; the AWS work is the machines in `asl/`, each run
by one task with the start-and-wait operator (a retry re-attaches to its execution).

**When:** the destination's registry `schedule` (cron, UTC) or on demand; one run at a time
(`max_active_runs=1`), its tasks in the destination's own pool.

**Params** (defaults: the destination's registry `options`): `snapshot` (`latest_automated`,
`new_manual`, `point_in_time` with `restore_to`, `fast_clone`), `restore_to` (UTC, not in the
future), `rename_old`, `delete_old` / `keep_old_days`, `efs`, `rotate_secrets`, `stop_at_end`,
`scale_down_at_end`, `dry_run` (resolve accounts, names, snapshot and the plan, log them, change
nothing).

**Phases:** 1 `preflight` (options; STS through the destination connection must answer the
registry's non-production destination account, before any change) → `dry_run_gate` →
2 `prepare` → 3 snapshot (`create_snapshot` + `share_snapshot`, or `find_snapshot`) → 4 in
parallel: database (`ensure_no_restore` → `restore` → `create_instances` → `master_secret` →
`s3_integration`) and EFS (`efs_restore` → `efs_mount_targets` → `efs_subpath`) → 5 `mask` (the
registry's SQL scripts on `<target>-restore`; a failed script fails the refresh) → 6 switch
(`rename_old`: target → `<target>-old`, or `delete_target`; `rename_new`: `<target>-restore` →
target) → 7 `rotate_secrets` → 8 `eks_scale`, `delete_old` / `keep_old`, `stop_at_end` → 9
`restore_old_name` (rollback of a half-done switch) and `cleanup` (teardown: removes
`<target>-restore`, reports what it removed) → 10 `record` → 11 `notify`. A step that does not
apply to the run is skipped with its reason.

**Leaves behind:** the target cluster on masked production data; `<target>-old` (deleted with
`delete_old`, else tagged `refresh:delete-after`); a manual snapshot `refresh-<destination>-*` in
production (`new_manual`); a history item in the registry's `history_table` and
`s3://<artifacts>/refresh/<destination>/run=<run id>/try=<n>/record.json`; notices.
"""


def refresh_dag(name: str, doc: str | None):
    """The DAG of one registry destination (the registry is checked: never a production destination)."""
    dest = registry().refresh_destination(name)
    default = defaults(dest.options)
    schemas = param_schemas(datetime.now(UTC))
    on = {"pool": dest.pool}
    with platform_dag(
        dest.dag_id,
        (doc or "") + PHASES_DOC,
        description=f"Refresh {dest.destination.name} from {dest.source.name}, masked before the switch",
        schedule=dest.schedule,
        tags=["refresh", dest.destination.name],
        notifier=FailureNotifier(compose=steps.failure_notice),
        retry_delay=timedelta(seconds=registry().refresh.retry_delay_seconds),
        max_active_runs=1,
        dagrun_timeout=timedelta(hours=24),
        params={key: Param(default[key], **schemas[key]) for key in OPTION_SCHEMAS},
    ) as dag:

        @task(**on)
        def preflight(params=None, run_id=None, dag_run=None) -> dict:
            """Options, the production guard (STS via the destination connection), the plan."""
            return steps.preflight(name, params, run_id, dag_run.run_after)

        @task.short_circuit(**on)
        def dry_run_gate(the_plan: dict) -> bool:
            """A dry run ends here: the plan is logged, nothing changed."""
            return steps.dry_run_gate(the_plan)

        def step(task_id: str, trigger_rule=TriggerRule.NONE_FAILED, **kwargs) -> RefreshStepOperator:
            # none_failed: a step skipped because it does not apply must not skip what follows
            return RefreshStepOperator(task_id=task_id, trigger_rule=trigger_rule, **on, **kwargs)

        planned = preflight()
        gate = dry_run_gate(planned)
        prepare = step("prepare")
        database = [step(t) for t in ("create_snapshot", "share_snapshot", "find_snapshot", "ensure_no_restore",
                                      "restore", "create_instances", "master_secret", "s3_integration")]  # fmt: skip
        efs = [step(t) for t in ("efs_restore", "efs_mount_targets", "efs_subpath")]
        mask = step("mask")
        switch = [step(t) for t in ("rename_old", "delete_target", "rename_new")]
        rotate, eks = step("rotate_secrets"), step("eks_scale")
        old = [step("delete_old"), step("keep_old")]
        stop = step("stop_at_end")
        rollback = step("restore_old_name", trigger_rule=TriggerRule.ALL_DONE)
        # teardown of preflight: runs whenever the plan exists, also after a failed step
        cleanup = step("cleanup", trigger_rule=TriggerRule.ALL_DONE).as_teardown(
            setups=planned, on_failure_fail_dagrun=True
        )

        @task(trigger_rule=TriggerRule.ALL_DONE, **on)
        def record() -> dict:
            """DynamoDB history item + S3 evidence: executions, snapshot, phases, options, who."""
            from airflow.sdk import get_current_context

            return steps.write_record(name, get_current_context())

        @task(trigger_rule=TriggerRule.ALL_DONE, **on)
        def notify() -> dict:
            """The outcome notice: failed phase, cause and log, or success; what cleanup removed."""
            from airflow.sdk import get_current_context

            return steps.send_summary(get_current_context())

        @task(trigger_rule=TriggerRule.ONE_FAILED, retries=0, **on)
        def run_outcome():
            """Fails the run when a step failed (record and notify always run, so they cannot)."""
            raise FailureAlreadyNotified(f"refresh_{name} failed: see the failed step's notice")

        recorded, notified, outcome = record(), notify(), run_outcome()
        chain(planned, gate, prepare, *database, mask)
        chain(prepare, *efs, mask)
        chain(mask, *switch, [rotate, old[0], stop])
        chain(rotate, eks)
        chain(old[0], old[1])
        chain(switch, rollback)
        chain([rollback, eks, old[1], stop], cleanup, recorded, notified)
        chain(
            [
                gate,
                prepare,
                *database,
                *efs,
                mask,
                *switch,
                rotate,
                eks,
                *old,
                stop,
                rollback,
                cleanup,
                recorded,
                notified,
            ],
            outcome,
        )
    return dag
