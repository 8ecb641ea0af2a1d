"""The local AWS's Route 53 health and DNS failover (``platform_ops.local.moto_route53_health``),
through ``Route53HealthHook``: inverted is unhealthy and fails DNS over, disabled stays healthy."""

from __future__ import annotations

import pytest
from platform_ops.aws.cloudwatch_metrics import CloudWatchMetricsHook
from platform_ops.aws.route53_health import Route53HealthHook
from platform_ops.local.clients import account_client
from platform_ops.registry import registry

from tests.waiting import wait_until

RECORD = "app.dr.example.test"


def _hook(cls, region="us-east-1"):
    return cls(aws_conn_id=registry().account("dr").aws_conn_id, region_name=region)


@pytest.fixture
def failover(aws) -> dict:
    """Two health checks, their HealthCheckStatus alarms (us-east-1) and the failover CNAMEs."""
    route53 = account_client(aws, "dr", "route53")
    zone = route53.list_hosted_zones_by_name(DNSName="dr.example.test")["HostedZones"][0]["Id"].split("/")[-1]
    cloudwatch = account_client(aws, "dr", "cloudwatch", "us-east-1")
    out = {"zone": zone}
    changes = []
    for role in ("primary", "secondary"):
        check = route53.create_health_check(
            CallerReference=role, HealthCheckConfig={"Type": "HTTPS", "FullyQualifiedDomainName": f"{role}.test", "Port": 443}
        )["HealthCheck"]["Id"]  # fmt: skip
        cloudwatch.put_metric_alarm(
            AlarmName=f"hc-{role}", Namespace="AWS/Route53", MetricName="HealthCheckStatus",
            Dimensions=[{"Name": "HealthCheckId", "Value": check}], Statistic="Minimum", Period=60,
            EvaluationPeriods=2, Threshold=1, ComparisonOperator="LessThanThreshold",
        )  # fmt: skip
        cloudwatch.set_alarm_state(AlarmName=f"hc-{role}", StateValue="OK", StateReason="test start")
        out[role] = check
        changes.append({"Action": "CREATE", "ResourceRecordSet": {
            "Name": RECORD, "Type": "CNAME", "TTL": 5, "SetIdentifier": role, "Failover": role.upper(),
            "HealthCheckId": check, "ResourceRecords": [{"Value": f"{role}.test"}]}})  # fmt: skip
    route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": changes})
    return out


def test_inverted_is_unhealthy_fails_dns_over_and_turns_the_alarm(failover):
    route53, cloudwatch = _hook(Route53HealthHook), _hook(CloudWatchMetricsHook)
    assert route53.dns_answer(failover["zone"], RECORD, "CNAME") == {
        "values": ["primary.test"],
        "code": "NOERROR",
    }
    route53.set_inverted(failover["primary"], True)
    assert route53.health_check_config(failover["primary"])["inverted"] is True
    assert route53.status(failover["primary"])["healthy"] is False
    assert route53.dns_answer(failover["zone"], RECORD, "CNAME")["values"] == ["secondary.test"]
    wait_until(lambda: cloudwatch.alarm_states(["hc-primary"])["hc-primary"]["state"] == "ALARM",
               "the primary's HealthCheckStatus alarm in ALARM")  # fmt: skip
    route53.set_inverted(failover["primary"], False)
    assert route53.dns_answer(failover["zone"], RECORD, "CNAME")["values"] == ["primary.test"]
    wait_until(lambda: cloudwatch.alarm_states(["hc-primary"])["hc-primary"]["state"] == "OK",
               "the primary's alarm back to OK")  # fmt: skip


def test_disabled_counts_as_healthy_so_it_is_never_a_fault(failover):
    """Why the drills invert: a disabled health check keeps DNS on the 'failed' endpoint."""
    route53 = _hook(Route53HealthHook)
    client = route53.conn
    client.update_health_check(HealthCheckId=failover["primary"], Disabled=True)
    assert route53.status(failover["primary"])["healthy"] is True
    assert route53.dns_answer(failover["zone"], RECORD, "CNAME")["values"] == ["primary.test"]
    with pytest.raises(ValueError, match="is disabled"):
        route53.set_inverted(failover["primary"], True)
    # both unhealthy: Route 53 answers the primary
    client.update_health_check(HealthCheckId=failover["primary"], Disabled=False, Inverted=True)
    client.update_health_check(HealthCheckId=failover["secondary"], Inverted=True)
    assert route53.dns_answer(failover["zone"], RECORD, "CNAME")["values"] == ["primary.test"]
    assert route53.dns_answer(failover["zone"], "nope.dr.example.test", "CNAME")["code"] == "NXDOMAIN"
