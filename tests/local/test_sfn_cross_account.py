"""Step Functions tasks in the local AWS act in the account of the role they run as.

The patch under test is ``platform_ops.local.moto_sfn_credentials`` (with ``moto_rds_sharing`` for
the restore from a shared snapshot). Every assertion reads AWS state with describe calls made in
the account where the state should, or should not, be.
"""

from __future__ import annotations

import json

import boto3
import pytest
from platform_ops.local.clients import account_client
from platform_ops.registry import registry

from tests.stepfunctions.conftest import DESTINATION, INVENTORY, REGION, SOURCE, Runner, fast
from tests.stepfunctions.test_db_execution import LIST_PROD_AURORA, make_cluster
from tests.waiting import wait_until

# Builds what it runs against itself: no seeded landing-zone resources needed.
pytestmark = pytest.mark.seeds()

MOTO_DEFAULT_ACCOUNT = "123456789012"  # where stock moto ran every task
UNKNOWN_ROLE = "arn:aws:iam::999999999999:role/platform-ops"  # no such account in the registry


def account_id(name: str) -> str:
    return registry().account(name).account_id


def run(sfn, definition: dict, payload: dict, execution_role: str) -> dict:
    """Create ``definition`` with ``sfn`` (its client's account), run it, return DescribeExecution."""
    arn = sfn.create_state_machine(
        name=f"probe-{len(sfn.list_state_machines()['stateMachines'])}",
        definition=json.dumps(definition),
        roleArn=execution_role,
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps(payload))["executionArn"]
    return wait_until(
        lambda: (d := sfn.describe_execution(executionArn=execution))["status"] != "RUNNING" and d,
        "the execution to end",
    )


WHO_AM_I = {
    "StartAt": "Own",
    "States": {
        "Own": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:sts:getCallerIdentity",
            "Parameters": {},
            "ResultPath": "$.Own",
            "Next": "Assumed",
        },
        "Assumed": {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:sts:getCallerIdentity",
            "Parameters": {},
            "Credentials": {"RoleArn.$": "$.RoleArn"},
            "ResultPath": "$.Assumed",
            "End": True,
        },
    },
}


@pytest.mark.parametrize("machine_account", ["shared-services", "dev"])
def test_a_task_runs_as_the_execution_role_or_as_its_credentials_role(aws, machine_account):
    sfn = client(aws, machine_account, "stepfunctions")
    execution_role = f"arn:aws:iam::{account_id(machine_account)}:role/platform-ops-sfn"
    result = run(sfn, WHO_AM_I, {"RoleArn": SOURCE["RoleArn"]}, execution_role)
    assert result["status"] == "SUCCEEDED", result.get("cause")
    output = json.loads(result["output"])
    # Without Credentials: the execution role, in the machine's own account (not moto's default).
    assert output["Own"]["Account"] == account_id(machine_account)
    assert output["Own"]["Arn"].startswith(
        f"arn:aws:sts::{account_id(machine_account)}:assumed-role/platform-ops-sfn/"
    )
    # With Credentials: the named role, in its account.
    assert output["Assumed"]["Account"] == SOURCE["AccountId"]
    assert output["Assumed"]["Arn"].startswith(
        f"arn:aws:sts::{SOURCE['AccountId']}:assumed-role/platform-ops/"
    )


def test_a_credentials_role_in_an_unknown_account_fails_the_task_before_any_call(aws):
    definition = {
        "StartAt": "CreateBucket",
        "States": {
            "CreateBucket": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:s3:createBucket",
                "Parameters": {
                    "Bucket": "must-not-exist",
                    "CreateBucketConfiguration": {"LocationConstraint": REGION},
                },
                "Credentials": {"RoleArn.$": "$.RoleArn"},
                "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.Error", "Next": "Refused"}],
                "End": True,
            },
            "Refused": {"Type": "Pass", "End": True},
        },
    }
    sfn = client(aws, "shared-services", "stepfunctions")
    execution_role = f"arn:aws:iam::{account_id('shared-services')}:role/platform-ops-sfn"
    result = run(sfn, definition, {"RoleArn": UNKNOWN_ROLE}, execution_role)
    # A task failure that Catch sees (not a States.Runtime that would end the execution).
    assert result["status"] == "SUCCEEDED", result.get("cause")
    error = json.loads(result["output"])["Error"]
    assert error["Error"] == "States.TaskFailed"
    assert f"sts:AssumeRole on resource: {UNKNOWN_ROLE}" in error["Cause"]
    # No call was made, in any account: not in the unknown one, not in moto's default account
    # (where stock moto would have created the bucket), not in the registry's accounts.
    for account in (UNKNOWN_ROLE, None, "shared-services", "production", "staging"):
        buckets = [b["Name"] for b in client(aws, account, "s3").list_buckets()["Buckets"]]
        assert "must-not-exist" not in buckets, account


def client(aws, account: str | None, service: str):
    """A client as a registry account's role, as a role ARN, or (``None``) in moto's default account."""
    if account is not None and not account.startswith("arn:"):
        return account_client(aws, account, service, REGION)
    keys = {"aws_access_key_id": "nobody", "aws_secret_access_key": "nobody"}
    if account is not None:
        sts = boto3.client("sts", endpoint_url=aws, region_name=REGION, **keys)
        creds = sts.assume_role(RoleArn=account, RoleSessionName="probe")["Credentials"]
        keys = {
            "aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"],
        }
    return boto3.client(service, endpoint_url=aws, region_name=REGION, **keys)


def inventory(aws, account: str | None) -> dict[str, set[str]]:
    """What the refresh could create, as describes in one account list it."""
    found = {
        kind: set(lister(client(aws, account, service))) for kind, (service, lister) in INVENTORY.items()
    }
    found["kms_keys"] = {k["KeyId"] for k in client(aws, account, "kms").list_keys()["Keys"]}
    return found


def created(before: dict, after: dict) -> dict[str, list[str]]:
    assert all(before[kind] <= after[kind] for kind in before), "something was deleted"
    return {kind: sorted(after[kind] - before[kind]) for kind in after}


def test_snapshot_and_share_happen_in_production_and_the_restore_in_staging(aws):
    accounts = ("production", "staging", "shared-services", None)  # None: moto's default account
    before = {account: inventory(aws, account) for account in accounts}
    prod_rds, prod_kms = client(aws, "production", "rds"), client(aws, "production", "kms")
    key = prod_kms.create_key(Description="prod aurora")["KeyMetadata"]
    make_cluster(prod_rds, "prod-aurora", StorageEncrypted=True, KmsKeyId=key["Arn"])
    sfn = Runner(aws)  # the machines live in shared-services, as the refresh deploys them

    snapshot = sfn.run(
        "db",
        "create_manual_snapshot",
        fast(SourceAccount=SOURCE, DbClusterIdentifier="prod-aurora", SnapshotIdentifier="refresh-1"),
    )
    assert snapshot.status == "SUCCEEDED", snapshot.cause
    share = sfn.run(
        "db",
        "share_snapshot",
        fast(SourceAccount=SOURCE, DestinationAccount=DESTINATION, SnapshotIdentifier="refresh-1"),
    )
    assert share.status == "SUCCEEDED", share.cause
    found = sfn.run(
        "db",
        "list_shared_snapshots",
        LIST_PROD_AURORA,
    )
    assert found.status == "SUCCEEDED", found.cause
    restore = sfn.run(
        "db",
        "restore_cluster",
        fast(
            DestinationAccount=DESTINATION,
            RestoreType="from-snapshot",
            SnapshotIdentifier=found.output["SnapshotArn"],
            EngineVersion="8.0.mysql_aurora.3.05.2",
            DbClusterIdentifier="stg-aurora-restore",
            DbSubnetGroupName="default",
            VpcSecurityGroupIds=["sg-0123456789abcdef0"],
            DbClusterParameterGroupName="default.aurora-mysql8.0",
            KmsKeyId="alias/stg-aurora",
        ),
    )
    assert restore.status == "SUCCEEDED", restore.cause

    # Production: the snapshot, shared with staging only, and the grant for the staging role.
    (prod_snapshot,) = prod_rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="refresh-1")[
        "DBClusterSnapshots"
    ]
    assert found.output["SnapshotArn"] == prod_snapshot["DBClusterSnapshotArn"]
    assert f":{SOURCE['AccountId']}:cluster-snapshot:refresh-1" in prod_snapshot["DBClusterSnapshotArn"]
    attributes = prod_rds.describe_db_cluster_snapshot_attributes(DBClusterSnapshotIdentifier="refresh-1")
    (restore_attribute,) = attributes["DBClusterSnapshotAttributesResult"]["DBClusterSnapshotAttributes"]
    assert restore_attribute["AttributeValues"] == [DESTINATION["AccountId"]]
    grants = prod_kms.list_grants(KeyId=key["KeyId"])["Grants"]
    assert [g["GranteePrincipal"] for g in grants] == [DESTINATION["RoleArn"]]

    # Staging: the restored cluster, from production's snapshot.
    stg_rds = client(aws, "staging", "rds")
    (cluster,) = stg_rds.describe_db_clusters(DBClusterIdentifier="stg-aurora-restore")["DBClusters"]
    assert cluster["Status"] == "available"
    assert f":{DESTINATION['AccountId']}:cluster:stg-aurora-restore" in cluster["DBClusterArn"]
    assert restore.output["DbClusterArn"] == cluster["DBClusterArn"]

    # Exactly that, and where: shared services only ran the executions; moto's default account,
    # where stock moto ran every task, got nothing.
    after = {account: inventory(aws, account) for account in accounts}
    nothing = {kind: [] for kind in after["production"]}
    assert created(before["production"], after["production"]) == dict(
        nothing, clusters=["prod-aurora"], manual_snapshots=["refresh-1"], kms_keys=[key["KeyId"]]
    )
    assert created(before["staging"], after["staging"]) == dict(nothing, clusters=["stg-aurora-restore"])
    assert created(before["shared-services"], after["shared-services"]) == nothing
    assert created(before[None], after[None]) == nothing
    assert all(f":{account_id('shared-services')}:stateMachine:" in arn for arn in sfn.arns.values())
