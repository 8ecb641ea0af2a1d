"""The local AWS restores a cluster from a snapshot another account shared, by its ARN
(``platform_ops.local.moto_rds_sharing``), and refuses one that was not shared with the caller."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.stepfunctions.conftest import DESTINATION, AccountClients
from tests.stepfunctions.test_db_execution import make_cluster

# Builds what it runs against itself: no seeded landing-zone resources needed.
pytestmark = pytest.mark.seeds()

RESTORE = {"Engine": "aurora-mysql", "DBSubnetGroupName": "default"}


@pytest.fixture
def production(aws) -> AccountClients:
    return AccountClients(aws, "production", inventory=False)


@pytest.fixture
def staging(aws) -> AccountClients:
    return AccountClients(aws, "staging", inventory=False)


def snapshot(
    account: AccountClients, name: str, share_with: str | None = None, region: str = "eu-west-1"
) -> str:
    rds = account("rds", region)
    arn = rds.create_db_cluster_snapshot(DBClusterIdentifier="prod-aurora", DBClusterSnapshotIdentifier=name)[
        "DBClusterSnapshot"
    ]["DBClusterSnapshotArn"]
    if share_with:
        rds.modify_db_cluster_snapshot_attribute(
            DBClusterSnapshotIdentifier=name, AttributeName="restore", ValuesToAdd=[share_with]
        )
    return arn


def restore(account: AccountClients, cluster: str, snapshot_arn: str) -> dict:
    return account("rds").restore_db_cluster_from_snapshot(
        DBClusterIdentifier=cluster, SnapshotIdentifier=snapshot_arn, **RESTORE
    )["DBCluster"]


def test_a_shared_snapshot_arn_restores_in_the_callers_account(production, staging):
    make_cluster(production("rds"), "prod-aurora")
    shared = snapshot(production, "refresh-1", share_with=DESTINATION["AccountId"])
    restored = restore(staging, "stg-aurora-restore", shared)
    assert f":{staging.account_id}:cluster:stg-aurora-restore" in restored["DBClusterArn"]
    (described,) = staging("rds").describe_db_clusters(DBClusterIdentifier="stg-aurora-restore")["DBClusters"]
    assert described["Engine"] == "aurora-mysql"
    missing = production("rds").describe_db_clusters(
        Filters=[{"Name": "db-cluster-id", "Values": ["stg-aurora-restore"]}]
    )
    assert missing["DBClusters"] == []
    # The owner restores its own snapshot by ARN too (stock moto took only names).
    own = restore(production, "prod-aurora-copy", shared)
    assert f":{production.account_id}:cluster:prod-aurora-copy" in own["DBClusterArn"]


def test_a_snapshot_not_shared_with_the_caller_is_not_found(production, staging, aws):
    dev_account = AccountClients(aws, "dev", inventory=False).account_id
    for region in ("eu-west-1", "us-east-1"):
        make_cluster(production("rds", region), "prod-aurora")
    refused = {
        "not shared": snapshot(production, "private"),
        "shared with dev only": snapshot(production, "for-dev", share_with=dev_account),
        "another region": snapshot(production, "in-us", share_with=staging.account_id, region="us-east-1"),
    }
    for why, arn in refused.items():
        with pytest.raises(ClientError) as raised:
            restore(staging, "stg-aurora-restore", arn)
        assert raised.value.response["Error"]["Code"] == "DBClusterSnapshotNotFoundFault", why
    found = staging("rds").describe_db_clusters(
        Filters=[{"Name": "db-cluster-id", "Values": ["stg-aurora-restore"]}]
    )
    assert found["DBClusters"] == []
