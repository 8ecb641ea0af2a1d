"""rds_snapshots end to end: dag.test() against a local AWS whose snapshots take a second.

The snapshot and copy waits really defer and end on the RDS snapshot events the local AWS sends
(``MOTO_RDS_SNAPSHOT_SECONDS``, see tests/snapshots/recording.py); the dry run is checked against
the local AWS's own request log.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from platform_ops.local.clients import account_client
from platform_ops.registry import registry

from tests.dagrun import assert_refused_before_a_run_exists, run_dag, task_states
from tests.snapshots import recording
from tests.snapshots.recording import mutating, requests_made

# this module's local AWS (recorder on, snapshots that take a second)
recording_server, fast_registry, recorded_aws = (
    recording.recording_server,
    recording.fast_registry,
    recording.recorded_aws,
)

PRIMARY, DR = "eu-west-1", "us-east-1"


def _record(endpoint: str, run_id: str) -> dict:
    from platform_ops.snapshots.steps import record_key

    s3 = account_client(endpoint, "shared-services", "s3")
    return json.loads(
        s3.get_object(Bucket=registry().artifacts_bucket, Key=record_key(run_id))["Body"].read()
    )


def _xcoms(dag_run, task_id: str) -> list:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(XComModel).filter(XComModel.dag_id == dag_run.dag_id, XComModel.run_id == dag_run.run_id,
                                               XComModel.task_id == task_id, XComModel.key == "return_value").all()  # fmt: skip
        return [json.loads(row.value) if isinstance(row.value, str) else row.value for row in rows]


def _manual(endpoint: str, account: str, region: str) -> set[str]:
    rds = account_client(endpoint, account, "rds", region)
    names = {
        s["DBSnapshotIdentifier"] for s in rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]
    }
    clusters = rds.describe_db_cluster_snapshots(SnapshotType="manual")["DBClusterSnapshots"]
    return names | {s["DBClusterSnapshotIdentifier"] for s in clusters}


OURS = [{"Key": "platform-ops:created-by", "Value": "rds_snapshots"}]
OLD = datetime(2016, 12, 1, 5, 30, tzinfo=UTC)


def _old_snapshots(endpoint: str) -> None:
    """Three of ours, one old day: keep-tagged (that month's first), plain, shared (that day's newest),
    created in that order.

    Retention keeps the newest of the 7 latest days and the first of the 12 latest months that
    have snapshots, so of these only the plain one is neither a keeper nor protected.
    """
    rds = account_client(endpoint, "production", "rds", PRIMARY)
    for name, extra in (
        ("po-old-keep", [{"Key": "keep", "Value": "true"}]),
        ("po-old-plain", []),
        ("po-old-shared", []),
    ):
        rds.create_db_snapshot(
            DBSnapshotIdentifier=name,
            DBInstanceIdentifier="production-postgres",
            Tags=_backdated(OLD) + extra,
        )
    rds.modify_db_snapshot_attribute(DBSnapshotIdentifier="po-old-shared", AttributeName="restore",
                                     ValuesToAdd=["999999999999"])  # fmt: skip


def _backdated(when: datetime) -> list[dict]:
    """Ours, and dated ``when`` by the local AWS (``moto:snapshot-create-time``, local/moto_events)."""
    return [*OURS, {"Key": "moto:snapshot-create-time", "Value": when.isoformat()}]


def test_each_tagged_database_is_snapshotted_copied_pruned_and_recorded(recorded_aws):
    endpoint = recorded_aws.endpoint
    _old_snapshots(endpoint)
    dag_run = run_dag("rds_snapshots", conf={"targets": ["production-eu-west-1"]})
    states = task_states(dag_run)
    assert str(dag_run.state) == "success", states
    record = _record(endpoint, dag_run.run_id)
    assert sorted(record["databases"]) == ["production-aurora", "production-postgres"]  # not the untagged one
    created = {c["identifier"]: c for c in record["created"]}
    assert len(created) == 2 and all(name.startswith("po-production-") for name in created)
    assert {c["size_gib"] for c in created.values()} == {20, 1}
    assert _manual(endpoint, "production", PRIMARY) == set(created) | {"po-old-keep", "po-old-shared"}
    assert _manual(endpoint, "production", DR) == set(created)  # copied under the same names
    key = account_client(endpoint, "production", "kms", DR).describe_key(
        KeyId="alias/platform-ops-snapshots-dr"
    )
    assert {c["kms_key_id"] for c in record["copied"]} == {key["KeyMetadata"]["Arn"]}
    assert record["deleted"] == [
        {"identifier": "po-old-plain", "size_gib": 20, "region": PRIMARY, "database": "production-postgres"}
    ]
    assert record["failed"] == [] and record["totals_gib"] == {"created": 21, "copied": 21, "deleted": 20}
    assert _manual(endpoint, "staging", PRIMARY) == set()  # a target not asked for is left alone


def test_dry_run_makes_no_mutating_call_and_writes_nothing(recorded_aws):
    endpoint = recorded_aws.endpoint
    rds = account_client(endpoint, "staging", "rds", PRIMARY)
    # five old ones of ours: staging keeps 3 daily and 2 monthly, so a real run deletes old-3 and old-4
    olds = [f"po-staging-old-{n}" for n in range(5)]
    for name in olds:
        when = OLD - timedelta(days=40 * int(name[-1]))  # each on its own day and month
        rds.create_db_snapshot(
            DBSnapshotIdentifier=name, DBInstanceIdentifier="staging-postgres", Tags=_backdated(when)
        )
    recording.reset_recording(recorded_aws)
    dag_run = run_dag("rds_snapshots", conf={"dry_run": True})
    assert str(dag_run.state) == "success", task_states(dag_run)
    requests = requests_made(recorded_aws)
    assert any(r["action"] == "DescribeDBInstances" for r in requests), "the dry run must read the databases"
    assert mutating(requests) == [], [(r["action"], r["method"], r["path"]) for r in mutating(requests)]
    assert _manual(endpoint, "staging", PRIMARY) == set(olds)  # all still there
    assert _manual(endpoint, "production", DR) == set()
    # ... and the run says what a real one would delete
    reported = [
        x["retention"]["source"]["deleted"] for x in _xcoms(dag_run, "snapshot_database.apply_retention")
    ]
    assert sorted(d["identifier"] for item in reported for d in item) == olds[3:]


@pytest.mark.parametrize(
    "conf",
    [{"targets": ["no-such-target"]}, {"targets": "production-eu-west-1"}, {"dry_run": "yes"},
     {"targets": ["production-eu-west-1", "production-eu-west-1"]}],
)  # fmt: skip
def test_bad_params_are_refused_before_a_run_exists(airflow_db, conf):
    assert_refused_before_a_run_exists("rds_snapshots", conf)
