"""The local AWS's RDS snapshot events and the snapshot waits' building blocks.

The events come from the patched moto (``local/moto_events``), through the RDS snapshot rule of
``matching.RULE_PATTERNS`` to the queue the seeder made, and must match the trigger's matcher the
way AWS's events would (the fields of AWS's documented "RDS DB Snapshot Event").
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from airflow.sdk.exceptions import TaskDeferred
from platform_ops.events import matching
from platform_ops.local.clients import account_client
from platform_ops.snapshots.operators import OutsideWindowsOperator

from tests.snapshots import recording

# this module's local AWS (recorder on, snapshots that take a second)
recording_server, fast_registry, recorded_aws = (
    recording.recording_server,
    recording.fast_registry,
    recording.recorded_aws,
)

QUEUE = "platform-ops-rds-snapshot-events"


def _events(endpoint: str, region: str, wanted: int) -> list[dict]:
    sqs = account_client(endpoint, "production", "sqs", region)
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    found: list[dict] = []
    deadline = time.monotonic() + 120
    while len(found) < wanted and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            found.append(matching.parse_envelope(message["Body"]))
    return found


def test_snapshot_and_copy_events_end_the_wait_for_that_snapshot_only(recorded_aws):
    endpoint = recorded_aws.endpoint
    since = time.time()
    rds = account_client(endpoint, "production", "rds", "eu-west-1")
    snap = rds.create_db_snapshot(DBSnapshotIdentifier="ev-1", DBInstanceIdentifier="production-postgres")[
        "DBSnapshot"
    ]
    cluster = rds.create_db_cluster_snapshot(
        DBClusterSnapshotIdentifier="ev-c", DBClusterIdentifier="production-aurora"
    )["DBClusterSnapshot"]
    assert snap["Status"] == "creating"  # MOTO_RDS_SNAPSHOT_SECONDS: available a second later
    created = {e["detail"]["SourceArn"]: e for e in _events(endpoint, "eu-west-1", 2)}
    instance_event, cluster_event = created[snap["DBSnapshotArn"]], created[cluster["DBClusterSnapshotArn"]]
    assert (
        instance_event["detail-type"] == "RDS DB Snapshot Event"
        and instance_event["detail"]["EventID"] == "RDS-EVENT-0042"
    )
    assert cluster_event["detail-type"] == "RDS DB Cluster Snapshot Event"
    outcome = matching.match_rds_snapshot(instance_event, snap["DBSnapshotArn"], since)
    assert outcome is not None and outcome.status == "available" and outcome.source == "event"
    assert (
        matching.match_rds_snapshot(cluster_event, cluster["DBClusterSnapshotArn"], since).status
        == "available"
    )
    assert matching.match_rds_snapshot(instance_event, cluster["DBClusterSnapshotArn"], since) is None
    assert (
        matching.match_rds_snapshot(instance_event, snap["DBSnapshotArn"], time.time() + 60) is None
    )  # older

    key = account_client(endpoint, "production", "kms", "us-east-1").describe_key(
        KeyId="alias/platform-ops-snapshots-dr"
    )
    dr = account_client(endpoint, "production", "rds", "us-east-1")
    copy = dr.copy_db_snapshot(SourceDBSnapshotIdentifier=snap["DBSnapshotArn"], TargetDBSnapshotIdentifier="ev-1",
                               KmsKeyId=key["KeyMetadata"]["Arn"], SourceRegion="eu-west-1")["DBSnapshot"]  # fmt: skip
    (copied,) = _events(endpoint, "us-east-1", 1)
    assert copied["detail"]["EventID"] == "RDS-EVENT-0060" and copied["region"] == "us-east-1"
    assert matching.match_rds_snapshot(copied, copy["DBSnapshotArn"], since).status == "available"
    described = dr.describe_db_snapshots(DBSnapshotIdentifier="ev-1")
    assert matching.rds_snapshot_describe_outcome(described, copy["DBSnapshotArn"]).status == "available"
    assert matching.rds_snapshot_describe_outcome({}, copy["DBSnapshotArn"]).status == "MISSING"


def test_a_backdated_snapshot_has_the_create_time_of_its_tag(recorded_aws):
    rds = account_client(recorded_aws.endpoint, "production", "rds", "eu-west-1")
    tag = {"Key": "moto:snapshot-create-time", "Value": "2016-12-01T05:30:00+00:00"}
    rds.create_db_snapshot(
        DBSnapshotIdentifier="old-1", DBInstanceIdentifier="production-postgres", Tags=[tag]
    )
    described = rds.describe_db_snapshots(DBSnapshotIdentifier="old-1")["DBSnapshots"][0]
    assert described["SnapshotCreateTime"] == datetime(2016, 12, 1, 5, 30, tzinfo=UTC)


def _window_task(now_weekday_window: str) -> OutsideWindowsOperator:
    db = {
        "kind": "instance",
        "identifier": "db",
        "backup_window": now_weekday_window,
        "maintenance_window": None,
    }
    return OutsideWindowsOperator(task_id="outside_windows", database=db)


def test_inside_a_window_the_task_defers_until_it_closes():
    now = datetime.now(UTC)
    start, end = (now.replace(second=0, microsecond=0) - timedelta(minutes=m) for m in (10, -50))
    task = _window_task(f"{start:%H:%M}-{end:%H:%M}")
    with pytest.raises(TaskDeferred) as deferred:
        task.execute(context={})
    assert deferred.value.trigger.moment == end and deferred.value.method_name == "execute"


def test_outside_every_window_the_task_goes_on_at_once():
    now = datetime.now(UTC)
    start = now.replace(second=0, microsecond=0) + timedelta(hours=2)
    end = start + timedelta(minutes=30)
    assert _window_task(f"{start:%H:%M}-{end:%H:%M}").execute(context={}) is not None


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("CreateDBSnapshot", {"DBSnapshotIdentifier", "DBInstanceIdentifier", "Tags"}),
        ("CreateDBClusterSnapshot", {"DBClusterSnapshotIdentifier", "DBClusterIdentifier", "Tags"}),
        ("CopyDBSnapshot", {"SourceDBSnapshotIdentifier", "TargetDBSnapshotIdentifier", "KmsKeyId", "CopyTags", "SourceRegion"}),
        ("CopyDBClusterSnapshot", {"SourceDBClusterSnapshotIdentifier", "TargetDBClusterSnapshotIdentifier", "KmsKeyId",
                                   "CopyTags", "SourceRegion"}),
        ("DescribeDBSnapshotAttributes", {"DBSnapshotIdentifier"}),
        ("DescribeDBClusterSnapshotAttributes", {"DBClusterSnapshotIdentifier"}),
    ],
)  # fmt: skip
def test_rds_calls_use_parameters_of_botocores_model(operation, params):
    """What steps.py sends exists in AWS's model (SourceRegion: botocore makes the presigned URL from it)."""
    import botocore.session

    model = botocore.session.get_session().get_service_model("rds").operation_model(operation)
    assert params <= set(model.input_shape.members), params - set(model.input_shape.members)
