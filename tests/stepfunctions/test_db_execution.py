"""Database machines executed in moto; each test asserts the resulting RDS state."""

from __future__ import annotations

import json

import pytest
from platform_ops.registry import registry

from tests.stepfunctions.conftest import DESTINATION, SOURCE, fast

# Builds what it runs against itself: no seeded landing-zone resources needed.
pytestmark = pytest.mark.seeds()


def make_cluster(rds, name, tags=None, instances=0, **extra):
    rds.create_db_cluster(
        DBClusterIdentifier=name,
        Engine="aurora-mysql",
        MasterUsername="admin",
        MasterUserPassword="not-a-real-password",
        Tags=tags or [],
        **extra,
    )
    for index in range(instances):
        rds.create_db_instance(
            DBInstanceIdentifier=f"{name}-{index + 1}",
            DBClusterIdentifier=name,
            Engine="aurora-mysql",
            DBInstanceClass="db.r6g.large",
        )


def test_create_manual_snapshot_creates_then_reuses(sfn, source):
    rds = source("rds")
    make_cluster(rds, "prod-aurora")
    payload = fast(
        SourceAccount=SOURCE,
        DbClusterIdentifier="prod-aurora",
        SnapshotIdentifier="refresh-1",
        Tags=[{"Key": "Purpose", "Value": "refresh"}],
    )
    first = sfn.run("db", "create_manual_snapshot", payload)
    assert first.status == "SUCCEEDED", first.cause
    assert first.output["Status"] == "Completed"
    snapshot = rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="refresh-1")[
        "DBClusterSnapshots"
    ][0]
    assert snapshot["DBClusterIdentifier"] == "prod-aurora"
    assert snapshot["SnapshotType"] == "manual"
    assert {"Key": "Purpose", "Value": "refresh"} in rds.list_tags_for_resource(
        ResourceName=snapshot["DBClusterSnapshotArn"]
    )["TagList"]
    assert first.output["SnapshotArn"] == snapshot["DBClusterSnapshotArn"]
    # Every call asked for the source role (the history), and acted in production (the snapshot above).
    assert set().union(*first.roles_by_state().values()) == {SOURCE["RoleArn"]}

    again = sfn.run("db", "create_manual_snapshot", payload)
    assert again.status == "SUCCEEDED" and again.output["Status"] == "NoChange"
    manual = rds.describe_db_cluster_snapshots(DBClusterIdentifier="prod-aurora", SnapshotType="manual")
    assert len(manual["DBClusterSnapshots"]) == 1


def test_create_manual_snapshot_refuses_missing_cluster(sfn, source):
    result = sfn.run(
        "db",
        "create_manual_snapshot",
        fast(SourceAccount=SOURCE, DbClusterIdentifier="nope", SnapshotIdentifier="refresh-1"),
    )
    assert result.status == "FAILED" and result.error == "NotFound"
    assert source.new("manual_snapshots") == []


def test_share_snapshot_grants_and_shares(sfn, source):
    rds, kms = source("rds"), source("kms")
    key = kms.create_key(Description="prod aurora")["KeyMetadata"]
    make_cluster(rds, "prod-aurora", StorageEncrypted=True, KmsKeyId=key["Arn"])
    rds.create_db_cluster_snapshot(DBClusterIdentifier="prod-aurora", DBClusterSnapshotIdentifier="refresh-1")
    result = sfn.run(
        "db",
        "share_snapshot",
        fast(SourceAccount=SOURCE, DestinationAccount=DESTINATION, SnapshotIdentifier="refresh-1"),
    )
    assert result.status == "SUCCEEDED", result.cause
    attributes = rds.describe_db_cluster_snapshot_attributes(DBClusterSnapshotIdentifier="refresh-1")
    values = attributes["DBClusterSnapshotAttributesResult"]["DBClusterSnapshotAttributes"][0][
        "AttributeValues"
    ]
    assert values == [DESTINATION["AccountId"]]
    grants = kms.list_grants(KeyId=key["KeyId"])["Grants"]
    assert [g["GranteePrincipal"] for g in grants] == [DESTINATION["RoleArn"]]
    assert result.output["KmsGrantId"] == grants[0]["GrantId"]
    assert result.output["SharedWithAccountId"] == DESTINATION["AccountId"]


def test_share_snapshot_refuses_automated_snapshot(sfn, source):
    rds = source("rds")
    make_cluster(rds, "prod-aurora")
    automated = rds.describe_db_cluster_snapshots(DBClusterIdentifier="prod-aurora", SnapshotType="automated")
    name = automated["DBClusterSnapshots"][0]["DBClusterSnapshotIdentifier"]
    result = sfn.run(
        "db",
        "share_snapshot",
        fast(SourceAccount=SOURCE, DestinationAccount=DESTINATION, SnapshotIdentifier=name),
    )
    assert result.status == "FAILED" and result.error == "InvalidInput"
    attributes = rds.describe_db_cluster_snapshot_attributes(DBClusterSnapshotIdentifier=name)
    assert all(
        not a["AttributeValues"]
        for a in attributes["DBClusterSnapshotAttributesResult"]["DBClusterSnapshotAttributes"]
    )


# db/list_shared_snapshots input: what staging was shared of production's prod-aurora.
LIST_PROD_AURORA = {
    "DestinationAccount": DESTINATION,
    "SourceAccount": {"AccountId": SOURCE["AccountId"]},
    "SourceDbClusterIdentifier": "prod-aurora",
}


def test_list_shared_snapshots_keeps_only_the_source_cluster_and_account(sfn, source, aws):
    from platform_ops.local.clients import account_client

    # The snapshots live in their owners' accounts; the machine lists, as the destination role, what
    # is shared with staging. A production snapshot shared with dev only is not seen at all.
    prod, dev = source("rds"), account_client(aws, "dev", "rds")
    for client, cluster in ((prod, "prod-aurora"), (prod, "prod-other"), (dev, "prod-aurora")):
        make_cluster(client, cluster)
    for client, cluster, snapshot, shared_with in (
        (prod, "prod-aurora", "wanted", DESTINATION["AccountId"]),
        (prod, "prod-other", "other-cluster", DESTINATION["AccountId"]),
        (dev, "prod-aurora", "other-account", DESTINATION["AccountId"]),
        (prod, "prod-aurora", "shared-with-dev", registry().account("dev").account_id),
    ):
        client.create_db_cluster_snapshot(DBClusterIdentifier=cluster, DBClusterSnapshotIdentifier=snapshot)
        client.modify_db_cluster_snapshot_attribute(
            DBClusterSnapshotIdentifier=snapshot, AttributeName="restore", ValuesToAdd=[shared_with]
        )
    prod.create_db_cluster_snapshot(
        DBClusterIdentifier="prod-aurora", DBClusterSnapshotIdentifier="not-shared"
    )
    result = sfn.run(
        "db",
        "list_shared_snapshots",
        LIST_PROD_AURORA,
    )
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["SnapshotIdentifier"] == "wanted"
    assert (
        result.output["SnapshotArn"] == f"arn:aws:rds:eu-west-1:{SOURCE['AccountId']}:cluster-snapshot:wanted"
    )
    assert result.output["SharedSnapshotCount"] == 3


def test_list_shared_snapshots_scan_picks_the_newest_available(sfn):
    """The selection states, fed directly: moto hands SDK timestamps to Choice as Python datetimes,
    which its Timestamp comparators never match, so "newest" cannot be shown end to end in moto."""

    def candidate(name, created, state="available", owner=SOURCE["AccountId"], cluster="prod-aurora"):
        return {
            "Id": name,
            "Arn": f"arn:aws:rds:eu-west-1:{owner}:cluster-snapshot:{name}",
            "ClusterId": cluster,
            "State": state,
            "CreatedAt": created,
            "EngineVersion": "8.0",
            "StorageEncrypted": True,
            "OwnerAccountId": owner,
        }

    candidates = [
        candidate("older", "2026-01-01T01:00:00Z"),
        candidate("newest", "2026-01-03T01:00:00Z"),
        candidate("middle", "2026-01-02T01:00:00Z"),
        candidate("copying", "2026-01-04T01:00:00Z", state="copying"),
        candidate("foreign", "2026-01-05T01:00:00Z", owner="444444444444"),
        candidate("sibling", "2026-01-06T01:00:00Z", cluster="prod-other"),
    ]
    result = sfn.run(
        "db",
        "list_shared_snapshots",
        dict(LIST_PROD_AURORA, Candidates=candidates),
        start_at="StartScan",
    )
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["SnapshotIdentifier"] == "newest"


def test_list_shared_snapshots_fails_when_nothing_matches(sfn, destination):
    result = sfn.run(
        "db",
        "list_shared_snapshots",
        LIST_PROD_AURORA,
    )
    assert result.status == "FAILED" and result.error == "NotFound"


RESTORE = {
    "RestoreType": "from-snapshot",
    "DbClusterIdentifier": "stg-aurora-restore",
    "EngineVersion": "8.0.mysql_aurora.3.05.2",
    "DbSubnetGroupName": "default",
    "VpcSecurityGroupIds": ["sg-0123456789abcdef0"],
    "DbClusterParameterGroupName": "default.aurora-mysql8.0",
    "KmsKeyId": "alias/stg-aurora",
    "Tags": [{"Key": "Environment", "Value": "staging"}],
}


def tags_of(rds, arn):
    return {t["Key"]: t["Value"] for t in rds.list_tags_for_resource(ResourceName=arn)["TagList"]}


def shared_snapshot(rds, name: str = "refresh-1") -> str:
    """A production snapshot of prod-aurora shared with staging; returns its ARN (how the
    destination must name a shared snapshot)."""
    make_cluster(rds, "prod-aurora")
    arn = rds.create_db_cluster_snapshot(DBClusterIdentifier="prod-aurora", DBClusterSnapshotIdentifier=name)[
        "DBClusterSnapshot"
    ]["DBClusterSnapshotArn"]
    rds.modify_db_cluster_snapshot_attribute(
        DBClusterSnapshotIdentifier=name, AttributeName="restore", ValuesToAdd=[DESTINATION["AccountId"]]
    )
    return arn


def test_restore_cluster_from_snapshot_creates_tagged_cluster(sfn, source, destination):
    rds = destination("rds")
    snapshot_arn = shared_snapshot(source("rds"))
    result = sfn.run(
        "db",
        "restore_cluster",
        fast(DestinationAccount=DESTINATION, SnapshotIdentifier=snapshot_arn, **RESTORE),
    )
    assert result.status == "SUCCEEDED", result.cause
    # restored in staging from production's snapshot; production keeps only its own cluster
    assert source.new("clusters") == ["prod-aurora"]
    cluster = rds.describe_db_clusters(DBClusterIdentifier="stg-aurora-restore")["DBClusters"][0]
    assert cluster["Status"] == "available"
    assert cluster["DBClusterMembers"] == []  # instances are db/create_instance's job
    assert tags_of(rds, cluster["DBClusterArn"]) == {"refresh": "true", "Environment": "staging"}
    assert result.output == {
        "Status": "Completed",
        "DbClusterIdentifier": "stg-aurora-restore",
        "DbClusterArn": cluster["DBClusterArn"],
        "Endpoint": cluster["Endpoint"],
        "RestoreType": "from-snapshot",
    }
    assert set().union(*result.roles_by_state().values()) == {DESTINATION["RoleArn"]}


def test_restore_cluster_never_replaces_an_existing_cluster(sfn, destination):
    rds = destination("rds")
    make_cluster(rds, "stg-aurora-restore", tags=[{"Key": "keep", "Value": "me"}])
    rds.create_db_cluster_snapshot(
        DBClusterIdentifier="stg-aurora-restore", DBClusterSnapshotIdentifier="refresh-1"
    )
    result = sfn.run(
        "db",
        "restore_cluster",
        fast(DestinationAccount=DESTINATION, SnapshotIdentifier="refresh-1", **RESTORE),
    )
    assert result.status == "FAILED" and result.error == "AlreadyExists"
    cluster = rds.describe_db_clusters(DBClusterIdentifier="stg-aurora-restore")["DBClusters"][0]
    assert tags_of(rds, cluster["DBClusterArn"]) == {"keep": "me"}


def test_create_instance_creates_numbered_tagged_instances(sfn, destination):
    rds = destination("rds")
    make_cluster(rds, "stg-aurora-restore")
    result = sfn.run(
        "db",
        "create_instance",
        fast(
            DestinationAccount=DESTINATION,
            DbClusterIdentifier="stg-aurora-restore",
            DbInstanceIdentifierPrefix="stg-aurora-restore",
            DbInstances=[
                {"DbInstanceClass": "db.r6g.large", "PromotionTier": 0},
                {"DbInstanceClass": "db.r6g.xlarge", "PromotionTier": 1},
            ],
            DbParameterGroupName="default.aurora-mysql8.0",
        ),
    )
    assert result.status == "SUCCEEDED", result.cause
    assert destination.new("instances") == ["stg-aurora-restore-1", "stg-aurora-restore-2"]
    instances = {
        i["DBInstanceIdentifier"]: i
        for i in rds.describe_db_instances()["DBInstances"]
        if i["DBInstanceIdentifier"] not in destination.seeded["instances"]
    }
    assert instances["stg-aurora-restore-2"]["DBInstanceClass"] == "db.r6g.xlarge"
    assert all(
        i["DBClusterIdentifier"] == "stg-aurora-restore" and not i["PubliclyAccessible"]
        for i in instances.values()
    )
    assert all(tags_of(rds, i["DBInstanceArn"])["refresh"] == "true" for i in instances.values())
    assert sorted(result.output["DbInstanceIdentifiers"]) == ["stg-aurora-restore-1", "stg-aurora-restore-2"]


def test_ensure_cluster_available_starts_a_stopped_cluster(sfn, destination):
    rds = destination("rds")
    make_cluster(rds, "stg-aurora")
    rds.stop_db_cluster(DBClusterIdentifier="stg-aurora")
    result = sfn.run(
        "db",
        "ensure_cluster_available",
        fast(DestinationAccount=DESTINATION, DbClusterIdentifier="stg-aurora"),
    )
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["Status"] == "Completed"
    assert (
        rds.describe_db_clusters(DBClusterIdentifier="stg-aurora")["DBClusters"][0]["Status"] == "available"
    )
    again = sfn.run(
        "db",
        "ensure_cluster_available",
        fast(DestinationAccount=DESTINATION, DbClusterIdentifier="stg-aurora"),
    )
    assert again.output["Status"] == "NoChange"
    assert "StartCluster" not in again.states_entered()


def test_stop_cluster_stops_and_is_idempotent(sfn, destination):
    rds = destination("rds")
    make_cluster(rds, "stg-aurora-old")
    result = sfn.run(
        "db", "stop_cluster", fast(DestinationAccount=DESTINATION, DbClusterIdentifier="stg-aurora-old")
    )
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["Status"] == "Completed"
    assert (
        rds.describe_db_clusters(DBClusterIdentifier="stg-aurora-old")["DBClusters"][0]["Status"] == "stopped"
    )
    again = sfn.run(
        "db", "stop_cluster", fast(DestinationAccount=DESTINATION, DbClusterIdentifier="stg-aurora-old")
    )
    assert again.status == "SUCCEEDED" and again.output["Status"] == "NoChange"


def test_rename_cluster_renames_cluster_and_instances(sfn, destination):
    rds = destination("rds")
    make_cluster(rds, "stg-aurora", instances=2)
    result = sfn.run(
        "db",
        "rename_cluster",
        fast(
            DestinationAccount=DESTINATION,
            DbClusterIdentifier="stg-aurora",
            NewDbClusterIdentifier="stg-aurora-old",
            NewInstanceIdentifierPrefix="stg-aurora-old",
        ),
    )
    assert result.status == "SUCCEEDED", result.cause
    assert destination.new("clusters") == ["stg-aurora-old"]
    assert destination.new("instances") == [
        "stg-aurora-old-1",
        "stg-aurora-old-2",
    ]
    assert result.output["PreviousDbClusterIdentifier"] == "stg-aurora"
    assert sorted(result.output["DbInstanceIdentifiers"]) == ["stg-aurora-old-1", "stg-aurora-old-2"]


def test_rename_cluster_refuses_a_taken_name_and_deletes_nothing(sfn, destination):
    rds = destination("rds")
    make_cluster(rds, "stg-aurora")
    make_cluster(rds, "stg-aurora-old", tags=[{"Key": "refresh", "Value": "true"}])
    result = sfn.run(
        "db",
        "rename_cluster",
        fast(
            DestinationAccount=DESTINATION,
            DbClusterIdentifier="stg-aurora",
            NewDbClusterIdentifier="stg-aurora-old",
            NewInstanceIdentifierPrefix="stg-aurora-old",
        ),
    )
    assert result.status == "FAILED" and result.error == "Conflict"
    assert destination.new("clusters") == [
        "stg-aurora",
        "stg-aurora-old",
    ]


def test_delete_cluster_refuses_an_untagged_cluster(sfn, destination):
    rds = destination("rds")
    make_cluster(rds, "stg-aurora", instances=1, tags=[{"Key": "refresh", "Value": "false"}])
    result = sfn.run(
        "db", "delete_cluster", fast(DestinationAccount=DESTINATION, DbClusterIdentifier="stg-aurora")
    )
    assert result.status == "FAILED" and result.error == "NotTaggedForRefresh"
    assert destination.new("clusters") == ["stg-aurora"]
    assert destination.new("instances") == ["stg-aurora-1"]
    assert not any(name.startswith("Delete") for name in result.states_entered())


def test_delete_cluster_deletes_a_tagged_cluster_with_instances(sfn, destination):
    rds = destination("rds")
    make_cluster(rds, "stg-aurora-old", instances=2, tags=[{"Key": "refresh", "Value": "true"}])
    make_cluster(rds, "stg-aurora", instances=1)
    result = sfn.run(
        "db", "delete_cluster", fast(DestinationAccount=DESTINATION, DbClusterIdentifier="stg-aurora-old")
    )
    assert result.status == "SUCCEEDED", result.cause
    assert destination.new("clusters") == ["stg-aurora"]
    assert destination.new("instances") == ["stg-aurora-1"]
    assert sorted(result.output["DeletedInstanceIdentifiers"]) == ["stg-aurora-old-1", "stg-aurora-old-2"]
    # moto records each task's role: the Map iterations got the destination role through ItemSelector.
    assert result.roles_by_state()["DeleteInstance"] == {DESTINATION["RoleArn"]}


def test_delete_cluster_refuses_a_protected_account(sfn, destination):
    rds = destination("rds")
    make_cluster(rds, "stg-aurora", tags=[{"Key": "refresh", "Value": "true"}])
    result = sfn.run(
        "db",
        "delete_cluster",
        fast(
            DestinationAccount=DESTINATION,
            DbClusterIdentifier="stg-aurora",
            ProtectedAccountIds=[SOURCE["AccountId"], DESTINATION["AccountId"]],
        ),
    )
    assert result.status == "FAILED" and result.error == "ProtectedAccount"
    assert destination.new("clusters") == ["stg-aurora"]


def test_ensure_cluster_not_exists_deletes_or_reports_absence(sfn, destination):
    rds = destination("rds")
    make_cluster(rds, "stg-aurora-restore", instances=1, tags=[{"Key": "refresh", "Value": "true"}])
    rds.stop_db_cluster(DBClusterIdentifier="stg-aurora-restore")
    payload = fast(DestinationAccount=DESTINATION, DbClusterIdentifier="stg-aurora-restore")
    first = sfn.run("db", "ensure_cluster_not_exists", payload)
    assert first.status == "SUCCEEDED", first.cause
    assert first.output["Status"] == "Completed"
    assert "StartCluster" in first.states_entered()  # a stopped cluster is started before its instances go
    assert destination.new("clusters") == [] and destination.new("instances") == []
    second = sfn.run("db", "ensure_cluster_not_exists", payload)
    assert second.status == "SUCCEEDED" and second.output == {
        "Status": "NoChange",
        "DbClusterIdentifier": "stg-aurora-restore",
        "DeletedInstanceIdentifiers": [],
    }


def test_enable_master_secret_switches_to_a_managed_secret(sfn, destination):
    rds = destination("rds")
    make_cluster(rds, "stg-aurora-restore")
    payload = fast(
        DestinationAccount=DESTINATION,
        DbClusterIdentifier="stg-aurora-restore",
        MasterUserSecretKmsKeyId="alias/stg-secrets",
    )
    result = sfn.run("db", "enable_master_secret", payload)
    assert result.status == "SUCCEEDED", result.cause
    cluster = rds.describe_db_clusters(DBClusterIdentifier="stg-aurora-restore")["DBClusters"][0]
    assert result.output["MasterUserSecretArn"] == cluster["MasterUserSecret"]["SecretArn"]
    assert result.output["Status"] == "Completed"
    assert "SecretString" not in json.dumps(result.events, default=str)  # only the ARN ever travelled
    again = sfn.run("db", "enable_master_secret", payload)
    assert again.output["Status"] == "NoChange"


def test_delete_cluster_refuses_deletion_protection_and_deletes_nothing(sfn, destination):
    rds = destination("rds")
    make_cluster(
        rds,
        "stg-aurora-old",
        instances=2,
        tags=[{"Key": "refresh", "Value": "true"}],
        DeletionProtection=True,
    )
    assert rds.describe_db_clusters(DBClusterIdentifier="stg-aurora-old")["DBClusters"][0][
        "DeletionProtection"
    ]
    for machine in ("delete_cluster", "ensure_cluster_not_exists"):
        result = sfn.run(
            "db", machine, fast(DestinationAccount=DESTINATION, DbClusterIdentifier="stg-aurora-old")
        )
        assert result.status == "FAILED" and result.error == "DeletionProtected", (machine, result.cause)
        assert not any(name.startswith(("Delete", "StartCluster")) for name in result.states_entered())
        assert destination.new("clusters") == ["stg-aurora-old"]
        assert destination.new("instances") == [
            "stg-aurora-old-1",
            "stg-aurora-old-2",
        ]
    # The same cluster without the protection is deleted: the refusal came from DeletionProtection.
    rds.modify_db_cluster(
        DBClusterIdentifier="stg-aurora-old", DeletionProtection=False, ApplyImmediately=True
    )
    result = sfn.run(
        "db", "delete_cluster", fast(DestinationAccount=DESTINATION, DbClusterIdentifier="stg-aurora-old")
    )
    assert result.status == "SUCCEEDED", result.cause
    assert destination.new("clusters") == []


def _scheduled(result, state: str) -> list[dict]:
    """Parameters of every call the named task state scheduled, from the execution history."""
    by_id = {e["id"]: e for e in result.events}
    calls = []
    for event in result.events:
        details = event.get("taskScheduledEventDetails")
        entered = by_id.get(event.get("previousEventId"), {}).get("stateEnteredEventDetails", {})
        if details and entered.get("name") == state:
            calls.append(json.loads(details["parameters"]))
    return calls


def _sdk_actions(result) -> set[str]:
    return {
        e["taskScheduledEventDetails"]["resource"] for e in result.events if "taskScheduledEventDetails" in e
    }


@pytest.mark.parametrize(
    "tags", [[], [{"Key": "Environment", "Value": "staging"}, {"Key": "Team", "Value": "db"}]]
)
def test_restore_cluster_tags_refresh_in_the_restore_call_itself(sfn, source, destination, tags):
    rds = destination("rds")
    snapshot_arn = shared_snapshot(source("rds"))
    payload = fast(
        DestinationAccount=DESTINATION, SnapshotIdentifier=snapshot_arn, **dict(RESTORE, Tags=tags)
    )
    result = sfn.run("db", "restore_cluster", payload)
    assert result.status == "SUCCEEDED", result.cause
    wanted = [{"Key": "refresh", "Value": "true"}, *tags]
    # One call creates the cluster with its safety tag; no later tagging call exists that could fail.
    assert [call["Tags"] for call in _scheduled(result, "RestoreFromSnapshot")] == [wanted]
    assert not any(
        "addTagsToResource" in action or "tagResources" in action for action in _sdk_actions(result)
    )
    cluster = rds.describe_db_clusters(DBClusterIdentifier="stg-aurora-restore")["DBClusters"][0]
    assert tags_of(rds, cluster["DBClusterArn"]) == {t["Key"]: t["Value"] for t in wanted}


def test_restore_cluster_contract_reserves_the_refresh_tag():
    import jsonschema

    from tests.stepfunctions.conftest import load

    _, schema = load("db", "restore_cluster")
    payload = dict(RESTORE, DestinationAccount=DESTINATION, SnapshotIdentifier="refresh-1")
    jsonschema.validate(payload, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(dict(payload, Tags=[{"Key": "refresh", "Value": "false"}]), schema)


def test_create_instance_tags_refresh_in_create_db_instance(sfn, destination):
    rds = destination("rds")
    make_cluster(rds, "stg-aurora-restore")
    result = sfn.run(
        "db",
        "create_instance",
        fast(
            DestinationAccount=DESTINATION,
            DbClusterIdentifier="stg-aurora-restore",
            DbInstanceIdentifierPrefix="stg-aurora-restore",
            DbInstances=[{"DbInstanceClass": "db.r6g.large", "PromotionTier": 0}],
            DbParameterGroupName="default.aurora-mysql8.0",
            Tags=[{"Key": "Environment", "Value": "staging"}],
        ),
    )
    assert result.status == "SUCCEEDED", result.cause
    wanted = [{"Key": "refresh", "Value": "true"}, {"Key": "Environment", "Value": "staging"}]
    assert [call["Tags"] for call in _scheduled(result, "CreateInstance")] == [wanted]
    assert not any("addTagsToResource" in action for action in _sdk_actions(result))
    instance = rds.describe_db_instances(DBInstanceIdentifier="stg-aurora-restore-1")["DBInstances"][0]
    assert tags_of(rds, instance["DBInstanceArn"]) == {"refresh": "true", "Environment": "staging"}
