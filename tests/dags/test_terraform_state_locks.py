"""terraform_state_locks end to end: real locks left by a killed ``terraform apply``, the local AWS.

The lock is the one terraform itself writes (``tests/terraform/state_tools.dead_apply_lock``), and
the release runs the real ``terraform force-unlock``; the approval is answered through the core API.
"""

from __future__ import annotations

import json

import pytest
from platform_ops.aws.artifacts import safe_run_id
from platform_ops.local.clients import account_client
from platform_ops.local.seed import read_notifications
from platform_ops.registry import registry
from platform_ops.terraform import lease

from tests.dagrun import assert_refused_before_a_run_exists, run_dag, task_states
from tests.terraform.state_tools import (
    approval_body,
    dead_apply_lock,
    mutating,
    read_lock_object,
    recorded_calls,
)

# Terraform needs the state buckets and lock tables, the DAG the artifacts bucket and the topic.
pytestmark = pytest.mark.seeds("seed_shared_services", "seed_terraform_state")

DAG = "terraform_state_locks"
STACK = "platform-core"
NOW = {"stale_after_minutes": 0}  # the lock was just left behind: stale at once


def _artifact(endpoint: str, key: str) -> dict | None:
    s3 = account_client(endpoint, "shared-services", "s3")
    try:
        return json.loads(s3.get_object(Bucket=registry().artifacts_bucket, Key=key)["Body"].read())
    except s3.exceptions.NoSuchKey:
        return None


def _scan_report(endpoint: str, dag_run) -> dict | None:
    return _artifact(endpoint, f"terraform/locks/runs/{safe_run_id(dag_run.run_id)}.json")


def test_a_dead_lock_is_notified_once_and_released_only_after_approval(airflow_db, aws):
    info = dead_apply_lock(aws, STACK)
    assert info["Operation"] == "OperationTypeApply" and info["Who"]

    with recorded_calls() as calls:
        dry = run_dag(DAG, conf={**NOW, "dry_run": True})
    assert str(dry.state) == "success", task_states(dry)
    assert mutating(calls) == [], calls
    assert read_notifications(aws) == [] and _scan_report(aws, dry) is None

    first = run_dag(DAG, conf=NOW)
    assert str(first.state) == "success", task_states(first)
    (notice,) = read_notifications(aws)
    for field in ("ID", "Who", "Operation", "Version", "Created"):
        assert info[field] in notice["message"], (field, notice)
    (row,) = _scan_report(aws, first)["locks"]
    assert (row["stack"], row["id"], row["who"], row["status"]) == (STACK, info["ID"], info["Who"], "stale")
    assert row["reason"].endswith("no Airflow run holds the stack") and row["age"].endswith("m")

    second = run_dag(DAG, conf=NOW)  # the next hour: the same lock is not news
    assert str(second.state) == "success" and read_notifications(aws) == []

    release = {**NOW, "stack": STACK, "lock_id": info["ID"]}
    with recorded_calls() as calls:
        dry = run_dag(DAG, conf={**release, "dry_run": True})
    states = task_states(dry)
    assert states["check_lock"] == "success" and states["scan_locks"] == "skipped", states
    assert states["approve_release"] == states["release_lock"] == "skipped", states
    assert mutating(calls) == [], calls
    assert read_lock_object(aws, STACK) == info

    released = run_dag(DAG, conf=release, answers={"approve_release": "Approve"})
    assert task_states(released)["release_lock"] == "success", task_states(released)
    assert read_lock_object(aws, STACK) is None  # terraform force-unlock removed it
    body = approval_body(released)
    assert f"| Who | `{info['Who']}` |" in body and f"| Lock ID | `{info['ID']}` |" in body
    record = _artifact(aws, f"terraform/locks/{STACK}/released/{info['ID']}.json")
    assert record["approved_by"] and record["lock"]["who"] == info["Who"]
    assert [i for i in _lease_items(aws) if i["LockID"]["S"].endswith(STACK)] == []  # the lease is given back


def _lease_items(endpoint: str) -> list[dict]:
    stack = registry().stack(STACK)
    return account_client(endpoint, stack.account.name, "dynamodb").scan(TableName=stack.lock_table)["Items"]


def _set_state(dag_run, state: str) -> None:
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        session.query(DagRun).filter(DagRun.dag_id == dag_run.dag_id, DagRun.run_id == dag_run.run_id).update(
            {DagRun.state: state}, synchronize_session=False
        )


def test_a_lock_a_running_airflow_run_accounts_for_is_never_released(airflow_db, aws):
    info = dead_apply_lock(aws, STACK)
    young = run_dag(DAG, conf={"stack": STACK})  # default threshold: an hour
    (row,) = _scan_report(aws, young)["locks"]
    assert row["status"] == "recent" and read_notifications(aws) == []

    # A run that is running now holds the stack's lease (a real run row, set back to running).
    lease.acquire(registry().stack(STACK), holder=young.run_id, ttl_seconds=600, dag_id=DAG)
    _set_state(young, "running")
    try:
        held = run_dag(DAG, conf={**NOW, "stack": STACK})
        (row,) = _scan_report(aws, held)["locks"]
        assert row["status"] == "held-by-airflow-run" and row["holder_run"] == f"{DAG}/{young.run_id}", row
        assert read_notifications(aws) == []
        refused = run_dag(DAG, conf={**NOW, "stack": STACK, "lock_id": info["ID"]})
    finally:
        _set_state(young, "success")
    states = task_states(refused)
    assert states["check_lock"] == "failed" and states["release_lock"] != "success", states
    assert read_lock_object(aws, STACK) == info


@pytest.mark.parametrize(
    "conf",
    [
        {"stack": "no-such-stack"},
        {"stack": STACK, "lock_id": "5f0c1d2e"},  # not terraform's ID format
        {"stack": STACK, "lock_id": "ABBAB04E-8445-3321-DE38-0220903054A5; rm"},
        {"stale_after_minutes": -1},
        {"stale_after_minutes": "60"},
        {"dry_run": "yes"},
    ],
)
def test_bad_params_are_refused_before_a_run_exists(airflow_db, conf):
    assert_refused_before_a_run_exists(DAG, conf)
