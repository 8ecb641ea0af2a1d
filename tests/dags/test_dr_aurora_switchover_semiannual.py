"""dag.test() runs of dr_aurora_switchover_semiannual against the local AWS (``tests/dags/drill_world``).

The world: dr-platform applied by terraform with Aurora off, the global database made in the
local AWS directly and published in the stack's drill_targets contract (see ``drill_world``); the
drill reads that contract as it reads it in AWS. ``platform_ops.local.moto_aurora_global`` plays
the switchover (``switch-seconds`` = 1 here), the Data API writes and the lag metric; a test that
needs the platform to answer (an error-rate alarm while the writer is away) sets the alarm itself,
on the condition it answers to. Every test leaves the writer home.
"""

from __future__ import annotations

import json

import pytest
from platform_ops.drills.evidence import run_prefix
from platform_ops.local import drill_aurora
from platform_ops.local.clients import account_client
from platform_ops.local.seed import read_notifications
from platform_ops.local.server import _request
from platform_ops.registry import registry

from tests.dagrun import run_dag, task_states
from tests.dags.drill_world import (
    bring_writer_home,
    errors_while_away,
    evidence_of,
    report_html,
    reset_scenarios,
    world_with_its_environment,
    writer_region,
)  # fmt: skip
from tests.dags.test_dr_chaos_nat_quarterly import RUN_AT, mutating_requests

DAG_ID = "dr_aurora_switchover_semiannual"
DRILL = "aurora_switchover_semiannual"
HOME, AWAY = "eu-west-1", "us-east-1"


@pytest.fixture(scope="module")
def world(request, tmp_path_factory, airflow_db):
    yield from world_with_its_environment(request.config, tmp_path_factory)


@pytest.fixture
def drill_world(world):
    reset_scenarios(world["endpoint"])
    read_notifications(world["endpoint"])
    assert writer_region(world) == HOME
    yield world
    assert writer_region(world) == HOME, "the test left the writer away from home"


def drill(conf: dict | None = None, answer: str | None = "Approve"):
    answers = {"approve": answer} if answer else None
    return run_dag(DAG_ID, conf={"hold_seconds": 1, **(conf or {})}, answers=answers, logical_date=RUN_AT)


def subjects(endpoint: str) -> list[dict]:
    return read_notifications(endpoint)


def store_earlier_run(endpoint: str, run_id: str, at: float, rto: float) -> None:
    reg = registry()
    s3 = account_client(endpoint, reg.artifacts_account.name, "s3", reg.artifacts_region)
    record = {"run_id": run_id, "verdict": "passed", "timeline": [{"event": "drill started", "at": at}],
              "measured": {"rto_seconds": rto, "rpo_seconds": 0.0}}  # fmt: skip
    s3.put_object(
        Bucket=reg.artifacts_bucket, Key=run_prefix(DRILL, run_id) + "evidence.json", Body=json.dumps(record)
    )


def test_switchover_and_back_measures_rto_rpo_and_trends_against_stored_runs(drill_world):
    endpoint = drill_world["endpoint"]
    store_earlier_run(endpoint, "scheduled__2026-03-04T10:00:00+00:00", 1_772_000_000.0, 999.0)
    store_earlier_run(endpoint, "scheduled__2025-09-03T10:00:00+00:00", 1_756_000_000.0, 5.0)
    dag_run = drill()
    states = task_states(dag_run)
    for task_id in ("record_state", "switchover_to_secondary", "hold_on_secondary", "rollback", "report"):
        assert states[task_id] == "success", states
    evidence = evidence_of(endpoint, DRILL, dag_run)
    assert evidence["verdict"] == "passed", evidence["summary"]
    measured = evidence["measured"]
    # RTO: from the switchover call until a write was accepted in us-east-1 (the double takes 1 s)
    assert 1.0 <= measured["rto_seconds"] <= evidence["objectives"]["rto_seconds"] and measured["rto_met"]
    assert (
        measured["rpo_seconds"] == 0.0
        and measured["rpo_marker_found"] is True
        and measured["lag_before_ms"] == 40
    )
    switches = [
        (c["action"], c["params"]["TargetDbClusterIdentifier"].split(":")[3]) for c in evidence["calls"]
    ]
    assert switches == [("SwitchoverGlobalCluster", AWAY), ("SwitchoverGlobalCluster", HOME)]
    [recovered] = [s for s in evidence["steps"] if s["step"] == "switchover_to_secondary"]
    assert recovered["reverse_replication"] == {"synchronization": "connected", "lag_ms": 40.0}
    seen = [(s["status"], s["failover_state"]) for s in recovered["switch"]["states"]]
    assert seen[0][0] == "switching-over" and seen[-1] == ("available", None), (
        seen
    )  # every state: tests/local
    events = [t["event"] for t in evidence["timeline"]]
    for needed in ("fault injected", "failover decision: switch called", "writer available in the new Region",
                   "first write accepted", "rollback verified", "steady state regained"):  # fmt: skip
        assert needed in events, events
    # the trend: the two stored runs, oldest first; this run against the newer one (999 s)
    trend = evidence["trend"]
    assert [r["rto_seconds"] for r in trend["runs"]] == [5.0, 999.0]
    assert (
        trend["previous"]["rto_seconds"]["value"] == 999.0 and trend["direction"]["rto_seconds"] == "better"
    )
    assert trend["direction"]["rpo_seconds"] == "same"
    html = report_html(endpoint, DRILL)
    assert "Trend across runs" in html and html.count("<svg") == 2 and "<script" not in html
    notices = {n["subject"]: n["message"] for n in subjects(endpoint)}
    assert f"[DRILL] {DRILL} started" in notices
    assert "better than the previous run's 999.0 s" in notices[f"[DRILL] {DRILL} passed"]


def test_stop_alarm_mid_drill_aborts_and_the_rollback_brings_the_writer_home(drill_world):
    endpoint = drill_world["endpoint"]

    answer = errors_while_away(drill_world)
    dag_run = drill({"hold_seconds": 600})
    answer.join(timeout=300)
    states = task_states(dag_run)
    assert states["hold_on_secondary"] == "success" and states["rollback"] == "success", states
    assert states["report"] == "failed", states
    evidence = evidence_of(endpoint, DRILL, dag_run)
    assert evidence["verdict"] == "aborted"
    stop = evidence["stop_condition"]
    assert stop["alarm_ref"] == "error_rate.secondary" and 0 <= stop["detected_at"] - stop["changed_at"] < 30
    assert (
        evidence["rollback"]["verified"] is True and evidence["rollback"]["started_at"] >= stop["detected_at"]
    )
    assert writer_region(drill_world) == HOME
    assert any(n["subject"].startswith(f"[DRILL] {DRILL} aborted") for n in subjects(endpoint))


def test_failed_rollback_sends_an_incident_and_the_report_marks_it(drill_world):
    endpoint = drill_world["endpoint"]
    drill_aurora.set_knob(endpoint, "scenario", f"refuse-switchover-to:{HOME}")
    try:
        dag_run = drill()
        states = task_states(dag_run)
        assert states["rollback"] == "failed" and states["report"] == "failed", states
        evidence = evidence_of(endpoint, DRILL, dag_run)
        assert evidence["verdict"] == "rollback_failed" and evidence["rollback"]["attempts"] == 3
        assert "InvalidDBClusterStateFault" in evidence["rollback"]["error"]
        notices = {n["subject"]: n["message"] for n in subjects(endpoint)}
        incident = notices[f"[INCIDENT] {DRILL}: rollback failed, targets NOT restored"]
        assert "aws rds switchover-global-cluster" in incident and f"--region {HOME}" in incident
        assert "FAILED after 3 attempt(s)" in report_html(endpoint, DRILL)
        assert writer_region(drill_world) == AWAY
    finally:  # bring the writer home by hand, as the incident notice says
        bring_writer_home(drill_world)


def test_dry_run_makes_no_mutating_call(drill_world):
    _request(f"{drill_world['endpoint']}/moto-api/recorder/reset-recording", {})
    dag_run = drill({"dry_run": True}, answer=None)
    states = task_states(dag_run)
    assert (
        states["dry_run"] == "success"
        and states["approve"] == "skipped"
        and states["record_state"] == "skipped"
    )
    assert mutating_requests(drill_world["recording"]) == []
    output = dag_run.get_task_instance("dry_run").xcom_pull(task_ids="dry_run")
    assert output["calls"]["inject"][0]["action"] == "SwitchoverGlobalCluster"


def test_rejected_approval_changes_nothing(drill_world):
    endpoint = drill_world["endpoint"]
    _request(f"{endpoint}/moto-api/recorder/reset-recording", {})
    dag_run = drill(answer="Reject")
    states = task_states(dag_run)
    assert states["record_state"] == "skipped" and states["switchover_to_secondary"] == "skipped", states
    assert states["rollback"] == "skipped", states
    assert not any(
        "Switchover" in a or "ExecuteStatement" in a for a in mutating_requests(drill_world["recording"])
    )


def test_a_parameter_group_that_differs_fails_before_any_change(drill_world):
    """The preflight's body (the DAG run of a refusal is the same task failing)."""
    from platform_ops.drills.aurora_steps import preflight
    from platform_ops.drills.spec import DrillRefused

    endpoint = drill_world["endpoint"]
    rds = account_client(endpoint, "dr", "rds", AWAY)
    group = "platform-dr-use1-cluster"
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=group, Parameters=[
        {"ParameterName": "log_min_duration_statement", "ParameterValue": "2000", "ApplyMethod": "immediate"}])  # fmt: skip
    try:
        with pytest.raises(DrillRefused, match="cluster parameter groups differ: log_min_duration_statement"):
            preflight(DRILL, {"dry_run": False}, RUN_AT)
    finally:
        rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=group, Parameters=[
            {"ParameterName": "log_min_duration_statement", "ParameterValue": "500", "ApplyMethod": "immediate"}])  # fmt: skip
    assert writer_region(drill_world) == HOME
