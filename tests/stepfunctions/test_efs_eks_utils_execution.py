"""EFS, EKS and utility machines executed in moto; each test asserts the resulting AWS state."""

from __future__ import annotations

import pytest

from tests.stepfunctions.conftest import DESTINATION, SOURCE, fast
from tests.stepfunctions.test_db_execution import make_cluster

# Builds what it runs against itself: no seeded landing-zone resources needed.
pytestmark = pytest.mark.seeds()


@pytest.fixture
def network(destination):
    ec2 = destination("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=f"eu-west-1{zone}")[
            "Subnet"
        ]["SubnetId"]
        for i, zone in enumerate("ab")
    ]
    group = ec2.create_security_group(GroupName="efs", Description="efs", VpcId=vpc)["GroupId"]
    return {"SubnetIds": subnets, "SecurityGroupIds": [group]}


def efs_tags(efs, fs_id):
    return {t["Key"]: t["Value"] for t in efs.list_tags_for_resource(ResourceId=fs_id)["Tags"]}


def test_create_filesystem_with_mount_targets_then_rerun_is_no_change(sfn, destination, network):
    efs = destination("efs")
    payload = fast(
        DestinationAccount=DESTINATION,
        CreationToken="stg-media-1",
        KmsKeyId="alias/stg-efs",
        Tags=[{"Key": "Name", "Value": "stg-media"}],
        **network,
    )
    result = sfn.run("efs", "create_filesystem", payload)
    assert result.status == "SUCCEEDED", result.cause
    fs = efs.describe_file_systems(CreationToken="stg-media-1")["FileSystems"]
    assert len(fs) == 1 and fs[0]["Encrypted"] and fs[0]["LifeCycleState"] == "available"
    fs_id = fs[0]["FileSystemId"]
    assert efs_tags(efs, fs_id) == {"Name": "stg-media", "refresh": "true"}
    targets = efs.describe_mount_targets(FileSystemId=fs_id)["MountTargets"]
    assert sorted(t["SubnetId"] for t in targets) == sorted(network["SubnetIds"])
    assert result.output["Status"] == "Completed" and result.output["FileSystemId"] == fs_id
    assert sorted(result.output["MountTargetIds"]) == sorted(t["MountTargetId"] for t in targets)

    again = sfn.run("efs", "create_filesystem", payload)
    assert again.status == "SUCCEEDED" and again.output["Status"] == "NoChange"
    assert len(destination.new("file_systems")) == 1
    assert len(efs.describe_mount_targets(FileSystemId=fs_id)["MountTargets"]) == 2


def test_create_mount_targets_for_a_restored_filesystem(sfn, destination, network):
    efs = destination("efs")
    fs_id = efs.create_file_system(CreationToken="restored", Encrypted=True)["FileSystemId"]
    efs.create_mount_target(
        FileSystemId=fs_id, SubnetId=network["SubnetIds"][0], SecurityGroups=network["SecurityGroupIds"]
    )
    result = sfn.run(
        "efs", "create_mount_targets", fast(DestinationAccount=DESTINATION, FileSystemId=fs_id, **network)
    )
    assert result.status == "SUCCEEDED", result.cause
    targets = efs.describe_mount_targets(FileSystemId=fs_id)["MountTargets"]
    assert sorted(t["SubnetId"] for t in targets) == sorted(
        network["SubnetIds"]
    )  # existing one kept, one added
    # no new file system (v1.18.0 called create_filesystem here)
    assert len(destination.new("file_systems")) == 1


def test_delete_filesystem_refuses_untagged(sfn, destination, network):
    efs = destination("efs")
    fs_id = efs.create_file_system(CreationToken="prod-like", Tags=[{"Key": "Name", "Value": "precious"}])[
        "FileSystemId"
    ]
    efs.create_mount_target(FileSystemId=fs_id, SubnetId=network["SubnetIds"][0])
    result = sfn.run("efs", "delete_filesystem", fast(DestinationAccount=DESTINATION, FileSystemId=fs_id))
    assert result.status == "FAILED" and result.error == "NotTaggedForRefresh"
    assert destination.new("file_systems") == [fs_id]
    assert len(efs.describe_mount_targets(FileSystemId=fs_id)["MountTargets"]) == 1


def test_delete_filesystem_removes_access_points_mount_targets_and_filesystem(sfn, destination, network):
    efs = destination("efs")
    keep = efs.create_file_system(CreationToken="keep")["FileSystemId"]
    fs_id = efs.create_file_system(CreationToken="old", Tags=[{"Key": "refresh", "Value": "true"}])[
        "FileSystemId"
    ]
    for subnet in network["SubnetIds"]:
        efs.create_mount_target(FileSystemId=fs_id, SubnetId=subnet)
    efs.create_access_point(FileSystemId=fs_id, ClientToken="ap-1")
    result = sfn.run("efs", "delete_filesystem", fast(DestinationAccount=DESTINATION, FileSystemId=fs_id))
    assert result.status == "SUCCEEDED", result.cause
    assert destination.new("file_systems") == [keep]
    assert efs.describe_access_points()["AccessPoints"] == []
    assert result.output == {"Status": "Completed", "FileSystemId": fs_id}


def test_scale_nodegroup_updates_the_managed_nodegroup(sfn, destination):
    eks = destination("eks")
    eks.create_cluster(
        name="stg-eks",
        roleArn=f"arn:aws:iam::{DESTINATION['AccountId']}:role/eks",
        resourcesVpcConfig={"subnetIds": ["subnet-1"]},
    )
    eks.create_nodegroup(
        clusterName="stg-eks",
        nodegroupName="refresh-jobs",
        nodeRole=f"arn:aws:iam::{DESTINATION['AccountId']}:role/node",
        subnets=["subnet-1"],
        scalingConfig={"minSize": 0, "maxSize": 2, "desiredSize": 0},
    )
    payload = fast(
        DestinationAccount=DESTINATION,
        EksClusterName="stg-eks",
        NodegroupName="refresh-jobs",
        MinSize=1,
        MaxSize=4,
        DesiredSize=3,
    )
    result = sfn.run("eks", "scale_nodegroup", payload)
    assert result.status == "SUCCEEDED", result.cause
    scaling = eks.describe_nodegroup(clusterName="stg-eks", nodegroupName="refresh-jobs")["nodegroup"][
        "scalingConfig"
    ]
    assert scaling == {"minSize": 1, "maxSize": 4, "desiredSize": 3}
    assert result.output["Status"] == "Completed"
    again = sfn.run("eks", "scale_nodegroup", payload)
    assert again.output["Status"] == "NoChange" and "UpdateScaling" not in again.states_entered()


def test_scale_nodegroup_rejects_desired_outside_bounds(sfn, destination):
    result = sfn.run(
        "eks",
        "scale_nodegroup",
        fast(
            DestinationAccount=DESTINATION,
            EksClusterName="stg-eks",
            NodegroupName="refresh-jobs",
            MinSize=1,
            MaxSize=2,
            DesiredSize=5,
        ),
    )
    assert result.status == "FAILED" and result.error == "InvalidInput"


def test_tag_resources_merges_maps_onto_rds_and_efs(sfn, destination):
    rds, efs = destination("rds"), destination("efs")
    make_cluster(rds, "stg-aurora", tags=[{"Key": "Environment", "Value": "old"}])
    cluster_arn = rds.describe_db_clusters(DBClusterIdentifier="stg-aurora")["DBClusters"][0]["DBClusterArn"]
    fs = efs.create_file_system(CreationToken="media")
    result = sfn.run(
        "utils",
        "tag_resources",
        {
            "DestinationAccount": DESTINATION,
            "ResourceArns": [cluster_arn, fs["FileSystemArn"]],
            "SourceTags": {"CostCenter": "platform", "Environment": "production"},
            "Tags": {"Environment": "staging", "refresh": "true"},
        },
    )
    assert result.status == "SUCCEEDED", result.cause
    expected = {"CostCenter": "platform", "Environment": "staging", "refresh": "true"}
    assert {
        t["Key"]: t["Value"] for t in rds.list_tags_for_resource(ResourceName=cluster_arn)["TagList"]
    } == expected
    assert {
        t["Key"]: t["Value"] for t in efs.list_tags_for_resource(ResourceId=fs["FileSystemId"])["Tags"]
    } == expected
    assert result.output == {"Status": "Completed", "ResourceCount": 2, "Tags": expected}


def test_prepare_refresh_reports_names_tags_instances_and_efs(sfn, destination):
    rds, efs = destination("rds"), destination("efs")
    make_cluster(rds, "stg-aurora", instances=2, tags=[{"Key": "Environment", "Value": "staging"}])
    fs = efs.create_file_system(CreationToken="media", Tags=[{"Key": "Name", "Value": "stg-media"}])
    efs.create_file_system(CreationToken="other", Tags=[{"Key": "Name", "Value": "stg-other"}])
    efs.create_file_system(CreationToken="unnamed")
    result = sfn.run(
        "utils",
        "prepare_refresh",
        {
            "DestinationAccount": DESTINATION,
            "TargetDbClusterIdentifier": "stg-aurora",
            "TargetInstanceIdentifierPrefix": "stg-aurora",
            "EfsName": "stg-media",
        },
    )
    assert result.status == "SUCCEEDED", result.cause
    out = result.output
    assert out["ResourceNames"] == {
        "TmpDbClusterIdentifier": "stg-aurora-restore",
        "OldDbClusterIdentifier": "stg-aurora-old",
        "TmpInstanceIdentifierPrefix": "stg-aurora-restore",
        "OldInstanceIdentifierPrefix": "stg-aurora-old",
    }
    assert out["TargetCluster"]["Exists"] is True
    assert out["TargetCluster"]["TagList"] == [{"Key": "Environment", "Value": "staging"}]
    assert sorted(out["TargetCluster"]["DbInstanceIdentifiers"]) == ["stg-aurora-1", "stg-aurora-2"]
    assert out["TargetEfs"]["Found"] is True and out["TargetEfs"]["FileSystemId"] == fs["FileSystemId"]
    # read-only: nothing changed
    assert destination.new("clusters") == ["stg-aurora"] and len(destination.new("file_systems")) == 3


def test_prepare_refresh_without_target_or_efs(sfn, destination):
    result = sfn.run(
        "utils",
        "prepare_refresh",
        {
            "DestinationAccount": DESTINATION,
            "TargetDbClusterIdentifier": "stg-aurora",
            "TargetInstanceIdentifierPrefix": "stg-aurora",
        },
    )
    assert result.status == "SUCCEEDED", result.cause
    assert result.output["TargetCluster"] == {"Exists": False, "TagList": [], "DbInstanceIdentifiers": []}
    assert result.output["TargetEfs"] == {"Found": False}
    assert "ListFileSystems" not in result.states_entered()
    assert SOURCE["RoleArn"] not in set().union(*result.roles_by_state().values())


def test_cleanup_efs_helpers_deletes_only_helper_access_points(sfn, destination):
    efs = destination("efs")
    fs_id = efs.create_file_system(CreationToken="restored")["FileSystemId"]
    helper = efs.create_access_point(
        FileSystemId=fs_id, ClientToken="helper", Tags=[{"Key": "refresh-helper", "Value": "true"}]
    )["AccessPointId"]
    app = efs.create_access_point(
        FileSystemId=fs_id, ClientToken="app", Tags=[{"Key": "Name", "Value": "app"}]
    )["AccessPointId"]
    result = sfn.run(
        "efs",
        "cleanup_efs_helpers",
        {
            "DestinationAccount": DESTINATION,
            "FileSystemIds": [fs_id],
            "LambdaFunctionNames": ["not-deployed"],
        },
    )
    assert result.status == "SUCCEEDED", result.cause
    remaining = [a["AccessPointId"] for a in efs.describe_access_points(FileSystemId=fs_id)["AccessPoints"]]
    assert remaining == [app] and helper not in remaining
    assert "NoFunction" in result.states_entered()  # a missing function is not an error


RECOVERY_POINT_STATUSES = ["COMPLETED", "PARTIAL", "DELETING", "EXPIRED", "AVAILABLE", "STOPPED", "CREATING"]
RESTORABLE = {"COMPLETED", "AVAILABLE"}


def _recovery_point_payload(candidates):
    return {
        "SourceAccount": SOURCE,
        "DestinationAccount": DESTINATION,
        "SourceFileSystemId": "fs-0123456789abcdef0",
        "DestinationBackupVaultArn": f"arn:aws:backup:eu-west-1:{DESTINATION['AccountId']}:backup-vault:refresh",
        "CopyRoleArn": f"arn:aws:iam::{SOURCE['AccountId']}:role/backup-copy",
        "RestoreRoleArn": f"arn:aws:iam::{DESTINATION['AccountId']}:role/backup-restore",
        "KmsKeyId": "alias/efs",
        "Candidates": candidates,
    }


def _point(name, status, created):
    return {
        "Arn": f"arn:aws:backup:eu-west-1:{SOURCE['AccountId']}:recovery-point:{name}",
        "Vault": "prod-vault",
        "State": status,
        "CreatedAt": created,
    }


def _copied_point(result) -> str | None:
    """RecoveryPointArn that StartCopy was scheduled with (moto has no startCopyJob; the request is
    in the history whatever the call then does)."""
    import json

    by_id = {e["id"]: e for e in result.events}
    for event in result.events:
        details = event.get("taskScheduledEventDetails")
        entered = by_id.get(event.get("previousEventId"), {}).get("stateEnteredEventDetails", {})
        if details and entered.get("name") == "StartCopy":
            return json.loads(details["parameters"])["RecoveryPointArn"]
    return None


@pytest.mark.parametrize("status", RECOVERY_POINT_STATUSES)
def test_restore_from_backup_selects_only_restorable_recovery_points(sfn, status):
    """The selection states run in moto from StartScan with the normalised candidates (moto cannot
    run AWS Backup's list/copy/restore, so the list step is skipped and the choice is read from the
    StartCopy request in the history). Each RecoveryPointStatus is the newest point; an older
    COMPLETED point is the fallback: a restorable status must win, any other must be skipped."""
    candidates = [
        _point("older-completed", "COMPLETED", "2026-01-01T01:00:00Z"),
        _point(f"newest-{status.lower()}", status, "2026-01-05T01:00:00Z"),
    ]
    result = sfn.run("efs", "restore_from_backup", _recovery_point_payload(candidates), start_at="StartScan")
    assert "StartCopy" in result.states_entered(), (result.error, result.cause)
    wanted = f"newest-{status.lower()}" if status in RESTORABLE else "older-completed"
    assert _copied_point(result) == _point(wanted, status, "")["Arn"]


def test_restore_from_backup_refuses_when_no_point_is_restorable(sfn):
    candidates = [
        _point(f"p-{status.lower()}", status, f"2026-01-0{index + 1}T01:00:00Z")
        for index, status in enumerate(RECOVERY_POINT_STATUSES)
        if status not in RESTORABLE
    ]
    result = sfn.run("efs", "restore_from_backup", _recovery_point_payload(candidates), start_at="StartScan")
    assert result.status == "FAILED" and result.error == "NotFound"
    assert "StartCopy" not in result.states_entered()
