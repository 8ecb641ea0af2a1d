"""CloudWatch alarm states and metric reads, e.g. Aurora's replication lag (one service, one hook).

Over ``AwsBaseHook(client_type="cloudwatch")``. ``AuroraGlobalDBRPOLag`` (Aurora PostgreSQL) and
``AuroraGlobalDBReplicationLag`` are published for *secondary* clusters only: after a switchover
the metric moves to the other Region's cluster, so a read names the cluster that is secondary now.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

AURORA_LAG_METRICS = ("AuroraGlobalDBRPOLag", "AuroraGlobalDBReplicationLag")


class CloudWatchMetricsHook(AwsBaseHook):
    def __init__(self, *args, **kwargs):
        kwargs["client_type"] = "cloudwatch"
        super().__init__(*args, **kwargs)

    def alarm_states(self, names: list[str]) -> dict[str, dict]:
        """``{name: {"state", "updated"}}`` (epoch seconds) of the named metric alarms."""
        response = self.conn.describe_alarms(AlarmNames=list(names))
        return {
            a["AlarmName"]: {"state": a["StateValue"], "updated": a["StateUpdatedTimestamp"].timestamp()}
            for a in response.get("MetricAlarms", [])
        }

    def latest(self, namespace: str, metric: str, dimensions: dict[str, str], minutes: int = 5,
               stat: str = "Maximum", period: int = 60) -> float | None:  # fmt: skip
        """The newest value of the metric in the last ``minutes``, or None when it has no data."""
        now = datetime.now(UTC)
        response = self.conn.get_metric_data(
            MetricDataQueries=[
                {
                    "Id": "m",
                    "MetricStat": {
                        "Metric": {
                            "Namespace": namespace,
                            "MetricName": metric,
                            "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
                        },
                        "Period": period,
                        "Stat": stat,
                    },
                }
            ],
            StartTime=now - timedelta(minutes=minutes),
            EndTime=now + timedelta(minutes=1),
            ScanBy="TimestampDescending",
        )
        values = response["MetricDataResults"][0].get("Values", [])
        return values[0] if values else None

    def aurora_lag_ms(self, cluster_id: str) -> dict[str, float | None]:
        """Both lag metrics of a secondary cluster (ms); None where the cluster publishes none."""
        return {m: self.latest("AWS/RDS", m, {"DBClusterIdentifier": cluster_id}) for m in AURORA_LAG_METRICS}
