"""The plan of one refresh: names, snapshot, and the input of every state-machine step.

Plain functions (no Airflow, no AWS): ``build_plan`` turns a registry destination and the run's
options into a JSON plan (``preflight`` returns it, every step reads it from XCom), and
``machine_input(step, plan, look)`` gives the execution input of one step, or None when the step
is not part of this run. ``look`` answers what earlier steps returned (``look.output(task_id)``)
and, for the rollback only, whether a step started an execution in this run (``look.attempted``)
and whether a destination cluster exists now (``look.cluster_exists``).
Names follow the anchor: the restore is built as ``<target>-restore`` and the current target
becomes ``<target>-old`` at the switch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

RESTORE_SUFFIX, OLD_SUFFIX = "-restore", "-old"
REFRESH_TAG = "refresh"  # the tag the machines put on what they create and check before deleting


class Look(Protocol):
    def output(self, task_id: str) -> dict | None: ...

    def cluster_exists(self, identifier: str) -> bool: ...

    def attempted(self, task_id: str) -> bool: ...


@dataclass(frozen=True)
class Step:
    task_id: str
    definition: str  # asl/<definition>.asl.json
    phase: str
    build: Callable[[dict, Look], dict | None]
    doc: str


def _short_hash(text: str, length: int = 8) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def snapshot_identifier(destination: str, run_id: str, run_after: datetime) -> str:
    """``refresh-<destination>-<YYYYmmddHHMM>-<hash of run id>``: the same for every try of a run.

    The source role may only create snapshots named ``refresh-*`` (refresh-production stack).
    """
    return f"refresh-{destination.replace('_', '-')}-{run_after:%Y%m%d%H%M}-{_short_hash(run_id)}"


def build_plan(dest, settings, options: dict, run_id: str, run_after: datetime, protected: list[str]) -> dict:
    """The JSON plan of one run (``dest``: ``registry.RefreshDestination``, ``settings``: ``RefreshSettings``)."""
    db = dest.database
    target = db["target_cluster"]
    mode = options["snapshot"]
    return {
        "destination": dest.name,
        "run_id": run_id,
        "region": settings.region,
        "source": _account(dest.source, settings.role_arn(dest.source, "source")),
        "target": _account(dest.destination, settings.role_arn(dest.destination, "destination")),
        "protected_account_ids": sorted(protected),
        "names": {"target": target, "restore": target + RESTORE_SUFFIX, "old": target + OLD_SUFFIX},
        "snapshot": {
            "mode": mode,
            "identifier": snapshot_identifier(dest.name, run_id, run_after) if mode == "new_manual" else None,
            "restore_to": options.get("restore_to"),
            "source_cluster": db["source_cluster"],
        },
        "options": options,
        "database": db,
        "efs": dest.efs if options["efs"] and dest.efs else None,
        "eks": dest.eks,
        "sql": dest.sql,
        "sql_lambda": f"{settings.name_prefix}-run-sql",
        "efs_lambda": f"{settings.name_prefix}-get-efs-subpath",
        "keep_old_until": (run_after + timedelta(days=options["keep_old_days"])).date().isoformat()
        if options["keep_old_days"]
        else None,
        "tags": [
            {"Key": "refresh-destination", "Value": dest.name},
            {"Key": "refresh-run", "Value": _short_hash(run_id, 16)},
        ],
    }


def _account(account, role_arn: str) -> dict:
    return {"name": account.name, "AccountId": account.account_id, "RoleArn": role_arn}


def _role(side: dict) -> dict:
    return {"RoleArn": side["RoleArn"], "AccountId": side["AccountId"]}


def _dest(plan: dict, **fields) -> dict:
    return {"DestinationAccount": _role(plan["target"]), **fields}


def _protected(plan: dict, **fields) -> dict:
    return _dest(plan, ProtectedAccountIds=plan["protected_account_ids"], **fields)


def _source_cluster_arn(plan: dict) -> str:
    src = plan["source"]
    return f"arn:aws:rds:{plan['region']}:{src['AccountId']}:cluster:{plan['snapshot']['source_cluster']}"


# --- the builders, one a step ------------------------------------------------------------------


def _prepare(plan, look):
    efs = plan["efs"]
    return _dest(
        plan,
        TargetDbClusterIdentifier=plan["names"]["target"],
        TargetInstanceIdentifierPrefix=plan["names"]["target"],
        EfsName=efs["target_name"] if efs else None,
    )


def _create_snapshot(plan, look):
    snap = plan["snapshot"]
    if snap["mode"] != "new_manual":
        return None
    return {
        "SourceAccount": _role(plan["source"]),
        "DbClusterIdentifier": snap["source_cluster"],
        "SnapshotIdentifier": snap["identifier"],
        "Tags": plan["tags"],
    }


def _share_snapshot(plan, look):
    if plan["snapshot"]["mode"] != "new_manual":
        return None
    return _dest(plan, SourceAccount=_role(plan["source"]), SnapshotIdentifier=plan["snapshot"]["identifier"])


def _find_snapshot(plan, look):
    if plan["snapshot"]["mode"] != "latest_automated":
        return None
    return _dest(
        plan,
        SourceAccount=_role(plan["source"]),
        SourceDbClusterIdentifier=plan["snapshot"]["source_cluster"],
    )


def _ensure_no_restore(plan, look):
    return _protected(plan, DbClusterIdentifier=plan["names"]["restore"])


def snapshot_used(plan: dict, look: Look) -> dict:
    """``{"SnapshotArn", "EngineVersion"}`` the restore starts from (empty for PITR and clones)."""
    mode = plan["snapshot"]["mode"]
    if mode == "new_manual":
        created, shared = look.output("create_snapshot") or {}, look.output("share_snapshot") or {}
        return {"SnapshotArn": shared.get("SnapshotArn"), "EngineVersion": created.get("EngineVersion")}
    if mode == "latest_automated":
        found = look.output("find_snapshot") or {}
        return {"SnapshotArn": found.get("SnapshotArn"), "EngineVersion": found.get("EngineVersion")}
    return {}


def _restore(plan, look):
    db, mode = plan["database"], plan["snapshot"]["mode"]
    common = _dest(
        plan,
        DbClusterIdentifier=plan["names"]["restore"],
        DbSubnetGroupName=db["subnet_group"],
        VpcSecurityGroupIds=db["security_group_ids"],
        DbClusterParameterGroupName=db["cluster_parameter_group"],
        KmsKeyId=db["kms_key_id"],
        Tags=plan["tags"],
    )
    if mode in ("new_manual", "latest_automated"):
        used = snapshot_used(plan, look)
        extra = {"SnapshotIdentifier": used["SnapshotArn"]}
        if used.get("EngineVersion"):
            extra["EngineVersion"] = used["EngineVersion"]
        return {**common, "RestoreType": "from-snapshot", **extra}
    if mode == "point_in_time":
        return {
            **common,
            "RestoreType": "point-in-time",
            "SourceDbClusterIdentifier": _source_cluster_arn(plan),
            "RestoreToTime": plan["snapshot"]["restore_to"],
        }
    return {**common, "RestoreType": "fast-clone", "SourceDbClusterIdentifier": _source_cluster_arn(plan)}


def _create_instances(plan, look):
    db, restore = plan["database"], plan["names"]["restore"]
    return _dest(
        plan,
        DbClusterIdentifier=restore,
        DbInstanceIdentifierPrefix=restore,
        DbInstances=[
            {"DbInstanceClass": i["instance_class"], "PromotionTier": i.get("promotion_tier", index)}
            for index, i in enumerate(db["instances"])
        ],
        DbParameterGroupName=db["instance_parameter_group"],
        Tags=plan["tags"],
    )


def _master_secret(plan, look):
    return _dest(
        plan,
        DbClusterIdentifier=plan["names"]["restore"],
        MasterUserSecretKmsKeyId=plan["database"]["secret_kms_key_id"],
    )


def _s3_integration(plan, look):
    role = plan["database"].get("s3_role_arn")
    if not role:
        return None
    return _dest(
        plan,
        DbClusterIdentifier=plan["names"]["restore"],
        S3RoleArn=role,
        DbClusterParameterGroupName=plan["database"]["cluster_parameter_group"],
    )


def _efs_restore(plan, look):
    efs = plan["efs"]
    if not efs:
        return None
    return _dest(
        plan,
        SourceAccount=_role(plan["source"]),
        SourceFileSystemId=efs["source_file_system_id"],
        DestinationBackupVaultArn=efs["backup_vault_arn"],
        CopyRoleArn=efs["copy_role_arn"],
        RestoreRoleArn=efs["restore_role_arn"],
        KmsKeyId=efs["kms_key_id"],
        Tags=plan["tags"],
    )


def _efs_file_system(look) -> str:
    return (look.output("efs_restore") or {})["FileSystemId"]


def _efs_mount_targets(plan, look):
    efs = plan["efs"]
    if not efs:
        return None
    return _dest(
        plan,
        FileSystemId=_efs_file_system(look),
        SubnetIds=efs["subnet_ids"],
        SecurityGroupIds=efs["security_group_ids"],
    )


def _efs_subpath(plan, look):
    efs = plan["efs"]
    if not efs:
        return None
    return _dest(
        plan,
        FileSystemId=_efs_file_system(look),
        LambdaFunctionName=plan["efs_lambda"],
        EfsIdParameterName=f"{efs['ssm_prefix'].rstrip('/')}/file-system-id",
        EfsSubPathParameterName=f"{efs['ssm_prefix'].rstrip('/')}/subpath",
    )


def _mask(plan, look):
    return _dest(
        plan,
        DbClusterIdentifier=plan["names"]["restore"],
        DatabaseName=plan["database"]["database_name"],
        LambdaFunctionName=plan["sql_lambda"],
        S3Bucket=plan["sql"]["bucket"],
        S3Prefix=plan["sql"]["prefix"],
    )


def _target_existed(look) -> bool:
    return bool(((look.output("prepare") or {}).get("TargetCluster") or {}).get("Exists"))


def _rename_old(plan, look):
    if not (plan["options"]["rename_old"] and _target_existed(look)):
        return None
    return _rename(plan, "target", "old")


def _delete_target(plan, look):
    if plan["options"]["rename_old"] or not _target_existed(look):
        return None
    return _protected(plan, DbClusterIdentifier=plan["names"]["target"])


def _rename(plan, current: str, new: str) -> dict:
    """rename_cluster input: the cluster named ``names[current]`` (and its instances) to ``names[new]``."""
    names = plan["names"]
    return _protected(
        plan,
        DbClusterIdentifier=names[current],
        NewDbClusterIdentifier=names[new],
        NewInstanceIdentifierPrefix=names[new],
    )


def _rename_new(plan, look):
    return _rename(plan, "restore", "target")


def _rotate_secrets(plan, look):
    secrets = plan["database"].get("secret_ids") or []
    if not (plan["options"]["rotate_secrets"] and secrets):
        return None
    return _dest(plan, SecretIds=secrets)


def _eks_scale(plan, look):
    eks = plan["eks"]
    if not eks:
        return None
    down = plan["options"]["scale_down_at_end"]
    return _dest(
        plan,
        EksClusterName=eks["cluster"],
        NodegroupName=eks["nodegroup"],
        MinSize=0 if down else eks["min_size"],
        MaxSize=eks["max_size"],
        DesiredSize=0 if down else eks["desired_size"],
    )


def _old_renamed(look) -> dict | None:
    return look.output("rename_old")


def _delete_old(plan, look):
    if not (plan["options"]["delete_old"] and _old_renamed(look)):
        return None
    return _protected(plan, DbClusterIdentifier=plan["names"]["old"])


def _keep_old(plan, look):
    renamed = _old_renamed(look)
    if not (plan["keep_old_until"] and renamed):
        return None
    return _dest(
        plan, ResourceArns=[renamed["DbClusterArn"]], Tags={"refresh:delete-after": plan["keep_old_until"]}
    )


def _stop_at_end(plan, look):
    if not plan["options"]["stop_at_end"]:
        return None
    return _dest(plan, DbClusterIdentifier=plan["names"]["target"])


def _restore_old_name(plan, look):
    """The rollback of a half-done switch: this run started ``rename_old``, ``<target>-old``
    exists and nothing holds the target name (decided from AWS, so a retry is safe)."""
    names = plan["names"]
    if not look.attempted("rename_old"):
        return None
    if look.cluster_exists(names["target"]) or not look.cluster_exists(names["old"]):
        return None
    return _rename(plan, "old", "target")


def _cleanup(plan, look):
    if plan["options"]["dry_run"]:  # a teardown runs after the dry-run gate too; nothing to clean
        return None
    return _protected(plan, DbClusterIdentifier=plan["names"]["restore"])


_STEPS = [
    Step(
        "prepare", "utils/prepare_refresh", "2 prepare", _prepare, "Names, tags, what exists now (read-only)."
    ),
    Step(
        "create_snapshot",
        "db/create_manual_snapshot",
        "3 snapshot",
        _create_snapshot,
        "new_manual: snapshot the source.",
    ),
    Step(
        "share_snapshot",
        "db/share_snapshot",
        "3 snapshot",
        _share_snapshot,
        "new_manual: share it with the destination.",
    ),
    Step(
        "find_snapshot",
        "db/list_shared_snapshots",
        "3 snapshot",
        _find_snapshot,
        "latest_automated: newest shared.",
    ),
    Step(
        "ensure_no_restore",
        "db/ensure_cluster_not_exists",
        "4 database",
        _ensure_no_restore,
        "No <target>-restore.",
    ),
    Step("restore", "db/restore_cluster", "4 database", _restore, "Restore <target>-restore."),
    Step("create_instances", "db/create_instance", "4 database", _create_instances, "Its instances."),
    Step(
        "master_secret", "db/enable_master_secret", "4 database", _master_secret, "RDS-managed master secret."
    ),
    Step(
        "s3_integration",
        "db/configure_s3_integration",
        "4 database",
        _s3_integration,
        "Aurora S3 role, if any.",
    ),
    Step("efs_restore", "efs/restore_from_backup", "4 efs", _efs_restore, "EFS from the newest backup."),
    Step("efs_mount_targets", "efs/create_mount_targets", "4 efs", _efs_mount_targets, "Its mount targets."),
    Step("efs_subpath", "efs/get_subpath_and_store_in_ssm", "4 efs", _efs_subpath, "Restore subpath to SSM."),
    Step(
        "mask", "db/run_sql_from_s3", "5 mask", _mask, "Masking SQL on <target>-restore, before the switch."
    ),
    Step("rename_old", "db/rename_cluster", "6 switch", _rename_old, "<target> -> <target>-old."),
    Step(
        "delete_target", "db/delete_cluster", "6 switch", _delete_target, "rename_old=false: delete <target>."
    ),
    Step("rename_new", "db/rename_cluster", "6 switch", _rename_new, "<target>-restore -> <target>."),
    Step(
        "rotate_secrets", "db/rotate_secrets", "7 rotate secrets", _rotate_secrets, "Rotate the app secrets."
    ),
    Step("eks_scale", "eks/scale_nodegroup", "8 eks", _eks_scale, "Scale or restart the node group."),
    Step("delete_old", "db/delete_cluster", "8 old cluster", _delete_old, "delete_old: remove <target>-old."),
    Step(
        "keep_old", "utils/tag_resources", "8 old cluster", _keep_old, "keep_old_days: tag its delete-after."
    ),
    Step("stop_at_end", "db/stop_cluster", "8 stop", _stop_at_end, "stop_at_end: stop <target>."),
    Step(
        "restore_old_name",
        "db/rename_cluster",
        "9 cleanup",
        _restore_old_name,
        "Rollback: <target>-old -> <target>.",
    ),
    Step(
        "cleanup", "db/ensure_cluster_not_exists", "9 cleanup", _cleanup, "Remove <target>-restore leftovers."
    ),
]
STEPS: dict[str, Step] = {step.task_id: step for step in _STEPS}
PHASES: dict[str, str] = {
    "preflight": "1 preflight",
    "dry_run_gate": "1 preflight",
    **{step.task_id: step.phase for step in _STEPS},
    "record": "10 record",
    "notify": "11 notify",
}


def machine_input(task_id: str, plan: dict, look: Look) -> dict | None:
    """The execution input of ``task_id`` in this run, or None: the step does not apply."""
    return STEPS[task_id].build(plan, look)


def describe(plan: dict) -> list[str]:
    """The plan as lines a person reads in the dry-run log."""
    names, snap = plan["names"], plan["snapshot"]
    lines = [
        f"refresh {plan['destination']}: {plan['source']['name']} ({plan['source']['AccountId']}) -> "
        f"{plan['target']['name']} ({plan['target']['AccountId']}), Region {plan['region']}",
        f"source cluster {snap['source_cluster']}; snapshot mode {snap['mode']}"
        + (f", new snapshot {snap['identifier']}" if snap["identifier"] else "")
        + (f", restore to {snap['restore_to']}" if snap["restore_to"] else ""),
        f"build {names['restore']}, mask it with s3://{plan['sql']['bucket']}/{plan['sql']['prefix']}*.sql, "
        f"then {names['target']} -> {names['old']} and {names['restore']} -> {names['target']}",
        f"options: {sorted((k, v) for k, v in plan['options'].items())}",
        "steps (conditional ones decide at run time from what earlier steps found):",
    ]
    lines += [f"  {s.phase:<16} {s.task_id:<18} asl/{s.definition}: {s.doc}" for s in _STEPS]
    return lines


def tags_dict(plan: dict) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in plan["tags"]}


def json_safe(value: Any) -> Any:
    """What XCom and DynamoDB store: datetimes as ISO text."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    return value
