"""dag.test() runs of dr_chaos_nat_quarterly against the dr-platform stack applied to the local AWS.

The stack is applied once for the module (about 100 s), on the module's own local AWS, as
``make demo`` applies it (``platform_ops.local.drill_stack``: ``aurora.enabled = false`` and
``eks.enabled = false``): the NAT drill needs the networks, the
health checks, the alarms, the native-events queues and the drill_targets parameters, all of them
the stack's own objects; the Aurora waiters alone would add two minutes. Every test leaves the
routes as the stack made them.

The double that acts is ``platform_ops.local.drill_double`` (installed in the local AWS): when a
private route table loses its default route to the NAT gateway it sets the primary health-check
alarm to ALARM after 1 s, and back to OK when the routes are back; it leaves the error-rate
alarms OK. Its scenario parameter adds ``standby-fails`` (the secondary's health-check alarm too:
a stop condition), ``standby-errors`` (the secondary's error-rate alarm: the other stop condition)
or ``refuse-restore:<n>`` (CreateRoute back to the NAT gateway refused n times: a failing rollback).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from platform_ops.drills.evidence import run_prefix
from platform_ops.local.clients import account_client
from platform_ops.local.drill_double import SCENARIO_PARAMETER
from platform_ops.local.drill_stack import apply_for_drills
from platform_ops.local.recording import read_requests
from platform_ops.local.seed import read_notifications, seed_all
from platform_ops.local.server import _request, start_local_aws
from platform_ops.registry import registry

from tests.dagrun import run_dag, task_states

DAG_ID = "dr_chaos_nat_quarterly"
PRIMARY, SECONDARY = "eu-west-1", "us-east-1"
CONTRACT = "/platform/dr/drill-targets/platform-dr/json"
READ_ONLY = ("Describe", "Get", "List", "Head", "Receive", "AssumeRole")


@pytest.fixture(scope="module")
def drill_aws(tmp_path_factory, airflow_db):
    """The module's own local AWS, recording requests, with dr-platform applied (Aurora and EKS off)."""
    recording = tmp_path_factory.mktemp("moto") / "recording.jsonl"
    local = start_local_aws(env={"MOTO_ENABLE_RECORDING": "1", "MOTO_RECORDER_FILEPATH": str(recording)})
    try:
        with pytest.MonkeyPatch.context() as patch:
            from platform_ops.local.connections import local_environment

            seed_all(local.endpoint)
            for key, value in local_environment(local.endpoint).items():
                patch.setenv(key, value)
            # what make demo runs in the background; a retried create of the loaded local AWS
            # starts the apply over once, from a clean and seeded local AWS
            apply_for_drills(local.endpoint, start_over=lambda: (local.reset(), seed_all(local.endpoint)))
            local.recording = recording
            yield local
    finally:
        local.stop()


@pytest.fixture
def world(drill_aws):
    """Clean notices and the default scenario; after the test, the routes must be as the stack made them."""
    endpoint = drill_aws.endpoint
    contract = json.loads(ssm(endpoint).get_parameter(Name=CONTRACT)["Parameter"]["Value"])
    nat_id, nat = next(iter(contract["network"]["primary"]["nat_gateways"].items()))
    tables = nat["private_route_table_ids"]
    set_scenario(endpoint, "failover")
    read_notifications(endpoint)
    before = route_tables(endpoint, tables)
    yield {"endpoint": endpoint, "contract": contract, "nat": nat_id, "tables": tables, "before": before,
           "recording": drill_aws.recording}  # fmt: skip
    assert route_tables(endpoint, tables) == before, "the test left the routes changed"


def ssm(endpoint):
    return account_client(endpoint, "dr", "ssm", PRIMARY)


def ec2(endpoint):
    return account_client(endpoint, "dr", "ec2", PRIMARY)


def set_scenario(endpoint: str, value: str) -> None:
    ssm(endpoint).put_parameter(Name=SCENARIO_PARAMETER, Value=value, Type="String", Overwrite=True)


def route_tables(endpoint: str, ids: list[str]) -> dict:
    tables = ec2(endpoint).describe_route_tables(RouteTableIds=ids)["RouteTables"]
    # tags in key order: a tag removed and put back by a test comes back last
    return {t["RouteTableId"]: {**t, "Tags": sorted(t["Tags"], key=lambda tag: tag["Key"])} for t in tables}


def default_routes(endpoint: str, ids: list[str]) -> dict[str, str | None]:
    return {
        rtb: next(
            (r.get("NatGatewayId") for r in t["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"), None
        )
        for rtb, t in route_tables(endpoint, ids).items()
    }


def artifacts(endpoint: str, key: str) -> bytes:
    reg = registry()
    s3 = account_client(endpoint, reg.artifacts_account.name, "s3", reg.artifacts_region)
    return s3.get_object(Bucket=reg.artifacts_bucket, Key=key)["Body"].read()


def artifact_keys(endpoint: str, prefix: str) -> list[str]:
    reg = registry()
    s3 = account_client(endpoint, reg.artifacts_account.name, "s3", reg.artifacts_region)
    return [
        o["Key"] for o in s3.list_objects_v2(Bucket=reg.artifacts_bucket, Prefix=prefix).get("Contents", [])
    ]


def latest_report(endpoint: str) -> str:
    latest = json.loads(artifacts(endpoint, "drills/nat_chaos_quarterly/latest.json"))
    return artifacts(endpoint, latest["report"].split("/", 3)[3]).decode()


def evidence_of(endpoint: str, dag_run) -> dict:
    latest = json.loads(artifacts(endpoint, "drills/nat_chaos_quarterly/latest.json"))
    assert latest["run_id"] == dag_run.run_id
    key = latest["evidence"].split("/", 3)[3]
    return json.loads(artifacts(endpoint, key))


def subjects(endpoint: str) -> list[str]:
    return [n["subject"] for n in read_notifications(endpoint)]


# A quarterly run time, outside every blocked window, so the tests do not depend on today's date.
RUN_AT = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)


def drill(conf: dict | None = None, answer: str | None = "Approve", logical_date: datetime = RUN_AT):
    answers = {"approve": answer} if answer else None
    return run_dag(
        DAG_ID, conf={"hold_seconds": 1, **(conf or {})}, answers=answers, logical_date=logical_date
    )


def mutating_requests(recording) -> list[str]:
    """Every recorded request that is not a read (query and JSON protocols, and REST by method)."""
    out = []
    for request in read_requests(recording):
        if request.action:
            if not request.action.startswith(READ_ONLY):
                out.append(request.action)
        elif request.method not in {"GET", "HEAD"}:
            out.append(f"{request.method} {request.url}")
    return out


def test_drill_cuts_the_routes_restores_them_and_reports(world):
    endpoint = world["endpoint"]
    dag_run = drill()
    states = task_states(dag_run)
    assert {
        k: states[k] for k in ("cut_nat_egress", "await_failover", "hold_fault", "rollback", "report")
    } == dict.fromkeys(("cut_nat_egress", "await_failover", "hold_fault", "rollback", "report"), "success"), (
        states
    )
    evidence = evidence_of(endpoint, dag_run)
    assert evidence["verdict"] == "passed", evidence["summary"]
    # the routes were really cut: the fault's calls, one DeleteRoute per table, each with a request id
    deletes = [c for c in evidence["calls"] if c["action"] == "DeleteRoute"]
    assert sorted(c["params"]["RouteTableId"] for c in deletes) == sorted(world["tables"])
    assert all(c["request_id"] for c in evidence["calls"])
    creates = [c for c in evidence["calls"] if c["action"] == "CreateRoute"]
    assert {c["params"]["NatGatewayId"] for c in creates} == {world["nat"]}
    assert evidence["rollback"]["verified"] is True and evidence["rollback"]["differences"] == []
    assert default_routes(endpoint, world["tables"]) == dict.fromkeys(world["tables"], world["nat"])
    # RTO: fault injected -> the primary health-check alarm in ALARM (the double waits 1 s)
    rto = evidence["measured"]["rto_seconds"]
    assert 0.9 <= rto <= evidence["objectives"]["rto_seconds"] and evidence["measured"]["rto_met"] is True
    events = [t["event"] for t in evidence["timeline"]]
    for needed in (
        "fault injected",
        "recovery observed",
        "rollback started",
        "rollback verified",
        "steady state regained",
    ):
        assert needed in events, events
    assert evidence["approved"]["chosen"] == ["Approve"]
    html = latest_report(endpoint)
    assert "<svg" in html and "PASSED" in html and "fault injected" in html and "<script" not in html
    before = json.loads(
        artifacts(endpoint, run_prefix("nat_chaos_quarterly", dag_run.run_id) + "before.json")
    )
    assert sorted(before) == sorted(world["tables"])
    sent = subjects(endpoint)
    assert "[DRILL] nat_chaos_quarterly started" in sent and "[DRILL] nat_chaos_quarterly passed" in sent


@pytest.mark.parametrize(
    ("scenario", "stop_alarm"),
    [
        # the double turns the secondary health-check alarm with the primary's: the standby is down
        ("standby-fails", "health_check"),
        # the double turns the secondary error-rate alarm: the standby is up but fails its traffic
        ("standby-errors", "error_rate"),
    ],
)
def test_stop_alarm_mid_drill_aborts_and_rolls_back(world, scenario, stop_alarm):
    endpoint = world["endpoint"]
    set_scenario(endpoint, scenario)
    dag_run = drill()
    states = task_states(dag_run)
    assert states["await_failover"] == "success" and states["hold_fault"] == "skipped", states
    assert states["rollback"] == "success" and states["report"] == "failed", states
    evidence = evidence_of(endpoint, dag_run)
    assert evidence["verdict"] == "aborted"
    stop = evidence["stop_condition"]
    alarm = world["contract"]["alarms"][stop_alarm]["secondary"]
    assert stop["alarm"] == alarm and alarm in stop["condition"]
    assert stop["alarm_ref"] == f"{stop_alarm}.secondary", stop
    # seen within 30 s of the alarm's own state change, and the rollback started after it
    assert 0 <= stop["detected_at"] - stop["changed_at"] < 30
    assert evidence["rollback"]["started_at"] >= stop["detected_at"]
    assert default_routes(endpoint, world["tables"]) == dict.fromkeys(world["tables"], world["nat"])
    sent = subjects(endpoint)
    assert any(s.startswith("[DRILL] nat_chaos_quarterly aborted") for s in sent), sent


def test_error_rate_alarms_are_metric_math_over_each_regions_ingress(world):
    """The stack's error-rate alarms, as applied: the steady-state probes and stop condition above."""
    endpoint, contract = world["endpoint"], world["contract"]
    wired = registry().stack("dr-platform").vars["ingress_error_rate"]
    for role, region in (("primary", PRIMARY), ("secondary", SECONDARY)):
        name = contract["alarms"]["error_rate"][role]
        assert contract["alarms"]["regions"]["error_rate"][role] == region
        cloudwatch = account_client(endpoint, "dr", "cloudwatch", region)
        [alarm] = cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"]
        assert alarm["TreatMissingData"] == "notBreaching" and alarm["Threshold"] == 5
        queries = {q["Id"]: q for q in alarm["Metrics"]}
        assert queries["rate"]["Expression"] == "IF(requests >= 50, 100 * FILL(errors, 0) / requests)"
        assert [q["Id"] for q in alarm["Metrics"] if q.get("ReturnData", True)] == ["rate"]
        for query_id, metric_name in (("errors", "HTTPCode_Target_5XX_Count"), ("requests", "RequestCount")):
            metric = queries[query_id]["MetricStat"]["Metric"]
            assert (metric["Namespace"], metric["MetricName"]) == ("AWS/ApplicationELB", metric_name)
            assert metric["Dimensions"] == [{"Name": "LoadBalancer", "Value": wired[f"{role}_load_balancer"]}]
        for ssm_region in (PRIMARY, SECONDARY):
            parameter = f"/platform/dr/drill-targets/platform-dr/alarms/error-rate/{role}"
            client = account_client(endpoint, "dr", "ssm", ssm_region)
            assert client.get_parameter(Name=parameter)["Parameter"]["Value"] == name


def test_rollback_failing_once_is_retried(world):
    endpoint = world["endpoint"]
    set_scenario(endpoint, "failover,refuse-restore:1")
    dag_run = drill()
    evidence = evidence_of(endpoint, dag_run)
    assert task_states(dag_run)["rollback"] == "success"
    assert evidence["rollback"]["attempts"] == 2 and evidence["rollback"]["verified"] is True
    assert "UnauthorizedOperation" in evidence["rollback"]["errors"][0]["error"]
    assert evidence["verdict"] == "passed"


def test_rollback_failing_for_good_sends_an_incident(world):
    endpoint = world["endpoint"]
    set_scenario(endpoint, "failover,refuse-restore:always")
    dag_run = drill()
    try:
        states = task_states(dag_run)
        assert states["rollback"] == "failed" and states["report"] == "failed", states
        evidence = evidence_of(endpoint, dag_run)
        assert evidence["verdict"] == "rollback_failed"
        assert evidence["rollback"]["verified"] is False and evidence["rollback"]["attempts"] == 3
        assert any("NatGatewayId" in d for d in evidence["rollback"]["differences"])
        sent = subjects(endpoint)
        assert "[INCIDENT] nat_chaos_quarterly: rollback failed, targets NOT restored" in sent, sent
        assert "FAILED after 3 attempt(s)" in latest_report(endpoint)
    finally:  # put the routes back by hand, as the incident notice says
        set_scenario(endpoint, "failover")
        for rtb, nat in default_routes(endpoint, world["tables"]).items():
            if nat is None:
                ec2(endpoint).create_route(
                    RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=world["nat"]
                )


def test_dry_run_makes_no_mutating_call(world):
    endpoint = world["endpoint"]
    _request(f"{endpoint}/moto-api/recorder/reset-recording", {})
    dag_run = drill({"dry_run": True}, answer=None)
    mutating = mutating_requests(world["recording"])
    states = task_states(dag_run)
    assert (
        states["dry_run"] == "success"
        and states["approve"] == "skipped"
        and states["record_state"] == "skipped"
    )
    assert mutating == [], mutating
    assert world["recording"].read_text(), "the request log recorded the dry run's reads"


def test_more_targets_than_allowed_are_refused(world):
    endpoint = world["endpoint"]
    client = ec2(endpoint)
    vpc = world["contract"]["network"]["primary"]["vpc_id"]
    tags = [{"Key": "DrillEligible", "Value": "true"}, {"Key": "DrillScope", "Value": "platform-dr"}]
    extra = client.create_route_table(
        VpcId=vpc, TagSpecifications=[{"ResourceType": "route-table", "Tags": tags}]
    )
    extra_id = extra["RouteTable"]["RouteTableId"]
    client.create_route(RouteTableId=extra_id, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=world["nat"])
    try:
        dag_run = drill(answer=None)
        states = task_states(dag_run)
        assert states["preflight"] == "failed" and states["record_state"] == "upstream_failed", states
        assert "4 route tables" in "".join(read_notifications(endpoint)[0]["message"].splitlines())
    finally:
        client.delete_route(RouteTableId=extra_id, DestinationCidrBlock="0.0.0.0/0")
        client.delete_route_table(RouteTableId=extra_id)


def test_untagged_route_table_is_refused(world):
    """The preflight task's body alone (the DAG run of a refusal is the test above)."""
    from platform_ops.drills.spec import DrillRefused
    from platform_ops.drills.steps import preflight

    endpoint = world["endpoint"]
    victim = world["tables"][1]
    ec2(endpoint).delete_tags(Resources=[victim], Tags=[{"Key": "DrillScope"}])
    try:
        with pytest.raises(DrillRefused, match=f"route table {victim} lacks the drill tags"):
            preflight("nat_chaos_quarterly", {"dry_run": False}, RUN_AT)
    finally:
        ec2(endpoint).create_tags(Resources=[victim], Tags=[{"Key": "DrillScope", "Value": "platform-dr"}])


def test_run_inside_a_blocked_window_is_refused_with_its_name(world):
    endpoint = world["endpoint"]
    dag_run = drill(answer=None, logical_date=datetime(2027, 3, 31, 10, 0, tzinfo=UTC))
    assert task_states(dag_run)["preflight"] == "failed"
    message = read_notifications(endpoint)[0]["message"]
    assert "blocked window 'month-end-close'" in message


def test_rejected_approval_changes_nothing(world):
    endpoint = world["endpoint"]
    dag_run = drill(answer="Reject")
    states = task_states(dag_run)
    assert states["approve"] == "success" and states["record_state"] == "skipped", states
    assert states["cut_nat_egress"] == "skipped" and states["rollback"] == "skipped", states
    assert artifact_keys(endpoint, run_prefix("nat_chaos_quarterly", dag_run.run_id)) == []
    assert default_routes(endpoint, world["tables"]) == dict.fromkeys(world["tables"], world["nat"])
