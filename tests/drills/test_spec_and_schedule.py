"""Drill specs, blocked windows, the quarterly schedule and the report page (no AWS)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from platform_ops.drills import nat
from platform_ops.drills.report import build_evidence, render_html
from platform_ops.drills.spec import (
    DrillRefused,
    SpecError,
    load_spec,
    refuse_in_window,
    refuse_late_scheduled_start,
    window_at,
)

SPEC = load_spec("nat_chaos_quarterly")


def second_tuesdays(start: date, count: int) -> list[date]:
    """Computed independently of cron: the Tuesday among the 8th-14th of Jan/Apr/Jul/Oct."""
    out, day = [], start
    while len(out) < count:
        if day.month in (1, 4, 7, 10) and 8 <= day.day <= 14 and day.weekday() == 1:
            out.append(day)
        day += timedelta(days=1)
    return out


def test_next_eight_runs_are_the_second_tuesdays_at_10_utc(airflow_db):
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import TimeRestriction

    from tests.dagrun import load_dag

    timetable = coerce_to_core_timetable(load_dag("dr_chaos_nat_quarterly").timetable)
    assert type(timetable).__name__ == "CronTriggerTimetable"
    start = datetime(2026, 12, 1, tzinfo=UTC)
    runs, last = [], None
    for _ in range(8):
        info = timetable.next_dagrun_info(
            last_automated_data_interval=last,
            restriction=TimeRestriction(earliest=start, latest=None, catchup=False),
        )
        runs.append(info.run_after)
        last = info.data_interval
    assert [r.date() for r in runs] == second_tuesdays(start.date(), 8)
    assert {(r.hour, r.minute, r.utcoffset()) for r in runs} == {(10, 0, timedelta(0))}
    # the cron a person would write first ORs its day fields: it also fires on the 8th-14th of any weekday
    from croniter import croniter

    naive = croniter("0 10 8-14 1,4,7,10 2", start)
    assert any(naive.get_next(datetime).weekday() != 1 for _ in range(8))


def test_spec_is_validated_at_parse_time(tmp_path):
    raw = json.loads(SPEC.path.read_text())
    raw["stop_conditions"]["alarms"] = [f"health_check.a{i}" for i in range(6)]  # FIS allows 5
    bad = tmp_path / "too_many_alarms.json"
    bad.write_text(json.dumps(raw))
    with pytest.raises(SpecError, match="stop_conditions/alarms"):
        load_spec(bad)
    raw = json.loads(SPEC.path.read_text())
    raw["method"] = raw["method"][1:]  # no fault injection first
    bad.write_text(json.dumps(raw))
    with pytest.raises(SpecError, match="starts with its one fault injection"):
        load_spec(bad)
    with pytest.raises(SpecError, match="does not exist"):
        load_spec("no_such_drill")


@pytest.mark.parametrize(
    ("moment", "blocked"),
    [
        ("2027-03-31T10:00", True),  # last day of the month
        ("2027-04-03T11:59", True),  # sox_pg01_monthly's day
        ("2027-04-03T12:00", False),
        ("2027-04-13T10:00", False),  # the scheduled run
        ("2027-02-28T00:00", True),  # a short month's last day
        ("2027-02-27T23:59", False),
    ],
)
def test_month_end_close_window(moment, blocked):
    at = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    assert (window_at(SPEC, at) is not None) is blocked
    if blocked:
        with pytest.raises(DrillRefused, match="blocked window 'month-end-close'"):
            refuse_in_window(SPEC, {"now": at})


def _table(nat_id: str | None, tag: str = "x") -> dict:
    routes = [{"DestinationCidrBlock": "10.10.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable"}]
    if nat_id:
        routes.append({"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": nat_id, "Origin": "CreateRoute"})
    return {"RouteTableId": "rtb-1", "Routes": routes, "Tags": [{"Key": "Name", "Value": tag}]}


def test_differences_are_attribute_by_attribute():
    before = {"rtb-1": _table("nat-1")}
    assert nat.differences(before, {"rtb-1": _table("nat-1")}) == []
    diffs = nat.differences(before, {"rtb-1": _table("nat-2", tag="y")})
    assert "rtb-1: Routes[0.0.0.0/0].NatGatewayId: 'nat-1' → 'nat-2'" in diffs
    assert "rtb-1: Tags[Name].Value: 'x' → 'y'" in diffs
    assert any("(absent)" in d for d in nat.differences(before, {"rtb-1": _table(None)}))


def test_report_page_is_self_contained_with_an_svg_timeline():
    plan = {"blast_radius_text": "account dr", "resolved": {"route_table_ids": ["rtb-1"]}, "steady_state": []}
    record = {"recorded_at": 1000.0}
    fault = {
        "fault_injected_at": 1001.0,
        "calls": [{"action": "DeleteRoute", "params": {"RouteTableId": "rtb-1"}, "request_id": "r1"}],
    }
    steps = [
        {
            "step": "await_failover",
            "ended": "recovered",
            "changed_at": 1031.0,
            "detected_at": 1032.0,
            "probes": [],
        }
    ]
    rollback = {
        "started_at": 1100.0,
        "verified": True,
        "verified_at": 1101.0,
        "steady_state_regained_at": 1110.0,
        "attempts": 1,
    }
    evidence = build_evidence(
        SPEC, plan, {"chosen_options": ["Approve"]}, record, fault, steps, rollback, "manual__1"
    )
    assert evidence["verdict"] == "passed" and evidence["measured"]["rto_seconds"] == 30.0
    html = render_html(evidence)
    assert "<svg" in html and "RTO objective 300 s" in html and "PASSED" in html
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    late = [{**steps[0], "changed_at": 1001.0 + 301}]
    assert (
        build_evidence(SPEC, plan, None, record, fault, late, rollback, "r")["verdict"] == "objective_missed"
    )
    stopped = [
        {
            "step": "await_failover",
            "ended": "stop",
            "condition": "stop alarm x",
            "changed_at": 1010.0,
            "detected_at": 1011.0,
        }
    ]
    assert build_evidence(SPEC, plan, None, record, fault, stopped, rollback, "r")["verdict"] == "aborted"
    assert (
        build_evidence(SPEC, plan, None, record, fault, steps, {**rollback, "verified": False}, "r")[
            "verdict"
        ]
        == "rollback_failed"
    )


@pytest.mark.parametrize(
    "dag_id", ["dr_chaos_nat_quarterly", "dr_aurora_switchover_semiannual", "dr_region_loss_yearly"]
)
def test_unpausing_a_drill_long_after_its_slot_does_not_start_it(airflow_db, dag_id):
    """With catchup off the scheduler proposes the latest past slot at once; the preflight refuses it."""
    from airflow.sdk.api.datamodels._generated import DagRunType  # what a task's dag_run.run_type is
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import TimeRestriction

    from tests.dagrun import load_dag

    dag = load_dag(dag_id)
    timetable = coerce_to_core_timetable(dag.timetable)
    now = datetime.now(UTC)
    info = timetable.next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(earliest=dag.start_date, latest=None, catchup=dag.catchup),
    )
    assert info.run_after < now, "the scheduler would start the latest past slot on unpause"
    spec = load_spec(SPEC_OF[dag_id])
    if now - info.run_after > timedelta(hours=1):
        with pytest.raises(DrillRefused, match="trigger it manually"):
            refuse_late_scheduled_start(spec, DagRunType.SCHEDULED, info.run_after, now)
    refuse_late_scheduled_start(spec, DagRunType.MANUAL, info.run_after, now)  # a manual run is never late


SPEC_OF = {
    "dr_chaos_nat_quarterly": "nat_chaos_quarterly",
    "dr_aurora_switchover_semiannual": "aurora_switchover_semiannual",
    "dr_region_loss_yearly": "region_loss_yearly",
}


@pytest.mark.parametrize(
    ("late", "refused"),
    [(timedelta(0), False), (timedelta(minutes=59), False), (timedelta(hours=1, seconds=1), True)],
)
def test_a_scheduled_drill_may_start_up_to_an_hour_after_its_slot(late, refused):
    slot = datetime(2027, 1, 12, 10, tzinfo=UTC)
    if refused:
        with pytest.raises(DrillRefused, match=r"scheduled time 2027-01-12T10:00:00\+00:00 was 1 h ago"):
            refuse_late_scheduled_start(SPEC, "scheduled", slot, slot + late)
    else:
        refuse_late_scheduled_start(SPEC, "scheduled", slot, slot + late)
