"""The two waits of ``rds_snapshots``, both deferred (no worker slot while waiting).

- ``OutsideWindowsOperator``: a database inside its backup or maintenance window is not
  snapshotted; the task defers on ``DateTimeTrigger`` until ``windows.clear_at`` and checks again.
- ``SnapshotAvailableOperator``: a snapshot (or its DR copy) becomes available: the RDS snapshot
  event on the account's event queue, with DescribeDBSnapshots / DescribeDBClusterSnapshots as the
  backstop (``ResourceEventTrigger(kind="rds_snapshot")``) every ``snapshots.backstop_seconds``
  of the registry (default 300). A cluster snapshot copy has no AWS event: the backstop ends it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException

from platform_ops.snapshots import windows

DEFAULT_WAIT_TIMEOUT = timedelta(hours=12)


class OutsideWindowsOperator(BaseOperator):
    """Succeeds once ``database`` is outside its backup and maintenance windows (deferred until then)."""

    template_fields: Sequence[str] = ("database", "dry_run")

    def __init__(self, *, database: Any, dry_run: Any = False, **kwargs):
        super().__init__(**kwargs)
        self.database = database
        self.dry_run = dry_run

    def clear_moment(self, now: datetime) -> datetime:
        db = self.database
        return windows.clear_at(now, [(db.get("backup_window"), db.get("maintenance_window"))])

    def execute(self, context, event=None):
        now = datetime.now(UTC)
        moment = self.clear_moment(now)
        db = self.database
        if moment <= now:
            self.log.info("%s %s: outside its windows (backup %s, maintenance %s)", db["kind"],
                          db["identifier"], db.get("backup_window"), db.get("maintenance_window"))  # fmt: skip
            return moment.isoformat()
        if str(self.dry_run).lower() == "true":
            self.log.info(
                "dry_run: %s is inside a window; a real run would wait until %s", db["identifier"], moment
            )
            return moment.isoformat()
        from airflow.providers.standard.triggers.temporal import DateTimeTrigger

        self.log.info("%s is inside a window: deferred until %s", db["identifier"], moment.isoformat())
        self.defer(trigger=DateTimeTrigger(moment=moment), method_name="execute")


class SnapshotAvailableOperator(BaseOperator):
    """Waits until ``snapshot`` (a dict from ``steps.create_snapshot`` / ``copy_to_dr``) is available."""

    template_fields: Sequence[str] = ("snapshot",)

    def __init__(
        self,
        *,
        snapshot: Any,
        wait_timeout: timedelta = DEFAULT_WAIT_TIMEOUT,
        backstop_interval: float | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.snapshot = snapshot
        self.wait_timeout = wait_timeout
        self.backstop_interval = backstop_interval  # None: the registry's snapshots.backstop_seconds

    def execute(self, context):
        snap = self.snapshot
        if snap.get("dry_run"):
            self.log.info("dry_run: nothing to wait for (%s)", snap["identifier"])
            return snap
        if snap.get("status") == "available":
            return snap
        from platform_ops.events.trigger import ResourceEventTrigger
        from platform_ops.registry import registry

        conn_id = registry().account(snap["account"]).aws_conn_id
        self.defer(
            trigger=ResourceEventTrigger(
                kind="rds_snapshot",
                resource=snap["arn"],
                since=snap["requested_at"],
                queue_url=snap["queue_url"],
                aws_conn_id=conn_id,
                region_name=snap["region"],
                backstop_interval=self.backstop_interval or registry().snapshot_backstop_seconds,
            ),
            method_name="execute_complete",
            timeout=self.wait_timeout,
        )

    def execute_complete(self, context, event: dict[str, Any] | None = None):
        outcome = (event or {}).get("outcome") or {}
        if (event or {}).get("status") != "success":
            raise AirflowException(
                f"snapshot {self.snapshot['identifier']} in {self.snapshot['region']} ended "
                f"{outcome.get('status')!r} ({outcome.get('source')}): {outcome.get('detail')}"
            )
        self.log.info(
            "snapshot %s available (seen by %s)", self.snapshot["identifier"], outcome.get("source")
        )
        return {**self.snapshot, "status": "available", "seen_by": outcome.get("source")}
