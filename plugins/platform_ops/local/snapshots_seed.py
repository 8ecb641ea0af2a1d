"""Seed the local AWS with what ``rds_snapshots`` acts on, per registry snapshot target.

In each target's account and Region: tagged databases with the seeds' windows (seed 002's
PostgreSQL instance: backup 03:00 UTC, maintenance Sunday 04:00-05:00; seed 003's Aurora cluster:
backup 04:00-05:00), one untagged instance that must never be touched, and in the DR Region the
KMS key behind the target's alias. In both Regions: the event queue with the RDS snapshot rule
(``matching.RULE_PATTERNS["rds_snapshot"]``), as ``terraform/modules/native-events`` would wire
it. moto refuses a backup window that touches the maintenance window, so the instance's backup
window ends at 03:59.
"""

from __future__ import annotations

import functools
import json

from platform_ops.events.matching import RULE_PATTERNS
from platform_ops.local.clients import account_client
from platform_ops.registry import registry

PASSWORD = "LocalOnly-Snapshots-1"  # moto needs one; nothing reads it


def _databases(target) -> list[tuple[str, dict]]:
    tag = [{"Key": target.tag_key, "Value": target.tag_value}]
    prefix = target.account.name
    return [
        ("instance", {"DBInstanceIdentifier": f"{prefix}-postgres", "Engine": "postgres", "AllocatedStorage": 20,
                      "PreferredBackupWindow": "03:00-03:59", "PreferredMaintenanceWindow": "sun:04:00-sun:05:00",
                      "Tags": tag}),
        ("instance", {"DBInstanceIdentifier": f"{prefix}-scratch", "Engine": "postgres", "AllocatedStorage": 5,
                      "PreferredBackupWindow": "03:00-03:59", "PreferredMaintenanceWindow": "sun:04:00-sun:05:00",
                      "Tags": []}),
        ("cluster", {"DBClusterIdentifier": f"{prefix}-aurora", "Engine": "aurora-postgresql",
                     "PreferredBackupWindow": "04:00-05:00", "PreferredMaintenanceWindow": "sat:05:00-sat:05:30",
                     "Tags": tag}),
    ]  # fmt: skip


def create_event_queue(client, account: str, region: str, name: str) -> str:
    """The queue and its RDS snapshot rule; ``client(account, service, region)`` gives the clients."""
    sqs = client(account, "sqs", region)
    url = sqs.create_queue(QueueName=name, Attributes={"SqsManagedSseEnabled": "true"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events = client(account, "events", region)
    rule = f"{name}-rds-snapshot"
    events.put_rule(Name=rule, EventPattern=json.dumps(RULE_PATTERNS["rds_snapshot"]))
    events.put_targets(Rule=rule, Targets=[{"Id": "queue", "Arn": arn}])
    return url


def seed_snapshots(endpoint: str) -> None:
    reg = registry()

    @functools.cache
    def client(account: str, service: str, region: str):  # one client each: creating them is the slow part
        return account_client(endpoint, account, service, region)

    for name in reg.snapshot_target_names():
        target = reg.snapshot_target(name)
        account = target.account.name
        rds = client(account, "rds", target.region)
        for kind, spec in _databases(target):
            common = {
                "MasterUsername": "platform_admin",
                "MasterUserPassword": PASSWORD,
                "StorageEncrypted": True,
            }
            if kind == "cluster":
                rds.create_db_cluster(**spec, **common)
            else:
                rds.create_db_instance(
                    **spec, **common, DBInstanceClass="db.t4g.micro", BackupRetentionPeriod=7
                )
        kms = client(account, "kms", target.dr_region)
        aliases = {a["AliasName"] for a in kms.list_aliases()["Aliases"]}
        if target.dr_kms_key_alias not in aliases:
            key = kms.create_key(Description=f"rds_snapshots DR copies ({name})")["KeyMetadata"]["KeyId"]
            kms.create_alias(AliasName=target.dr_kms_key_alias, TargetKeyId=key)
        for region in (target.region, target.dr_region):
            create_event_queue(client, account, region, target.event_queue)
