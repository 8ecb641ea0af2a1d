"""dag.test() runs of dr_region_loss_yearly against the local AWS (``tests/dags/drill_world``).

The same world as the half-yearly Aurora drill (dr-platform applied by terraform with Aurora off,
the global database made in the local AWS and published in the stack's contract). The local AWS
plays Route 53 (``moto_route53_health``: an inverted health check is unhealthy, its
HealthCheckStatus alarm turns after 1 s, TestDNSAnswer follows the failover records) and Aurora
(``moto_aurora_global``). Every test leaves the health check, DNS and the writer as they were.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from platform_ops.local import drill_aurora
from platform_ops.local.clients import account_client
from platform_ops.local.seed import read_notifications
from platform_ops.local.server import _request

from tests.dagrun import run_dag, task_states
from tests.dags.drill_world import (
    bring_writer_home,
    errors_while_away,
    evidence_of,
    report_html,
    reset_scenarios,
    world_with_its_environment,
    writer_region,
)
from tests.dags.test_dr_chaos_nat_quarterly import mutating_requests

DAG_ID = "dr_region_loss_yearly"
DRILL = "region_loss_yearly"
HOME, AWAY = "eu-west-1", "us-east-1"
# The second Wednesday of November, outside the month-end close
RUN_AT = datetime(2027, 11, 10, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def world(request, tmp_path_factory, airflow_db):
    yield from world_with_its_environment(request.config, tmp_path_factory)


def dns_now(world: dict) -> list[str]:
    dns = world["contract"]["route53"]
    route53 = account_client(world["endpoint"], "dr", "route53")
    answer = route53.test_dns_answer(
        HostedZoneId=dns["zone_id"], RecordName=dns["record_name"], RecordType="CNAME"
    )
    return answer["RecordData"]


def primary_inverted(world: dict) -> bool:
    check = world["contract"]["route53"]["health_check_ids"]["primary"]
    route53 = account_client(world["endpoint"], "dr", "route53")
    return route53.get_health_check(HealthCheckId=check)["HealthCheck"]["HealthCheckConfig"]["Inverted"]


@pytest.fixture
def drill_world(world):
    reset_scenarios(world["endpoint"])
    read_notifications(world["endpoint"])
    home = [world["contract"]["route53"]["targets"]["primary"]]
    assert writer_region(world) == HOME and dns_now(world) == home and not primary_inverted(world)
    yield world
    assert writer_region(world) == HOME, "the test left the writer away from home"
    assert dns_now(world) == home and not primary_inverted(world), "the test left DNS failed over"


def drill(conf: dict | None = None, answers: dict | None = None):
    if answers is None:
        answers = {"approve": "Approve"}
    return run_dag(
        DAG_ID, conf={"hold_seconds": 1, **(conf or {})}, answers=answers or None, logical_date=RUN_AT
    )


def test_region_loss_fails_dns_over_promotes_aurora_and_fails_back(drill_world):
    endpoint = drill_world["endpoint"]
    dag_run = drill()
    states = task_states(dag_run)
    for task_id in ("lose_primary_region", "await_dns_failover", "promote_secondary", "hold_region_lost",
                    "rollback", "report"):  # fmt: skip
        assert states[task_id] == "success", states
    assert states["approve_data_loss"] == "skipped"
    evidence = evidence_of(endpoint, DRILL, dag_run)
    assert evidence["verdict"] == "passed", evidence["summary"]
    measured = evidence["measured"]
    assert (
        0 < measured["dns_switch_seconds"] <= measured["rto_seconds"] <= evidence["objectives"]["rto_seconds"]
    )
    assert measured["rpo_seconds"] == 0.0 and measured["rpo_marker_found"] is True
    calls = [(c["action"], c["params"].get("Inverted", c["params"].get("TargetDbClusterIdentifier", "").split(":")[3:4]))
             for c in evidence["calls"]]  # fmt: skip
    assert calls == [("UpdateHealthCheck", True), ("SwitchoverGlobalCluster", [AWAY]),
                     ("UpdateHealthCheck", False), ("SwitchoverGlobalCluster", [HOME])], calls  # fmt: skip
    events = [t["event"] for t in evidence["timeline"]]
    # every transition of a Region switch; the alarm is detection, it may come before or after DNS
    assert "alarm fired: primary health check" in events, events
    order = ["fault injected", "DNS switched to the secondary", "writer available in the new Region",
             "first write accepted", "DNS answers the primary again", "alarms back to OK"]  # fmt: skip
    assert [e for e in events if e in order] == order, events
    assert evidence["not_simulated"] and "latency" in evidence["not_simulated"][0]
    assert "Trend across runs" in report_html(endpoint, DRILL)


def test_stop_alarm_mid_drill_aborts_and_the_rollback_restores_dns_and_the_writer(drill_world):
    endpoint = drill_world["endpoint"]

    answer = errors_while_away(drill_world)
    dag_run = drill({"hold_seconds": 600})
    answer.join(timeout=300)
    states = task_states(dag_run)
    assert states["rollback"] == "success" and states["report"] == "failed", states
    evidence = evidence_of(endpoint, DRILL, dag_run)
    assert (
        evidence["verdict"] == "aborted" and evidence["stop_condition"]["alarm_ref"] == "error_rate.secondary"
    )
    assert evidence["rollback"]["verified"] is True
    assert dns_now(drill_world) == [drill_world["contract"]["route53"]["targets"]["primary"]]
    assert writer_region(drill_world) == HOME and not primary_inverted(drill_world)


def test_failed_fail_back_sends_an_incident_and_the_report_marks_it(drill_world):
    endpoint = drill_world["endpoint"]
    drill_aurora.set_knob(endpoint, "scenario", f"refuse-switchover-to:{HOME}")
    try:
        dag_run = drill()
        states = task_states(dag_run)
        assert states["rollback"] == "failed" and states["report"] == "failed", states
        evidence = evidence_of(endpoint, DRILL, dag_run)
        assert evidence["verdict"] == "rollback_failed"
        subjects = [n["subject"] for n in read_notifications(endpoint)]
        assert f"[INCIDENT] {DRILL}: rollback failed, targets NOT restored" in subjects
        assert "FAILED after 3 attempt(s)" in report_html(endpoint, DRILL)
        assert not primary_inverted(drill_world)  # the health check came back; Aurora did not
    finally:  # bring the writer home by hand, as the incident notice says
        bring_writer_home(drill_world)


def test_dry_run_makes_no_mutating_call(drill_world):
    _request(f"{drill_world['endpoint']}/moto-api/recorder/reset-recording", {})
    dag_run = drill({"dry_run": True}, answers={})
    states = task_states(dag_run)
    assert states["dry_run"] == "success" and states["record_state"] == "skipped", states
    assert mutating_requests(drill_world["recording"]) == []


def test_rejected_approval_changes_nothing(drill_world):
    _request(f"{drill_world['endpoint']}/moto-api/recorder/reset-recording", {})
    dag_run = drill(answers={"approve": "Reject"})
    states = task_states(dag_run)
    assert states["record_state"] == "skipped" and states["lose_primary_region"] == "skipped", states
    assert not any(a in ("UpdateHealthCheck", "SwitchoverGlobalCluster", "FailoverGlobalCluster", "ExecuteStatement")
                   or "healthcheck" in a for a in mutating_requests(drill_world["recording"]))  # fmt: skip


def test_data_loss_failover_without_its_second_approval_is_refused(drill_world):
    _request(f"{drill_world['endpoint']}/moto-api/recorder/reset-recording", {})
    dag_run = drill({"allow_data_loss": True}, answers={"approve": "Approve", "approve_data_loss": "Reject"})
    states = task_states(dag_run)
    assert states["approve_data_loss"] == "success" and states["record_state"] == "skipped", states
    assert states["promote_secondary"] == "skipped", states
    recorded = mutating_requests(drill_world["recording"])
    assert not any("Failover" in a or "Switchover" in a or "healthcheck" in a for a in recorded), recorded


def test_promotion_refuses_a_data_loss_failover_without_the_approval():
    """The promote step's own check (defence in depth behind the DAG's second approval)."""
    from platform_ops.drills.region_loss import promote
    from platform_ops.drills.spec import DrillRefused

    with pytest.raises(DrillRefused, match="AllowDataLoss needs its own second approval"):
        promote(DRILL, {"allow_data_loss": True}, {}, {}, {"chosen_options": ["Reject"]})
