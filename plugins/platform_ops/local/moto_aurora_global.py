"""The local AWS plays an Aurora global database: switchover, failover, writes, lag (moto cannot).

Stock moto 5.2 keeps global clusters and their members but has no ``SwitchoverGlobalCluster``
nor ``FailoverGlobalCluster``, executes no SQL (the RDS Data API answers canned results) and
publishes no Aurora metric. ``install()`` patches moto in the server process:

- **Switchover / failover** move the writer between the member clusters through the states the
  RDS API documents for ``GlobalCluster.Status`` and ``FailoverState.Status``, over
  ``switch-seconds`` (default 3): the global cluster is ``switching-over`` (``failing-over`` with
  ``AllowDataLoss``) and ``FailoverState`` is ``pending``; after a third of the time the old writer
  is demoted (no cluster accepts writes) and ``FailoverState`` is ``switching-over``
  (``failing-over``); at the end the target is the writer, the global cluster ``available`` and
  ``FailoverState`` empty again. A failover with data loss leaves the old primary
  ``pending-resync`` for another ``switch-seconds`` (AWS rebuilds it on a new volume) and loses the
  writes younger than the lag. Refused as AWS refuses them: a target that is not a member, or
  already the writer (``InvalidDBClusterStateFault``); a global cluster not ``available``
  (``InvalidGlobalClusterStateFault``); ``AllowDataLoss`` together with ``Switchover``
  (``InvalidParameterCombination``); members of different engine versions.
- **Writes** through the Data API (``rds-data ExecuteStatement``) of the drills' marker table
  (``platform_ops.drills.aurora.MARKER_TABLE``): accepted only on the current writer, refused
  otherwise as PostgreSQL refuses writes on a replica; a marker is readable on every member.
- **Lag**: a ``GetMetricData`` for ``AWS/RDS`` ``AuroraGlobalDBRPOLag`` or
  ``AuroraGlobalDBReplicationLag`` of a cluster that is a secondary *now* gets a datapoint of
  ``lag-ms`` first (default 40), so the metric exists only on secondaries and follows the role
  after a switchover, as in AWS.
- ``GlobalWriteForwardingStatus`` of a secondary is ``enabled`` when the cluster asked for it.

Knobs (SSM parameters of the account, us-east-1, where moto keeps global clusters):
``/platform-ops/local/aurora-global/{switch-seconds,lag-ms,scenario}``; the scenario flag
``refuse-switchover-to:<region>`` refuses every switchover/failover to that Region's member
(``InvalidDBClusterStateFault``: a failing rollback).
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)

KNOBS = "/platform-ops/local/aurora-global/"
KNOB_REGION = "us-east-1"
LAG_METRICS = frozenset({"AuroraGlobalDBRPOLag", "AuroraGlobalDBReplicationLag"})
MARKER_TABLE = "platform_ops_drill_marker"

# (account, global cluster id) -> {marker id: {"written_at", "cluster"}}
_markers: dict[tuple[str, str], dict[str, dict]] = {}


def knob(account_id: str, name: str, default: str) -> str:
    from moto.ssm.models import ssm_backends

    param = ssm_backends[account_id][KNOB_REGION].get_parameter(KNOBS + name)
    return param.value if param else default


def _global_clusters(account_id: str):
    from moto.rds.models import rds_backends

    return rds_backends[account_id][KNOB_REGION].global_clusters


def _member(global_cluster, identifier: str):
    for member in global_cluster.members:
        if identifier in (member.db_cluster_arn, member.db_cluster_identifier):
            return member
    return None


def _global_of(account_id: str, cluster_arn: str):
    for global_cluster in _global_clusters(account_id).values():
        member = _member(global_cluster, cluster_arn)
        if member is not None:
            return global_cluster, member
    return None, None


def start_switch(account_id: str, global_id: str, target: str, allow_data_loss: bool):
    """Validate and start a switchover (or failover); the transitions run on a timer."""
    from moto.rds.exceptions import InvalidDBClusterStateFault, InvalidGlobalClusterStateFault

    global_cluster = _global_clusters(account_id).get(global_id)
    if global_cluster is None:
        raise InvalidGlobalClusterStateFault(global_id)
    member = _member(global_cluster, target)
    if member is None:
        raise InvalidDBClusterStateFault(f"{target} is not a member of the global cluster {global_id}")
    if member.is_writer:
        raise InvalidDBClusterStateFault(f"{target} is already the writer of {global_id}")
    if global_cluster.status != "available":
        raise InvalidGlobalClusterStateFault(global_cluster.global_cluster_arn)
    if len({m.engine_version for m in global_cluster.members}) > 1:
        raise InvalidDBClusterStateFault(
            f"the members of {global_id} run different engine versions; switchover needs the same version"
        )
    refused = {f.split(":", 1)[1] for f in _scenario(account_id) if f.startswith("refuse-switchover-to:")}
    if member.region in refused:
        raise InvalidDBClusterStateFault(f"{target} cannot be promoted now (local AWS scenario)")
    old = next((m for m in global_cluster.members if m.is_writer), None)
    operation = "failing-over" if allow_data_loss else "switching-over"
    global_cluster.status = operation
    global_cluster._failover_state = {
        "Status": "pending",
        "FromDbClusterArn": old.db_cluster_arn if old else None,
        "ToDbClusterArn": member.db_cluster_arn,
        "IsDataLossAllowed": allow_data_loss,
    }
    seconds = float(knob(account_id, "switch-seconds", "3"))
    lag_seconds = float(knob(account_id, "lag-ms", "40")) / 1000

    def demote() -> None:
        global_cluster._failover_state["Status"] = operation
        if old is not None:
            old.is_writer = False
        if allow_data_loss:  # the writes the secondary had not received yet are gone
            cut = time.time() - lag_seconds
            markers = _markers.get((account_id, global_cluster.global_cluster_identifier), {})
            for marker_id in [k for k, v in markers.items() if v["written_at"] > cut]:
                del markers[marker_id]

    def promote() -> None:
        member.is_writer = True
        global_cluster.status = "available"
        global_cluster._failover_state = None
        if allow_data_loss and old is not None:
            old._platform_ops_sync = "pending-resync"
            _later(seconds, lambda: setattr(old, "_platform_ops_sync", "connected"))
        log.info("aurora global %s: writer is now %s", global_id, member.db_cluster_arn)

    _later(seconds / 3, demote)
    _later(seconds, promote)
    return global_cluster


def _later(seconds: float, action) -> None:
    timer = threading.Timer(seconds, action)
    timer.daemon = True
    timer.start()


def _scenario(account_id: str) -> set[str]:
    return set(filter(None, knob(account_id, "scenario", "").split(",")))


def _rdsdata_error(message: str):
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError("BadRequestException", message)


def execute_marker_sql(account_id: str, resource_arn: str, sql: str, parameters: list[dict]) -> dict:
    """The marker table's statements; anything else as stock moto (empty result)."""
    global_cluster, member = _global_of(account_id, resource_arn)
    if global_cluster is None:
        raise _rdsdata_error(f"Database cluster {resource_arn} is not part of a global database")
    values = {p["name"]: next(iter(p["value"].values())) for p in parameters or []}
    markers = _markers.setdefault((account_id, global_cluster.global_cluster_identifier), {})
    verb = sql.strip().split(None, 1)[0].upper()
    if verb in {"INSERT", "CREATE", "UPDATE", "DELETE"}:
        if not member.is_writer:
            raise _rdsdata_error("ERROR: cannot execute INSERT in a read-only transaction")
        if verb == "INSERT":
            markers[values["id"]] = {"written_at": time.time(), "cluster": member.db_cluster_arn}
            return {"numberOfRecordsUpdated": 1, "records": []}
        return {"numberOfRecordsUpdated": 0, "records": []}
    found = markers.get(values.get("id", ""))
    records = [[{"stringValue": values["id"]}, {"doubleValue": found["written_at"]}]] if found else []
    return {"numberOfRecordsUpdated": 0, "records": records}


def _lag_datapoints(backend, queries: list[dict]) -> None:
    from moto.cloudwatch.models import MetricDatum

    lag_ms = float(knob(backend.account_id, "lag-ms", "40"))
    for query in queries:
        metric = (query.get("MetricStat") or {}).get("Metric") or {}
        if metric.get("Namespace") != "AWS/RDS" or metric.get("MetricName") not in LAG_METRICS:
            continue
        cluster_id = {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])}.get("DBClusterIdentifier")
        for global_cluster in _global_clusters(backend.account_id).values():
            member = _member(global_cluster, cluster_id or "")
            if member is not None and not member.is_writer and member.region == backend.region_name:
                dimensions = [{"Name": "DBClusterIdentifier", "Value": cluster_id}]
                datum = MetricDatum("AWS/RDS", metric["MetricName"], lag_ms, dimensions, None, "Milliseconds")
                backend.metric_data.append(datum)


def install() -> None:
    """Patch moto's RDS, RDS Data API and CloudWatch in the server process (idempotent)."""
    import json

    from moto.cloudwatch.models import CloudWatchBackend
    from moto.core.responses import ActionResult
    from moto.rds.exceptions import InvalidParameterCombination
    from moto.rds.models import GlobalCluster
    from moto.rds.responses import RDSResponse
    from moto.rdsdata.responses import RDSDataServiceResponse

    if getattr(RDSResponse, "_platform_ops_aurora_global", False):
        return

    def switchover_global_cluster(self):
        cluster = start_switch(
            self.current_account, self.params["GlobalClusterIdentifier"],
            self.params["TargetDbClusterIdentifier"], allow_data_loss=False,
        )  # fmt: skip
        return ActionResult({"GlobalCluster": cluster})

    def failover_global_cluster(self):
        allow, switchover = self.params.get("AllowDataLoss"), self.params.get("Switchover")
        if allow and switchover:
            raise InvalidParameterCombination("AllowDataLoss and Switchover cannot both be specified")
        cluster = start_switch(
            self.current_account, self.params["GlobalClusterIdentifier"],
            self.params["TargetDbClusterIdentifier"], allow_data_loss=bool(allow),
        )  # fmt: skip
        return ActionResult({"GlobalCluster": cluster})

    RDSResponse.switchover_global_cluster = switchover_global_cluster
    RDSResponse.failover_global_cluster = failover_global_cluster

    members = GlobalCluster.global_cluster_members.fget

    def global_cluster_members(self):
        out = members(self)
        for entry, member in zip(out, self.members, strict=True):
            if not entry["IsWriter"]:
                forwarding = member.global_write_forwarding_requested
                entry["GlobalWriteForwardingStatus"] = "enabled" if forwarding else "disabled"
                entry["SynchronizationStatus"] = getattr(member, "_platform_ops_sync", "connected")
        return out

    GlobalCluster.global_cluster_members = property(global_cluster_members)
    GlobalCluster.failover_state = property(lambda self: getattr(self, "_failover_state", None))

    def execute_statement(self):
        sql = self._get_param("sql")
        if MARKER_TABLE not in sql:
            return original_execute(self)
        result = execute_marker_sql(
            self.current_account, self._get_param("resourceArn"), sql, self._get_param("parameters")
        )
        return json.dumps(result)

    original_execute = RDSDataServiceResponse.execute_statement
    RDSDataServiceResponse.execute_statement = execute_statement

    original_get_metric_data = CloudWatchBackend.get_metric_data

    def get_metric_data(self, *args, **kwargs):
        _lag_datapoints(self, kwargs.get("queries") or (args[0] if args else []))
        return original_get_metric_data(self, *args, **kwargs)

    CloudWatchBackend.get_metric_data = get_metric_data
    RDSResponse._platform_ops_aurora_global = True
