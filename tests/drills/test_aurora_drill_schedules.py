"""The schedules of the two Aurora drills, computed independently of cron (no AWS)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest


def nth_wednesdays(start: date, months: tuple[int, ...], nth: int, count: int) -> list[date]:
    """The nth Wednesday of the given months: the Wednesday among days 7(n-1)+1 .. 7n."""
    out, day = [], start
    while len(out) < count:
        if day.month in months and 7 * (nth - 1) < day.day <= 7 * nth and day.weekday() == 2:
            out.append(day)
        day += timedelta(days=1)
    return out


@pytest.mark.parametrize(
    ("dag_id", "months", "nth", "naive_cron"),
    [
        ("dr_aurora_switchover_semiannual", (3, 9), 1, "0 10 1-7 3,9 3"),
        ("dr_region_loss_yearly", (11,), 2, "0 10 8-14 11 3"),
    ],
)
def test_next_four_runs(airflow_db, dag_id, months, nth, naive_cron):
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import TimeRestriction
    from croniter import croniter

    from tests.dagrun import load_dag

    timetable = coerce_to_core_timetable(load_dag(dag_id).timetable)
    assert type(timetable).__name__ == "CronTriggerTimetable"
    start = datetime(2026, 12, 1, tzinfo=UTC)
    runs, last = [], None
    for _ in range(4):
        info = timetable.next_dagrun_info(
            last_automated_data_interval=last,
            restriction=TimeRestriction(earliest=start, latest=None, catchup=False),
        )
        runs.append(info.run_after)
        last = info.data_interval
    assert [r.date() for r in runs] == nth_wednesdays(start.date(), months, nth, 4)
    assert {(r.hour, r.minute, r.utcoffset()) for r in runs} == {(10, 0, timedelta(0))}
    # the cron a person writes first ORs day-of-month and day-of-week: it fires on other weekdays too
    naive = croniter(naive_cron, start)
    assert any(naive.get_next(datetime).weekday() != 2 for _ in range(8))


def test_the_semiannual_runs_are_outside_its_blocked_window():
    """The first Wednesday is often the 1st-3rd: the month-end close would refuse it; the SOX run does not."""
    from platform_ops.drills.spec import load_spec, window_at

    spec = load_spec("aurora_switchover_semiannual")
    for day in nth_wednesdays(date(2026, 12, 1), (3, 9), 1, 8):
        assert window_at(spec, datetime(day.year, day.month, day.day, 10, tzinfo=UTC)) is None
    assert window_at(spec, datetime(2027, 3, 3, 6, 30, tzinfo=UTC))["name"] == "sox-pg01-run"
