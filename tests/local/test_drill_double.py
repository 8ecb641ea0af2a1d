"""The NAT drill's double (``platform_ops.local.drill_double``) in process, under moto's ``mock_aws``.

Its answers to route changes fire on timers; on a loaded machine they fire in any order. The
timers here are captured and fired last-first: the health-check alarm must still follow the
routes as they are when it fires (a cut then a full restore ends OK), not as they were when each
timer started.
"""

from __future__ import annotations

import json

import boto3
import pytest
from platform_ops.local import drill_double

REGION = "eu-west-1"


@pytest.fixture
def network(monkeypatch):
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    timers: list = []

    class CapturedTimer:
        def __init__(self, _delay, function, args=()):
            self.call = (function, args)
            self.daemon = False

        def start(self):
            timers.append(self.call)

    monkeypatch.setattr(drill_double.threading, "Timer", CapturedTimer)
    with mock_aws():
        drill_double.install()
        ec2 = boto3.client("ec2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)["NatGateway"]["NatGatewayId"]
        tables = [ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"] for _ in range(3)]
        for table in tables:
            ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
        cloudwatch = boto3.client("cloudwatch", region_name=REGION)
        for name in ("hc-primary", "hc-secondary"):
            cloudwatch.put_metric_alarm(
                AlarmName=name, Namespace="AWS/Route53", MetricName="HealthCheckStatus", Statistic="Minimum",
                Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="LessThanThreshold",
            )  # fmt: skip
            cloudwatch.set_alarm_state(AlarmName=name, StateValue="OK", StateReason="test start")
        contract = {
            "regions": {"primary": REGION, "secondary": "us-east-1"},
            "network": {"primary": {"nat_gateways": {nat: {"private_route_table_ids": tables}}}},
            "alarms": {
                "regions": {"health_check": REGION},
                "health_check": {"primary": "hc-primary", "secondary": "hc-secondary"},
            },
        }
        boto3.client("ssm", region_name=REGION).put_parameter(
            Name="/platform/dr/drill-targets/platform-dr/json", Value=json.dumps(contract), Type="String"
        )
        timers.clear()
        yield {"ec2": ec2, "cloudwatch": cloudwatch, "nat": nat, "tables": tables, "timers": timers}


def state(network, name="hc-primary") -> str:
    return network["cloudwatch"].describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"]


def test_cut_then_restore_ends_ok_whatever_order_the_answers_fire_in(network):
    ec2 = network["ec2"]
    for table in network["tables"]:
        ec2.delete_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0")
    for table in network["tables"]:
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=network["nat"])
    assert len(network["timers"]) == 6
    for function, args in reversed(network["timers"]):  # the restore's answer first, the cut's last
        function(*args)
    assert state(network) == "OK"


def test_a_cut_that_lasts_sets_alarm_and_the_standby_follows_its_scenario(network):
    ec2 = network["ec2"]
    boto3.client("ssm", region_name=REGION).put_parameter(
        Name=drill_double.SCENARIO_PARAMETER, Value="failover,standby-fails", Type="String"
    )
    ec2.delete_route(RouteTableId=network["tables"][0], DestinationCidrBlock="0.0.0.0/0")
    assert state(network) == "OK", "the answer comes after the detection delay, not with the request"
    for function, args in network["timers"]:
        function(*args)
    assert (state(network), state(network, "hc-secondary")) == ("ALARM", "ALARM")
