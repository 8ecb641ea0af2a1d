"""The Aurora part of the dr-platform stack, made in the local AWS directly (client side).

``drill_stack`` applies dr-platform with Aurora off (its RDS waiters alone cost minutes), so the
contract it publishes has ``aurora: null``. ``create_global_database`` makes what the
``aurora-global`` module makes, with the same names and drill tags: a global cluster, one
cluster a Region (writer in the primary), their cluster parameter groups, the master secret
replicated to the secondary Region, and the two replication-lag alarms of the ``alarms``
module. ``publish`` then writes the ``aurora`` map and the lag alarms into the contract
(``<ssm_path>/json``, both Regions) exactly where the stack would put them, so the drills read
the same contract in the local AWS as in AWS.
"""

from __future__ import annotations

import json

from platform_ops.local.clients import account_client

ACCOUNT = "dr"
REGIONS = {"primary": "eu-west-1", "secondary": "us-east-1"}
SHORT = {"eu-west-1": "euw1", "us-east-1": "use1"}
NAME = "platform-dr"
ENGINE, VERSION = "aurora-postgresql", "16.6"
TAGS = [{"Key": "DrillEligible", "Value": "true"}, {"Key": "DrillScope", "Value": NAME}]
PARAMETERS = {"rds.force_ssl": "1", "log_min_duration_statement": "500"}
CONTRACT = f"/platform/dr/drill-targets/{NAME}/json"
LAG_THRESHOLD_MS = 1000


def create_global_database(endpoint: str, parameters: dict[str, dict] | None = None) -> dict:
    """Create the global database; ``parameters`` per role overrides the parameter groups' values.

    Returns the contract's ``aurora`` map.
    """
    global_id = f"{NAME}-global"
    account_client(endpoint, ACCOUNT, "rds", REGIONS["secondary"]).create_global_cluster(
        GlobalClusterIdentifier=global_id, Engine=ENGINE, EngineVersion=VERSION, StorageEncrypted=True
    )
    secret = account_client(endpoint, ACCOUNT, "secretsmanager", REGIONS["primary"]).create_secret(
        Name=f"rds!cluster-{NAME}-master",
        SecretString=json.dumps({"username": "platform_admin", "password": "local-only"}),
        AddReplicaRegions=[{"Region": REGIONS["secondary"]}],
    )
    clusters = {}
    for role, region in REGIONS.items():
        rds = account_client(endpoint, ACCOUNT, "rds", region)
        group = f"{NAME}-{SHORT[region]}-cluster"
        rds.create_db_cluster_parameter_group(
            DBClusterParameterGroupName=group, DBParameterGroupFamily="aurora-postgresql16",
            Description=f"{NAME} {role}", Tags=TAGS,
        )  # fmt: skip
        values = {**PARAMETERS, **((parameters or {}).get(role) or {})}
        rds.modify_db_cluster_parameter_group(
            DBClusterParameterGroupName=group,
            Parameters=[{"ParameterName": k, "ParameterValue": v, "ApplyMethod": "pending-reboot"}
                        for k, v in values.items()],
        )  # fmt: skip
        cluster_id = f"{NAME}-{SHORT[region]}"
        extra = (
            {"MasterUsername": "platform_admin", "MasterUserPassword": "local-only-1"}
            if role == "primary"
            else {}
        )
        cluster = rds.create_db_cluster(
            DBClusterIdentifier=cluster_id, Engine=ENGINE, EngineVersion=VERSION,
            GlobalClusterIdentifier=global_id, DBClusterParameterGroupName=group,
            EnableHttpEndpoint=True, StorageEncrypted=True, Tags=TAGS, **extra,
        )["DBCluster"]  # fmt: skip
        instance = f"{cluster_id}-1"
        rds.create_db_instance(
            DBInstanceIdentifier=instance, DBClusterIdentifier=cluster_id, Engine=ENGINE,
            DBInstanceClass="db.r6g.large", Tags=TAGS,
        )  # fmt: skip
        clusters[role] = {"region": region, "cluster_id": cluster_id, "cluster_arn": cluster["DBClusterArn"],
                          "instance_ids": [instance]}  # fmt: skip
        _lag_alarm(endpoint, role, region, cluster_id)
    found = account_client(endpoint, ACCOUNT, "rds", REGIONS["secondary"]).describe_global_clusters(
        GlobalClusterIdentifier=global_id
    )["GlobalClusters"][0]
    return {
        "global_cluster_id": global_id,
        "global_cluster_arn": found["GlobalClusterArn"],
        "global_writer_endpoint": found.get("Endpoint"),
        "engine_version": VERSION,
        "master_secret_arn": secret["ARN"],
        "clusters": clusters,
    }


def lag_alarm_name(role: str) -> str:
    return f"{NAME}-{REGIONS[role]}-aurora-replication-lag-{role}"


def _lag_alarm(endpoint: str, role: str, region: str, cluster_id: str) -> None:
    account_client(endpoint, ACCOUNT, "cloudwatch", region).put_metric_alarm(
        AlarmName=lag_alarm_name(role), Namespace="AWS/RDS", MetricName="AuroraGlobalDBRPOLag",
        Dimensions=[{"Name": "DBClusterIdentifier", "Value": cluster_id}], Statistic="Maximum",
        Period=60, EvaluationPeriods=3, DatapointsToAlarm=3, Threshold=LAG_THRESHOLD_MS,
        ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching", Tags=TAGS,
    )  # fmt: skip


def publish(endpoint: str, aurora: dict) -> dict:
    """Write ``aurora`` and the lag alarms into the contract in both Regions; the new contract."""
    contract = None
    for region in REGIONS.values():
        ssm = account_client(endpoint, ACCOUNT, "ssm", region)
        contract = json.loads(ssm.get_parameter(Name=CONTRACT)["Parameter"]["Value"])
        contract["aurora"] = aurora
        contract["alarms"]["aurora_replication_lag"] = {role: lag_alarm_name(role) for role in REGIONS}
        contract["alarms"]["regions"]["aurora_replication_lag"] = dict(REGIONS)
        ssm.put_parameter(Name=CONTRACT, Value=json.dumps(contract), Type="String", Overwrite=True)
    return contract


def set_knob(endpoint: str, name: str, value: str) -> None:
    """A setting of ``moto_aurora_global`` (``switch-seconds``, ``lag-ms``, ``scenario``)."""
    from platform_ops.local.moto_aurora_global import KNOB_REGION, KNOBS

    account_client(endpoint, ACCOUNT, "ssm", KNOB_REGION).put_parameter(
        Name=KNOBS + name, Value=value, Type="String", Overwrite=True
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m platform_ops.local.drill_aurora <endpoint>``: what ``make demo`` runs in the background.

    dr-platform (``drill_stack``, Aurora and EKS off), then the global database and its contract
    entries: all four DR drills can run once it prints its last line.
    """
    import sys
    import time

    from platform_ops.local.drill_stack import main as apply_stack

    endpoint = (argv if argv is not None else sys.argv[1:])[0]
    apply_stack([endpoint])
    started = time.monotonic()
    publish(endpoint, create_global_database(endpoint))
    print(f"Aurora global database {NAME}-global made and published in the drill_targets contract in "
          f"{time.monotonic() - started:.0f} s: the Aurora drills can run", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
