"""Task bodies of ``rds_snapshots``: select, snapshot, copy, verify, prune, record.

Every AWS call goes through ``platform_ops.aws.access`` with the target's account connection.
With ``dry_run`` only Describe/List calls are made: nothing is created, copied, deleted or written;
each step returns what it would have done.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, date, datetime
from typing import Any

from botocore.exceptions import ClientError

from platform_ops.aws.access import aws_client
from platform_ops.registry import registry
from platform_ops.snapshots import naming
from platform_ops.snapshots.retention import SnapshotInfo, plan_retention

log = logging.getLogger(__name__)


class SnapshotError(RuntimeError):
    """A snapshot or its copy is not what the run needs (not created, not available, wrong key)."""


# --- select -----------------------------------------------------------------------------------


def select_databases(target_names: list[str] | None) -> list[dict[str, Any]]:
    """Every RDS instance (not an Aurora member) and DB cluster carrying a target's tag.

    A target that selects nothing fails the run: a wrong tag would otherwise mean no backups.
    """
    reg = registry()
    names = target_names or reg.snapshot_target_names()
    unknown = sorted(set(names) - set(reg.snapshot_target_names()))
    if unknown:
        raise SnapshotError(f"unknown snapshot targets {unknown}; known: {reg.snapshot_target_names()}")
    databases: list[dict[str, Any]] = []
    for name in sorted(set(names)):
        target = reg.snapshot_target(name)
        rds = aws_client(target.account, "rds", target.region)
        found = [*_instances(rds), *_clusters(rds)]
        chosen = [db for db in found if db.pop("tags").get(target.tag_key) == target.tag_value]
        if not chosen:
            raise SnapshotError(
                f"snapshot target {name}: no RDS instance or cluster in {target.account.name} "
                f"{target.region} has tag {target.tag_key}={target.tag_value}"
            )
        for db in chosen:
            db.update(
                target=name,
                account=target.account.name,
                region=target.region,
                dr_region=target.dr_region,
                dr_kms_key_alias=target.dr_kms_key_alias,
                keep_daily=target.keep_daily,
                keep_monthly=target.keep_monthly,
                event_queue=target.event_queue,
            )
        databases += sorted(chosen, key=lambda d: (d["kind"], d["identifier"]))
        log.info("target %s: %s", name, [f"{d['kind']} {d['identifier']}" for d in chosen])
    return databases


def _instances(rds) -> list[dict]:
    """DB instances, without Aurora members (their cluster is snapshotted)."""
    return _listed(rds, "describe_db_instances", "DBInstances", "instance", "DBInstance",
                   skip=lambda db: bool(db.get("DBClusterIdentifier")))  # fmt: skip


def _clusters(rds) -> list[dict]:
    return _listed(rds, "describe_db_clusters", "DBClusters", "cluster", "DBCluster")


def _listed(rds, operation: str, key: str, kind: str, prefix: str, skip=lambda item: False) -> list[dict]:
    """Instances or clusters as the DAG sees them: identifier, ARN, windows, tags."""
    return [
        {
            "kind": kind,
            "identifier": item[f"{prefix}Identifier"],
            "arn": item[f"{prefix}Arn"],
            "backup_window": item.get("PreferredBackupWindow"),
            "maintenance_window": item.get("PreferredMaintenanceWindow"),
            "tags": naming.tag_dict(item.get("TagList")),
        }
        for page in rds.get_paginator(operation).paginate()
        for item in page[key]
        if not skip(item)
    ]


# --- snapshot and copy --------------------------------------------------------------------------


def _is(err: ClientError, *codes: str) -> bool:
    return err.response.get("Error", {}).get("Code") in codes


def _queue_url(account: str, region: str, queue: str) -> str:
    try:
        return aws_client(account, "sqs", region).get_queue_url(QueueName=queue)["QueueUrl"]
    except ClientError as err:
        raise SnapshotError(
            f"event queue {queue} is missing in {account} {region}: the RDS snapshot rule of "
            "terraform/modules/native-events must deliver there"
        ) from err


def _describe(rds, kind: str, identifier: str) -> dict | None:
    try:
        if kind == "cluster":
            return rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=identifier)[
                "DBClusterSnapshots"
            ][0]
        return rds.describe_db_snapshots(DBSnapshotIdentifier=identifier)["DBSnapshots"][0]
    except ClientError as err:
        if _is(err, "DBSnapshotNotFound", "DBClusterSnapshotNotFoundFault"):
            return None
        raise


def _snapshot_view(item: dict, kind: str, region: str, account: str) -> dict[str, Any]:
    arn = item.get("DBClusterSnapshotArn") if kind == "cluster" else item.get("DBSnapshotArn")
    return {
        "identifier": item.get("DBClusterSnapshotIdentifier") or item.get("DBSnapshotIdentifier"),
        "arn": arn,
        "kind": kind,
        "account": account,
        "region": region,
        "status": item.get("Status"),
        "size_gib": item.get("AllocatedStorage"),
        "encrypted": item.get("StorageEncrypted", item.get("Encrypted")),
        "kms_key_id": item.get("KmsKeyId"),
    }


def create_snapshot(db: dict, run_id: str, day: date, dry_run: bool) -> dict[str, Any]:
    """CreateDBSnapshot / CreateDBClusterSnapshot named by date and run id (a retry re-attaches)."""
    name = naming.snapshot_name(db["identifier"], run_id, day)
    base = {"identifier": name, "kind": db["kind"], "account": db["account"], "region": db["region"]}
    if dry_run:
        log.info("dry_run: would snapshot %s %s as %s", db["kind"], db["identifier"], name)
        return {**base, "dry_run": True, "database": db["identifier"]}
    rds = aws_client(db["account"], "rds", db["region"])
    queue_url = _queue_url(db["account"], db["region"], db["event_queue"])
    requested_at = time.time()
    tags = naming.snapshot_tags(run_id, db["arn"])
    try:
        if db["kind"] == "cluster":
            item = rds.create_db_cluster_snapshot(
                DBClusterSnapshotIdentifier=name, DBClusterIdentifier=db["identifier"], Tags=tags
            )["DBClusterSnapshot"]
        else:
            item = rds.create_db_snapshot(
                DBSnapshotIdentifier=name, DBInstanceIdentifier=db["identifier"], Tags=tags
            )["DBSnapshot"]
    except ClientError as err:
        if not _is(err, "DBSnapshotAlreadyExists", "DBClusterSnapshotAlreadyExistsFault"):
            raise
        item = _describe(rds, db["kind"], name)  # an earlier try of this run made it
        log.info("snapshot %s exists already (earlier try): re-attached", name)
    view = _snapshot_view(item, db["kind"], db["region"], db["account"])
    return {**view, "database": db["identifier"], "requested_at": requested_at, "queue_url": queue_url}


def dr_key_arn(account: str, region: str, alias: str) -> str:
    """The ARN of the DR Region's key behind ``alias`` (the copy must be encrypted with it)."""
    return aws_client(account, "kms", region).describe_key(KeyId=alias)["KeyMetadata"]["Arn"]


def copy_to_dr(db: dict, source: dict, dry_run: bool) -> dict[str, Any]:
    """CopyDBSnapshot / CopyDBClusterSnapshot into the DR Region, re-encrypted with its key."""
    region = db["dr_region"]
    key_arn = dr_key_arn(db["account"], region, db["dr_kms_key_alias"])
    base = {
        "identifier": source["identifier"],
        "kind": db["kind"],
        "account": db["account"],
        "region": region,
    }
    if dry_run:
        log.info("dry_run: would copy %s to %s under %s", source["identifier"], region, key_arn)
        return {**base, "dry_run": True, "kms_key_arn": key_arn}
    rds = aws_client(db["account"], "rds", region)
    queue_url = _queue_url(db["account"], region, db["event_queue"])
    requested_at = time.time()
    common = {"KmsKeyId": key_arn, "CopyTags": True, "SourceRegion": db["region"]}
    try:
        if db["kind"] == "cluster":
            item = rds.copy_db_cluster_snapshot(
                SourceDBClusterSnapshotIdentifier=source["arn"],
                TargetDBClusterSnapshotIdentifier=source["identifier"],
                **common,
            )["DBClusterSnapshot"]
        else:
            item = rds.copy_db_snapshot(
                SourceDBSnapshotIdentifier=source["arn"],
                TargetDBSnapshotIdentifier=source["identifier"],
                **common,
            )["DBSnapshot"]
    except ClientError as err:
        if not _is(err, "DBSnapshotAlreadyExists", "DBClusterSnapshotAlreadyExistsFault"):
            raise
        item = _describe(rds, db["kind"], source["identifier"])
    view = _snapshot_view(item, db["kind"], region, db["account"])
    return {**view, "requested_at": requested_at, "queue_url": queue_url, "kms_key_arn": key_arn}


def verify_copy(db: dict, copy: dict) -> dict[str, Any]:
    """The copy is available, encrypted, and under the DR key; raises otherwise."""
    if copy.get("dry_run"):
        return {**copy, "verified": False}
    rds = aws_client(db["account"], "rds", copy["region"])
    item = _describe(rds, db["kind"], copy["identifier"])
    if item is None:
        raise SnapshotError(f"DR copy {copy['identifier']} is missing in {copy['region']}")
    view = _snapshot_view(item, db["kind"], copy["region"], db["account"])
    problems = []
    if view["status"] != "available":
        problems.append(f"status {view['status']}")
    if not view["encrypted"]:
        problems.append("not encrypted")
    if view["kms_key_id"] != copy["kms_key_arn"]:
        problems.append(f"KMS key {view['kms_key_id']}, expected {copy['kms_key_arn']}")
    if problems:
        raise SnapshotError(f"DR copy {copy['identifier']} in {copy['region']}: {'; '.join(problems)}")
    return {**view, "verified": True}


# --- retention ------------------------------------------------------------------------------------


def _snapshots_of(rds, db: dict) -> list[dict]:
    if db["kind"] == "cluster":
        pages = rds.get_paginator("describe_db_cluster_snapshots").paginate(
            DBClusterIdentifier=db["identifier"], SnapshotType="manual"
        )
        return [s for page in pages for s in page["DBClusterSnapshots"]]
    pages = rds.get_paginator("describe_db_snapshots").paginate(
        DBInstanceIdentifier=db["identifier"], SnapshotType="manual"
    )
    return [s for page in pages for s in page["DBSnapshots"]]


def _shared_with(rds, kind: str, identifier: str) -> tuple[str, ...]:
    """Accounts (or ``all``) in the snapshot's ``restore`` attribute."""
    if kind == "cluster":
        result = rds.describe_db_cluster_snapshot_attributes(DBClusterSnapshotIdentifier=identifier)[
            "DBClusterSnapshotAttributesResult"
        ]["DBClusterSnapshotAttributes"]
    else:
        result = rds.describe_db_snapshot_attributes(DBSnapshotIdentifier=identifier)[
            "DBSnapshotAttributesResult"
        ]["DBSnapshotAttributes"]
    return tuple(
        v for a in result if a.get("AttributeName") == "restore" for v in a.get("AttributeValues", [])
    )


def inventory(rds, db: dict) -> list[SnapshotInfo]:
    infos = []
    for item in _snapshots_of(rds, db):
        identifier = item.get("DBClusterSnapshotIdentifier") or item.get("DBSnapshotIdentifier")
        tags = naming.tag_dict(item.get("TagList"))
        managed = naming.is_managed(tags)
        created = item.get("SnapshotCreateTime") or datetime.now(UTC)
        infos.append(
            SnapshotInfo(
                identifier=identifier,
                created=created.astimezone(UTC),
                status=item.get("Status", ""),
                managed=managed,
                kept=naming.is_kept(tags),
                shared_with=_shared_with(rds, db["kind"], identifier) if managed else (),
                size_gib=item.get("AllocatedStorage"),
            )
        )
    return infos


def _prune(db: dict, region: str, copy_verified: bool, dry_run: bool) -> dict[str, Any]:
    rds = aws_client(db["account"], "rds", region)
    infos = inventory(rds, db)
    plan = plan_retention(infos, db["keep_daily"], db["keep_monthly"], copy_verified)
    sizes = {i.identifier: i.size_gib for i in infos}
    deleted = []
    for identifier in plan.delete:
        if not dry_run:
            if db["kind"] == "cluster":
                rds.delete_db_cluster_snapshot(DBClusterSnapshotIdentifier=identifier)
            else:
                rds.delete_db_snapshot(DBSnapshotIdentifier=identifier)
        deleted.append({"identifier": identifier, "size_gib": sizes.get(identifier)})
    log.info("%s %s in %s: keep %s, %s %s", db["kind"], db["identifier"], region, plan.keep,
             "would delete" if dry_run else "deleted", plan.delete)  # fmt: skip
    return {"region": region, "keep": plan.as_dict()["keep"], "deleted": deleted, "dry_run": dry_run}


def apply_retention(db: dict, verified: dict | None, dry_run: bool) -> dict[str, Any]:
    """Prune the database's snapshots in its Region and their copies in the DR Region."""
    copy_verified = bool(verified and verified.get("verified"))
    if not copy_verified and not dry_run:
        log.warning("%s %s: DR copy not verified, nothing is deleted", db["kind"], db["identifier"])
    # A dry run plans as if the copy had been verified: it shows what a real run would delete.
    verdict = copy_verified or dry_run
    return {
        "source": _prune(db, db["region"], verdict, dry_run),
        "dr": _prune(db, db["dr_region"], verdict, dry_run),
        "copy_verified": copy_verified,
    }


# --- record ---------------------------------------------------------------------------------------


def build_record(run_id: str, outcomes: list[dict], dry_run: bool) -> dict[str, Any]:
    created, copied, deleted = [], [], []
    for outcome in outcomes:
        snap, copy = outcome.get("snapshot") or {}, outcome.get("copy") or {}
        if snap and not snap.get("dry_run"):
            created.append({k: snap.get(k) for k in ("identifier", "arn", "account", "region", "size_gib")})
        if copy and copy.get("verified"):
            copied.append({k: copy.get(k) for k in ("identifier", "arn", "region", "size_gib", "kms_key_id")})
        for side in ("source", "dr"):
            for item in ((outcome.get("retention") or {}).get(side) or {}).get("deleted", []):
                deleted.append(
                    {**item, "region": outcome["retention"][side]["region"], "database": outcome["database"]}
                )
    return {
        "dag_id": "rds_snapshots",
        "run_id": run_id,
        "dry_run": dry_run,
        "databases": [o["database"] for o in outcomes],
        "created": created,
        "copied": copied,
        "deleted": deleted,
        "failed": [
            o["database"] for o in outcomes if not (o.get("copy") or {}).get("verified") and not dry_run
        ],
        "totals_gib": {
            "created": sum(c["size_gib"] or 0 for c in created),
            "copied": sum(c["size_gib"] or 0 for c in copied),
            "deleted": sum(d["size_gib"] or 0 for d in deleted),
        },
    }


def record_key(run_id: str) -> str:
    from platform_ops.aws.artifacts import safe_run_id

    return f"rds-snapshots/{safe_run_id(run_id)}/record.json"


def write_record(record: dict[str, Any]) -> str | None:
    """``s3://<artifacts>/rds-snapshots/<run id>/record.json``, written once; None on a dry run."""
    if record["dry_run"]:
        log.info("dry_run: record not written: %s", record)
        return None
    from platform_ops.evidence.writer import EvidenceStore

    reg = registry()
    store = EvidenceStore(aws_client(reg.artifacts_account, "s3", reg.artifacts_region), reg.artifacts_bucket)
    key = record_key(record["run_id"])
    store.put_json(key, record, immutable=True)
    return f"s3://{reg.artifacts_bucket}/{key}"
