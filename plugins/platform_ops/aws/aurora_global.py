"""Aurora Global Database: members, writer, switchover and failover (the provider's RdsHook has none).

One AWS service (RDS) over the provider's ``RdsHook``. Switchover (``SwitchoverGlobalCluster``)
waits until the secondary is fully synchronized: RPO 0, the planned way and the way home.
Failover (``FailoverGlobalCluster``) with ``AllowDataLoss`` does not wait: it loses what the
secondary had not received and forces a rebuild of the old primary on a new volume; without
``AllowDataLoss`` the same API is a switchover (``Switchover=True``). The target is always given
as its ARN (AWS finds a cluster of another Region only by ARN).
"""

from __future__ import annotations

import time

from airflow.providers.amazon.aws.hooks.rds import RdsHook

# GlobalCluster.Status while a switchover/failover runs (RDS API reference)
MOVING = frozenset({"switching-over", "failing-over"})


class AuroraGlobalHook(RdsHook):
    """:param aws_conn_id: the account's connection; ``region_name``: where the calls go."""

    def describe(self, global_cluster_id: str) -> dict:
        (found,) = self.conn.describe_global_clusters(GlobalClusterIdentifier=global_cluster_id)[
            "GlobalClusters"
        ]
        return found

    @staticmethod
    def members(global_cluster: dict) -> list[dict]:
        """Each member as ``{arn, region, is_writer, synchronization, write_forwarding}``."""
        return [
            {
                "arn": m["DBClusterArn"],
                "region": m["DBClusterArn"].split(":")[3],
                "is_writer": bool(m.get("IsWriter")),
                "synchronization": m.get("SynchronizationStatus"),
                "write_forwarding": m.get("GlobalWriteForwardingStatus"),
            }
            for m in global_cluster.get("GlobalClusterMembers", [])
        ]

    def writer(self, global_cluster_id: str) -> dict | None:
        """The member that is the writer now, or None (none is while a switchover demotes it)."""
        return next((m for m in self.members(self.describe(global_cluster_id)) if m["is_writer"]), None)

    def switchover(self, global_cluster_id: str, target_cluster_arn: str) -> dict:
        return self.conn.switchover_global_cluster(
            GlobalClusterIdentifier=global_cluster_id, TargetDbClusterIdentifier=target_cluster_arn
        )["GlobalCluster"]

    def failover(self, global_cluster_id: str, target_cluster_arn: str, allow_data_loss: bool) -> dict:
        """``AllowDataLoss=True`` (unplanned, RPO = the lag), or ``Switchover=True`` (RPO 0)."""
        flag = {"AllowDataLoss": True} if allow_data_loss else {"Switchover": True}
        return self.conn.failover_global_cluster(
            GlobalClusterIdentifier=global_cluster_id, TargetDbClusterIdentifier=target_cluster_arn, **flag
        )["GlobalCluster"]

    def wait_for_writer(self, global_cluster_id: str, target_cluster_arn: str, timeout: float,
                        poll: float = 1.0) -> list[dict]:  # fmt: skip
        """Poll until the target is the writer and the global cluster ``available``; the states seen.

        Returns every change of (global status, failover state, writer) with its time; raises
        ``TimeoutError`` with them when the deadline passes.
        """
        deadline = time.monotonic() + timeout
        seen: list[dict] = []
        while True:
            found = self.describe(global_cluster_id)
            writer = next((m["arn"] for m in self.members(found) if m["is_writer"]), None)
            state = {
                "status": found.get("Status"),
                "failover_state": (found.get("FailoverState") or {}).get("Status"),
                "writer": writer,
            }
            if not seen or {k: seen[-1][k] for k in state} != state:
                seen.append({**state, "at": time.time()})
            if writer == target_cluster_arn and state["status"] == "available":
                return seen
            if time.monotonic() > deadline:
                raise TimeoutError(f"{target_cluster_arn} is not the writer of {global_cluster_id}: {seen}")
            time.sleep(poll)

    def parameter_group(self, cluster_arn: str) -> dict[str, str]:
        """The cluster's parameter group's user-set parameters (``{name: value}``)."""
        (cluster,) = self.conn.describe_db_clusters(DBClusterIdentifier=cluster_arn)["DBClusters"]
        name = cluster["DBClusterParameterGroup"]
        paginator = self.conn.get_paginator("describe_db_cluster_parameters")
        out = {}
        for page in paginator.paginate(DBClusterParameterGroupName=name, Source="user"):
            for parameter in page.get("Parameters", []):
                out[parameter["ParameterName"]] = parameter.get("ParameterValue")
        return out

    def cluster(self, cluster_arn: str) -> dict:
        (cluster,) = self.conn.describe_db_clusters(DBClusterIdentifier=cluster_arn)["DBClusters"]
        return cluster
