"""Helpers of the ``sox_pg01_monthly`` run tests (``dag.test()`` against the local AWS).

Every run is also scanned for the database connection string: XCom, task output and the ECS
overrides of every task the run started.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from platform_ops.evidence import EvidenceStore
from platform_ops.local.clients import account_client, account_session
from platform_ops.local.sox_seed import LOCAL_DB_CONNECTION_STRING, LOCAL_DB_PASSWORD
from platform_ops.sox.config import load_config

DAG_ID = "sox_pg01_monthly"
SHORT_ITEMS = ["CR_04", "IPE_07", "IPE_31", "IPE_12"]
# The original design's schedule (1st at 09:00): too early for IPE_12, which reads the server clock.
FIRST_OF_JUNE_0900 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def run_at(moment: datetime, conf: dict, monkeypatch):
    """``dag.test()`` of a run due at ``moment``, with the clock the readiness check reads set to it.

    ``dag.test()`` runs the tasks in this process, so the patched ``steps.utc_now`` is the one the
    ``resolve_period`` task calls. ``moment`` also names the run: one moment per test.
    """
    from platform_ops.sox import steps

    from tests.dagrun import load_dag

    monkeypatch.setattr(steps, "utc_now", lambda: moment)
    return load_dag(DAG_ID).test(run_after=moment, run_conf=conf)


class Evidence:
    """The evidence bucket of one test (one boto3 client: building one costs an STS call)."""

    def __init__(self, endpoint: str):
        self.s3 = account_client(endpoint, "production", "s3")
        self.bucket = load_config().bucket

    def keys(self, prefix: str) -> list[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))

    def bytes(self, key: str) -> bytes:
        return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def json(self, key: str):
        return json.loads(self.bytes(key))

    def run_dirs(self, company: str) -> list[str]:
        prefix = company_prefix(company)
        rests = [k[len(prefix) :] for k in self.keys(prefix)]
        return sorted({rest.split("/", 1)[0] for rest in rests if rest.startswith("run=")})


def company_prefix(company: str, period: str = "2026-04") -> str:
    return f"{load_config().prefix}/period={period}/company={company}/"


def ecs_tasks(endpoint: str) -> list[dict]:
    """Every task (running or stopped) on the PG-01 cluster."""
    ecs = account_client(endpoint, "production", "ecs")
    cluster = load_config().ecs["cluster"]
    arns = [
        a
        for status in ("RUNNING", "STOPPED")
        for a in ecs.list_tasks(cluster=cluster, desiredStatus=status)["taskArns"]
    ]
    return ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"] if arns else []


def map_labels(dag_run) -> dict[str, list[str]]:
    """``{task_id: [rendered map index, ...]}`` of the run's mapped task instances."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        tis = session.query(TaskInstance).filter(
            TaskInstance.run_id == dag_run.run_id, TaskInstance.map_index >= 0
        )
        labels: dict[str, list[str]] = {}
        for ti in sorted(tis, key=lambda t: t.map_index):
            labels.setdefault(ti.task_id, []).append(ti.rendered_map_index)
        return labels


def try_numbers(dag_run, task_id: str) -> list[int]:
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        tis = session.query(TaskInstance).filter_by(run_id=dag_run.run_id, task_id=task_id).all()
        return [ti.try_number for ti in sorted(tis, key=lambda t: t.map_index)]


def assert_no_secret(dag_run, endpoint: str, captured: str) -> None:
    """The connection string is only in Secrets Manager: not in XCom, task output or overrides."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = (
            session.query(XComModel)
            .filter(XComModel.dag_id == DAG_ID, XComModel.run_id == dag_run.run_id)
            .all()
        )
        xcom_text = " ".join(f"{row.key}={row.value}" for row in rows)
    assert rows, "the run pushed no XCom at all: the scan would prove nothing"
    assert "EcsOperator overrides" in captured, "the captured output does not hold the task logs"
    log_dir = Path(os.environ["AIRFLOW_HOME"]) / "logs"
    file_logs = (
        " ".join(p.read_text(errors="replace") for p in log_dir.rglob("*") if p.is_file())
        if log_dir.exists()
        else ""
    )
    overrides = json.dumps([t.get("overrides") for t in ecs_tasks(endpoint)])
    assert "DB_CONNECTION_STRING" not in overrides
    for where, text in (
        ("XCom", xcom_text),
        ("task output", captured + file_logs),
        ("ECS overrides", overrides),
    ):
        assert LOCAL_DB_PASSWORD not in text, f"the DB password leaked into {where}"
        assert LOCAL_DB_CONNECTION_STRING not in text, f"the connection string leaked into {where}"


def auditor_reverifies(endpoint: str, ev: Evidence, company: str, monkeypatch, capfd) -> str:
    """What the README tells an auditor to run, with read access to the bucket; returns the output."""
    from platform_ops.sox.reverify import main, reverify

    pointer = f"{company_prefix(company)}latest.json"
    store = EvidenceStore(ev.s3, ev.bucket)
    result = reverify(store, pointer)
    assert result.ok, result.problems
    assert result.checked_objects > 100 and result.verdict_at_run_time is result.verdict_now is True

    creds = account_session(endpoint, "production").get_credentials().get_frozen_credentials()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds.secret_key)
    monkeypatch.setenv("AWS_SESSION_TOKEN", creds.token)
    assert main([f"s3://{ev.bucket}/{pointer}", "--endpoint-url", endpoint]) == 0
    out, err = capfd.readouterr()
    assert "OK: the archived run is intact" in out

    # Someone overwrites an evidence file: the audited version is still there and still matches,
    # and the overwrite is reported.
    key = next(k for k in ev.keys(result.run_prefix) if k.endswith("/03_data_snapshot.csv"))
    ev.s3.put_object(Bucket=ev.bucket, Key=key, Body=b"edited later")
    again = reverify(store, pointer)
    assert again.problems == [
        f"{key}: overwritten after the manifest (the manifest's version is still intact and was checked)"
    ]
    return out + err


class EcsWaits:
    """How the run's ECS waits ended, and every DescribeTasks this process sent (sync and async).

    ``dag.test()`` runs the tasks and their triggers in this process, so both are seen here:
    ``ended`` is ``[(task ARN, status, "event" | "describe")]`` from the trigger, ``described``
    the task ARNs of each DescribeTasks call (the operator's and the trigger's).
    """

    def __init__(self, monkeypatch):
        from aiobotocore.client import AioBaseClient
        from botocore.client import BaseClient
        from platform_ops.events.trigger import ResourceEventTrigger

        self.ended: list[tuple[str, str, str]] = []
        self.described: list[str] = []
        original_event = ResourceEventTrigger._event
        sync_call, async_call = BaseClient._make_api_call, AioBaseClient._make_api_call

        def _event(trigger, outcome):
            if trigger.kind == "ecs":
                self.ended.append((outcome.resource, outcome.status, outcome.source))
            return original_event(trigger, outcome)

        def _sync(client, operation, params):
            if operation == "DescribeTasks":
                self.described.extend(params.get("tasks", []))
            return sync_call(client, operation, params)

        async def _async(client, operation, params):
            if operation == "DescribeTasks":
                self.described.extend(params.get("tasks", []))
            return await async_call(client, operation, params)

        monkeypatch.setattr(ResourceEventTrigger, "_event", _event)
        monkeypatch.setattr(BaseClient, "_make_api_call", _sync)
        monkeypatch.setattr(AioBaseClient, "_make_api_call", _async)

    def assert_ended_on_events(self, tasks: int) -> None:
        """``tasks`` waits, each ended by the task's STOPPED event after one DescribeTasks (at its start)."""
        assert len(self.ended) == tasks, self.ended
        assert {(status, source) for _, status, source in self.ended} == {("STOPPED", "event")}, self.ended
        for arn, _, _ in self.ended:
            assert self.described.count(arn) == 1, (arn, self.described)
