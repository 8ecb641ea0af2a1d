"""Aurora Global drills: resolve, check the gotchas, write the marker, switch, measure, switch home.

What the contract publishes (``aurora``: the global cluster, one cluster a Region, the master
secret) is checked against the live clusters before any change:

- steady state: the global cluster ``available``, the writer home, every member synchronized,
  the secondary's ``AuroraGlobalDBRPOLag`` (or ``…ReplicationLag``) below the spec's objective;
- the gotchas of a Region switch (none is inherited by the other Region): the engine versions
  of the members match, their cluster parameter groups set the same values, and the master
  secret is replicated to the secondary Region (the application's credentials after a switch);
- the clusters carry the drill tags, and only the contract's two clusters are touched.

RPO is measured, not assumed: a marker row written to the writer before the switch must be
readable on the new writer (0 s lost), and the lag metric just before the switch bounds what an
unplanned failover would have lost. RTO runs from the switch call until a write is accepted in
the new Region. Writes go through the RDS Data API (``rds-data``) with the master secret; the
marker is an id, never a secret. Plain functions over the hooks; no Airflow import.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from functools import lru_cache

from platform_ops.aws.access import aws_hook
from platform_ops.aws.aurora_global import AuroraGlobalHook
from platform_ops.aws.cloudwatch_metrics import CloudWatchMetricsHook
from platform_ops.drills import targets as tg
from platform_ops.drills.spec import DrillRefused, Spec

log = logging.getLogger(__name__)

MARKER_TABLE = "platform_ops_drill_marker"
CREATE_SQL = (
    f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (id text PRIMARY KEY, written_at timestamptz NOT NULL)"
)
INSERT_SQL = f"INSERT INTO {MARKER_TABLE} (id, written_at) VALUES (:id, now())"
SELECT_SQL = f"SELECT id, written_at FROM {MARKER_TABLE} WHERE id = :id"
ROLES = ("primary", "secondary")


@lru_cache(maxsize=64)
def _hook(kind: type, conn_id: str, region: str, connection: str | None):
    # one hook (and its assumed-role session) per connection, Region and connection value: a
    # drill makes dozens of calls, each new hook would assume the role again
    if isinstance(kind, type):  # one of the drills' hook classes
        return kind(aws_conn_id=conn_id, region_name=region)
    return aws_hook(conn_id, kind, region)


def _cached(kind, account, region: str):
    return _hook(
        kind, account.aws_conn_id, region, os.environ.get(f"AIRFLOW_CONN_{account.aws_conn_id.upper()}")
    )


def rds(account, region: str) -> AuroraGlobalHook:
    return _cached(AuroraGlobalHook, account, region)


def metrics(account, region: str) -> CloudWatchMetricsHook:
    return _cached(CloudWatchMetricsHook, account, region)


def aws_client(account, service: str, region: str):
    """A client of ``service`` through ``platform_ops.aws.access``, cached like the hooks."""
    return _hook(
        service, account.name, region, os.environ.get(f"AIRFLOW_CONN_{account.aws_conn_id.upper()}")
    ).get_conn()


def resolve(spec: Spec, contract: dict, account) -> dict:
    """The global cluster and its two clusters from the contract, checked against the live ones."""
    aurora = contract.get("aurora")
    if not aurora:
        raise DrillRefused(
            f"drill {spec.drill} refused: the drill_targets contract has no Aurora global database "
            "(dr-platform applied with aurora.enabled = false)"
        )
    clusters = {role: aurora["clusters"][role] for role in ROLES}
    for cluster in clusters.values():
        tg.check_blast_radius(spec, contract, account.account_id, cluster["region"])
        live = rds(account, cluster["region"]).cluster(cluster["cluster_arn"])
        tg.refuse_untagged(spec, "Aurora cluster", cluster["cluster_id"], {"Tags": live.get("TagList", [])})
    tg.refuse_too_many(spec, [c["cluster_id"] for c in clusters.values()], "Aurora clusters")
    return {
        "kind": "aurora_global",
        "global_cluster_id": aurora["global_cluster_id"],
        "secret_arn": aurora["master_secret_arn"],
        "engine_version": aurora.get("engine_version"),
        "clusters": clusters,
        "region": clusters["primary"]["region"],
    }


def gotchas(account, resolved: dict) -> list[str]:
    """What would break a Region switch although both clusters look healthy (none is inherited)."""
    problems = []
    live = {
        role: rds(account, c["region"]).cluster(c["cluster_arn"]) for role, c in resolved["clusters"].items()
    }
    versions = {role: c.get("EngineVersion") for role, c in live.items()}
    if len(set(versions.values())) > 1:
        problems.append(f"engine versions differ: {versions} (switchover needs the same version)")
    groups = {
        role: rds(account, c["region"]).parameter_group(c["cluster_arn"])
        for role, c in resolved["clusters"].items()
    }
    differing = sorted(k for k in set(groups["primary"]) | set(groups["secondary"])
                       if groups["primary"].get(k) != groups["secondary"].get(k))  # fmt: skip
    if differing:
        problems.append(
            "cluster parameter groups differ: "
            + "; ".join(
                f"{k}: primary {groups['primary'].get(k)!r}, secondary {groups['secondary'].get(k)!r}"
                for k in differing
            )  # fmt: skip
        )
    primary_region = resolved["clusters"]["primary"]["region"]
    secondary_region = resolved["clusters"]["secondary"]["region"]
    secret = aws_client(account, "secretsmanager", primary_region).describe_secret(
        SecretId=resolved["secret_arn"]
    )
    replicas = {r.get("Region") for r in secret.get("ReplicationStatus", [])}
    if secondary_region not in replicas:
        problems.append(
            f"the master secret is not replicated to {secondary_region} (replicas: {sorted(replicas)})"
        )
    return problems


def lag_ms(account, resolved: dict, role: str) -> float | None:
    """The replication lag of the cluster of ``role`` (a secondary): RPO lag first, else replication lag."""
    cluster = resolved["clusters"][role]
    found = metrics(account, cluster["region"]).aurora_lag_ms(cluster["cluster_id"])
    return next((v for v in found.values() if v is not None), None)


def member_states(account, resolved: dict) -> dict[str, dict]:
    """``{role: member}`` as the global cluster describes them now, and its status under ``status``."""
    hook = rds(account, resolved["clusters"]["secondary"]["region"])
    found = hook.describe(resolved["global_cluster_id"])
    by_arn = {m["arn"]: m for m in hook.members(found)}
    out = {role: by_arn.get(c["cluster_arn"], {}) for role, c in resolved["clusters"].items()}
    out["status"] = {"status": found.get("Status")}
    return out


def steady_state(account, resolved: dict, writer_role: str, max_lag_ms: int) -> list[dict]:
    """Aurora's steady-state probes, each ``{name, expected, found, ok}``, with ``writer_role`` the writer."""
    states = member_states(account, resolved)
    reader_role = "secondary" if writer_role == "primary" else "primary"
    lag = lag_ms(account, resolved, reader_role)
    probes = [
        ("global cluster available", "available", states["status"]["status"]),
        (f"writer in {resolved['clusters'][writer_role]['region']}", True, states[writer_role].get("is_writer")),
        ("every member synchronized", True,
         all(states[r].get("synchronization") in (None, "connected") for r in ROLES)),
        (f"lag of the {reader_role} below {max_lag_ms} ms", True, lag is not None and lag <= max_lag_ms),
    ]  # fmt: skip
    out = [{"name": n, "expected": e, "found": f, "ok": f == e} for n, e, f in probes]
    out[-1]["lag_ms"] = lag
    return out


def _data(account, resolved: dict, role: str, sql: str, marker: str) -> dict:
    cluster = resolved["clusters"][role]
    return aws_client(account, "rds-data", cluster["region"]).execute_statement(
        resourceArn=cluster["cluster_arn"], secretArn=resolved["secret_arn"], sql=sql,
        parameters=[{"name": "id", "value": {"stringValue": marker}}],
    )  # fmt: skip


def write_marker(account, resolved: dict, role: str) -> dict:
    """Write a fresh marker row to the cluster of ``role`` (the table is made on first use)."""
    marker = f"drill-{uuid.uuid4()}"
    cluster = resolved["clusters"][role]
    aws_client(account, "rds-data", cluster["region"]).execute_statement(
        resourceArn=cluster["cluster_arn"], secretArn=resolved["secret_arn"], sql=CREATE_SQL
    )
    response = _data(account, resolved, role, INSERT_SQL, marker)
    return {"id": marker, "role": role, "written_at": time.time(),
            "request_id": response["ResponseMetadata"].get("RequestId")}  # fmt: skip


def marker_readable(account, resolved: dict, role: str, marker: str) -> bool:
    return bool(_data(account, resolved, role, SELECT_SQL, marker).get("records"))


def await_writes(account, resolved: dict, role: str, timeout: float, poll: float) -> dict:
    """Until a write is accepted by the cluster of ``role``: ``{"accepted_at", "attempts", "marker"}``."""
    from botocore.exceptions import ClientError

    deadline = time.monotonic() + timeout
    attempts = 0
    while True:
        attempts += 1
        try:
            marker = write_marker(account, resolved, role)
            return {"accepted_at": marker["written_at"], "attempts": attempts, "marker": marker["id"]}
        except ClientError as err:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"no write accepted in {resolved['clusters'][role]['region']}: {err}"
                ) from err
        time.sleep(poll)


def planned_switch(resolved: dict, to_role: str, allow_data_loss: bool = False) -> dict:
    """The exact RDS call that makes the cluster of ``to_role`` the writer."""
    cluster = resolved["clusters"][to_role]
    params = {
        "GlobalClusterIdentifier": resolved["global_cluster_id"],
        "TargetDbClusterIdentifier": cluster["cluster_arn"],
    }
    action = "FailoverGlobalCluster" if allow_data_loss else "SwitchoverGlobalCluster"
    if allow_data_loss:
        params["AllowDataLoss"] = True
    cli = (f"aws rds {'failover' if allow_data_loss else 'switchover'}-global-cluster --global-cluster-identifier "
           f"{params['GlobalClusterIdentifier']} --target-db-cluster-identifier {params['TargetDbClusterIdentifier']}"
           f"{' --allow-data-loss' if allow_data_loss else ''} --region {cluster['region']}")  # fmt: skip
    return {"service": "rds", "region": cluster["region"], "action": action, "params": params, "cli": cli}


def switch(account, resolved: dict, to_role: str, calls: list[dict], timeout: float, poll: float,
           allow_data_loss: bool = False) -> dict:  # fmt: skip
    """Make ``to_role``'s cluster the writer: the call, every state seen, then until it accepts writes."""
    call = planned_switch(resolved, to_role, allow_data_loss)
    hook = rds(account, call["region"])
    called_at = time.time()
    if allow_data_loss:
        response = hook.failover(
            resolved["global_cluster_id"], call["params"]["TargetDbClusterIdentifier"], True
        )
    else:
        response = hook.switchover(resolved["global_cluster_id"], call["params"]["TargetDbClusterIdentifier"])
    calls.append({**{k: call[k] for k in ("service", "region", "action", "params")}, "at": called_at,
                  "request_id": None, "status": response.get("Status")})  # fmt: skip
    started = time.monotonic()
    states = hook.wait_for_writer(resolved["global_cluster_id"], call["params"]["TargetDbClusterIdentifier"],
                                  timeout=timeout, poll=poll)  # fmt: skip
    writes = await_writes(account, resolved, to_role, max(1.0, timeout - (time.monotonic() - started)), poll)
    return {"called_at": called_at, "states": states, "writer_available_at": states[-1]["at"], **writes}


def rpo(marker_found: bool, lag_before_ms: float | None) -> dict:
    """Observed data loss: none when the marker survived; otherwise bounded by the lag before the switch."""
    if marker_found:
        return {"rpo_seconds": 0.0, "marker_found": True, "lag_before_ms": lag_before_ms}
    bound = None if lag_before_ms is None else round(lag_before_ms / 1000, 3)
    return {"rpo_seconds": bound, "marker_found": False, "lag_before_ms": lag_before_ms}
