"""The local AWS's Aurora global database (``platform_ops.local.moto_aurora_global``), through the
drills' hooks (``AuroraGlobalHook``, ``CloudWatchMetricsHook``): the patch itself, not a drill."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from platform_ops.aws.aurora_global import AuroraGlobalHook
from platform_ops.aws.cloudwatch_metrics import CloudWatchMetricsHook
from platform_ops.local import drill_aurora
from platform_ops.local.clients import account_client
from platform_ops.registry import registry

INSERT = "INSERT INTO platform_ops_drill_marker (id, written_at) VALUES (:id, now())"
SELECT = "SELECT id, written_at FROM platform_ops_drill_marker WHERE id = :id"


@pytest.fixture
def aurora(aws):
    drill_aurora.set_knob(aws, "switch-seconds", "0.6")
    return drill_aurora.create_global_database(aws)


def hook(cls, region: str):
    return cls(aws_conn_id=registry().account("dr").aws_conn_id, region_name=region)


def sql(endpoint: str, aurora: dict, role: str, statement: str, marker: str) -> dict:
    cluster = aurora["clusters"][role]
    client = account_client(endpoint, "dr", "rds-data", cluster["region"])
    return client.execute_statement(
        resourceArn=cluster["cluster_arn"], secretArn=aurora["master_secret_arn"], sql=statement,
        parameters=[{"name": "id", "value": {"stringValue": marker}}],
    )  # fmt: skip


def test_switchover_moves_the_writer_through_the_documented_states(aws, aurora):
    gid = aurora["global_cluster_id"]
    primary, secondary = (aurora["clusters"][r]["cluster_arn"] for r in ("primary", "secondary"))
    rds = hook(AuroraGlobalHook, "us-east-1")
    assert rds.writer(gid)["arn"] == primary
    assert sql(aws, aurora, "primary", INSERT, "m-1")["numberOfRecordsUpdated"] == 1
    started = rds.switchover(gid, secondary)
    assert started["Status"] == "switching-over"
    assert started["FailoverState"] == {"Status": "pending", "FromDbClusterArn": primary,
                                        "ToDbClusterArn": secondary, "IsDataLossAllowed": False}  # fmt: skip
    seen = rds.wait_for_writer(gid, secondary, timeout=300, poll=0.05)
    states = [(s["status"], s["failover_state"], s["writer"]) for s in seen]
    assert ("switching-over", "switching-over", None) in states, states  # demoted: nobody writes
    assert states[-1] == ("available", None, secondary)
    # the old writer refuses writes, the new one takes them, the marker was replicated
    with pytest.raises(ClientError, match="read-only transaction"):
        sql(aws, aurora, "primary", INSERT, "m-2")
    assert sql(aws, aurora, "secondary", INSERT, "m-3")["numberOfRecordsUpdated"] == 1
    assert sql(aws, aurora, "secondary", SELECT, "m-1")["records"][0][0] == {"stringValue": "m-1"}
    # the lag metric exists only on the secondary: now eu-west-1's cluster
    drill_aurora.set_knob(aws, "lag-ms", "125")
    assert (
        hook(CloudWatchMetricsHook, "eu-west-1").aurora_lag_ms("platform-dr-euw1")["AuroraGlobalDBRPOLag"]
        == 125
    )
    assert hook(CloudWatchMetricsHook, "us-east-1").aurora_lag_ms("platform-dr-use1") == {
        "AuroraGlobalDBRPOLag": None, "AuroraGlobalDBReplicationLag": None}  # fmt: skip
    members = {m["region"]: m for m in rds.members(rds.describe(gid))}
    assert members["eu-west-1"]["synchronization"] == "connected" and not members["eu-west-1"]["is_writer"]


def test_failover_with_data_loss_loses_the_lag_and_resyncs_the_old_primary(aws, aurora):
    gid = aurora["global_cluster_id"]
    secondary = aurora["clusters"]["secondary"]["cluster_arn"]
    drill_aurora.set_knob(aws, "lag-ms", "600000")  # everything of the last 10 minutes is unreplicated
    sql(aws, aurora, "primary", INSERT, "lost")
    rds = hook(AuroraGlobalHook, "us-east-1")
    started = rds.failover(gid, secondary, allow_data_loss=True)
    assert started["Status"] == "failing-over" and started["FailoverState"]["IsDataLossAllowed"] is True
    seen = rds.wait_for_writer(gid, secondary, timeout=300, poll=0.05)
    assert ("failing-over", "failing-over", None) in [
        (s["status"], s["failover_state"], s["writer"]) for s in seen
    ]
    assert sql(aws, aurora, "secondary", SELECT, "lost")["records"] == []
    members = {m["region"]: m for m in rds.members(rds.describe(gid))}
    assert members["eu-west-1"]["synchronization"] == "pending-resync"


def test_refusals_as_aws_refuses(aws, aurora):
    gid = aurora["global_cluster_id"]
    primary, secondary = (aurora["clusters"][r]["cluster_arn"] for r in ("primary", "secondary"))
    rds = hook(AuroraGlobalHook, "us-east-1")
    with pytest.raises(ClientError, match="InvalidDBClusterStateFault"):
        rds.switchover(gid, primary)  # already the writer
    with pytest.raises(ClientError, match="InvalidParameterCombination"):
        rds.conn.failover_global_cluster(GlobalClusterIdentifier=gid, TargetDbClusterIdentifier=secondary,
                                         AllowDataLoss=True, Switchover=True)  # fmt: skip
    drill_aurora.set_knob(aws, "scenario", "refuse-switchover-to:us-east-1")
    with pytest.raises(ClientError, match="InvalidDBClusterStateFault"):
        rds.switchover(gid, secondary)
    drill_aurora.set_knob(aws, "scenario", "none")
    rds.failover(gid, secondary, allow_data_loss=False)  # Switchover=True: a switchover
    assert rds.describe(gid)["FailoverState"]["IsDataLossAllowed"] is False
    with pytest.raises(ClientError, match="InvalidGlobalClusterStateFault"):
        rds.switchover(gid, secondary)  # one operation at a time
    rds.wait_for_writer(gid, secondary, timeout=300, poll=0.05)
