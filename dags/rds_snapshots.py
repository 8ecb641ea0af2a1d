"""
rds_snapshots: a daily manual snapshot of every tagged RDS instance and Aurora cluster, copied to
the DR Region, with retention.

### rds_snapshots
Replaces `aws rds create-db-snapshot … manual-$(date)` by hand and the seeds' "manual snapshots,
unlimited retention". **Daily at 05:30 UTC** (after the seeds' backup windows, 03:00–04:00 and
04:00–05:00, and the Sunday 04:00–05:00 maintenance window), and manual.

Per database (the registry's `snapshots.targets`: account, Region, tag; mapped, one group each):

1. `outside_windows`: reads the database's own backup and maintenance windows; inside one, the
   task defers (no worker slot) until they close.
2. `create_snapshot`: `po-<database>-<yyyymmdd>-<run hash>`, tagged with the run id (a retry
   re-attaches to it).
3. `wait_snapshot`: the RDS snapshot event through the target's event queue, Describe as the backstop.
4. `copy_to_dr` → `wait_copy` → `verify_copy`: copied to the DR Region re-encrypted with that
   Region's KMS key (`dr_kms_key_alias`); the copy must be available, encrypted, under that key.
5. `apply_retention` (always runs): keeps the last N daily and M monthly snapshots made by this
   DAG, in both Regions; never deletes one tagged `keep=true`, one shared with another account,
   or anything when this run's DR copy failed.

Then `record` (always runs). **Params:** `targets` (subset of the registry's targets; empty = all),
`dry_run` (Describe/List calls only: nothing created, copied, deleted or written; each step logs
what it would do). **Leaves:** `s3://<artifacts>/rds-snapshots/<run id>/record.json` (created,
copied, deleted, with sizes in GiB).
"""

from __future__ import annotations

from airflow.sdk import Param, TriggerRule, chain, task, task_group
from platform_ops.dag_defaults import platform_dag
from platform_ops.registry import registry
from platform_ops.snapshots.operators import OutsideWindowsOperator, SnapshotAvailableOperator

REGISTRY = registry()
GROUP = "snapshot_database"

with platform_dag(
    "rds_snapshots",
    __doc__,
    description="Daily manual RDS/Aurora snapshots, DR-Region copy, retention",
    schedule="30 5 * * *",
    tags=["rds", "backup", "platform"],
    max_active_runs=1,
    params={
        "targets": Param(
            [],
            type=["array", "null"],
            uniqueItems=True,
            items={"type": "string", "enum": REGISTRY.snapshot_target_names()},
            description="Registry snapshot targets to run (empty: all).",
        ),
        "dry_run": Param(
            False, type="boolean", description="Describe and list only: no snapshot, copy, delete or record."
        ),
    },  # fmt: skip
) as dag:

    @task
    def select_databases(params=None) -> list[dict]:
        from platform_ops.snapshots.steps import select_databases

        return select_databases(params["targets"])

    @task
    def create_snapshot(database: dict, params=None, run_id=None, dag_run=None) -> dict:
        from platform_ops.snapshots.steps import create_snapshot

        return create_snapshot(database, run_id, dag_run.run_after.date(), params["dry_run"])

    @task
    def copy_to_dr(database: dict, snapshot: dict, params=None) -> dict:
        from platform_ops.snapshots.steps import copy_to_dr

        return copy_to_dr(database, snapshot, params["dry_run"])

    @task
    def verify_copy(database: dict, copy: dict) -> dict:
        from platform_ops.snapshots.steps import verify_copy

        return verify_copy(database, copy)

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def apply_retention(database: dict, params=None, ti=None) -> dict:
        from platform_ops.snapshots.steps import apply_retention

        def pulled(task_id: str):
            return ti.xcom_pull(task_ids=f"{GROUP}.{task_id}", map_indexes=ti.map_index, default=None)

        verified = pulled("verify_copy")
        return {
            "database": database["identifier"],
            "snapshot": pulled("wait_snapshot") or pulled("create_snapshot"),
            "copy": verified or pulled("copy_to_dr"),
            "retention": apply_retention(database, verified, params["dry_run"]),
        }

    @task_group(group_id=GROUP)
    def snapshot_database(database):
        clear = OutsideWindowsOperator(task_id="outside_windows", database=database,
                                       dry_run="{{ params.dry_run }}")  # fmt: skip
        created = create_snapshot(database)
        ready = SnapshotAvailableOperator(task_id="wait_snapshot", snapshot=created)
        copied = copy_to_dr(database, ready.output)
        copy_ready = SnapshotAvailableOperator(task_id="wait_copy", snapshot=copied)
        verified = verify_copy(database, copy_ready.output)
        pruned = apply_retention(database)
        chain(clear, created)
        chain(verified, pruned)
        return pruned

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def record(outcomes, params=None, run_id=None) -> str | None:
        from platform_ops.snapshots.steps import build_record, write_record

        done = [o for o in (outcomes or []) if o]
        return write_record(build_record(run_id, done, params["dry_run"]))

    record(snapshot_database.expand(database=select_databases()))
