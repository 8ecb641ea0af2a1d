"""Retention, windows and names of rds_snapshots as plain functions (no AWS, no Airflow)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from platform_ops.snapshots import naming, windows
from platform_ops.snapshots.retention import SnapshotInfo, plan_retention


def _daily(first: datetime, days: int, **kw) -> list[SnapshotInfo]:
    return [
        SnapshotInfo(f"s{(first + timedelta(days=i)):%Y%m%d}", first + timedelta(days=i), **kw)
        for i in range(days)
    ]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_keeps_last_n_days_and_the_first_of_the_last_m_months():
    snaps = _daily(at("2026-01-20T05:30"), 50)  # 20 Jan .. 10 Mar
    plan = plan_retention(snaps, keep_daily=3, keep_monthly=2, copy_verified=True)
    assert {k for k, why in plan.keep.items() if why == "daily"} == {"s20260308", "s20260309", "s20260310"}
    # the months kept are March and February, each by its first snapshot; January's goes
    assert {k for k, why in plan.keep.items() if why == "monthly"} == {"s20260301", "s20260201"}
    assert "s20260120" in plan.delete and len(plan.delete) == 50 - 5


def test_month_boundary_is_utc_and_the_months_first_snapshot_is_its_keeper():
    snaps = [
        SnapshotInfo("jan-last", at("2026-01-31T23:59")),
        SnapshotInfo("feb-first", at("2026-02-01T00:01")),
        SnapshotInfo("feb-later", at("2026-02-01T05:30")),
        SnapshotInfo("feb-2nd", at("2026-02-02T05:30")),
    ]
    plan = plan_retention(snaps, keep_daily=1, keep_monthly=2, copy_verified=True)
    assert plan.keep == {"feb-2nd": "daily", "feb-first": "monthly", "jan-last": "monthly"}
    assert plan.delete == ["feb-later"]  # same month and day as feb-first, neither daily nor first


def test_the_newest_of_a_day_is_its_daily_keeper():
    snaps = [SnapshotInfo("early", at("2026-03-05T01:00")), SnapshotInfo("late", at("2026-03-05T23:00"))]
    assert plan_retention(snaps, 1, 0, True).delete == ["early"]


def test_keep_tag_shared_foreign_and_unfinished_snapshots_are_never_deleted():
    old = at("2025-01-01T05:30")
    snaps = [
        SnapshotInfo("tagged", old, kept=True),
        SnapshotInfo("shared", old + timedelta(days=1), shared_with=("999999999999",)),
        SnapshotInfo("public", old + timedelta(days=2), shared_with=("all",)),
        SnapshotInfo("by-hand", old + timedelta(days=3), managed=False),
        SnapshotInfo("copying", old + timedelta(days=4), status="creating"),
        SnapshotInfo("plain", old + timedelta(days=5)),
        *_daily(at("2026-06-01T05:30"), 2),
    ]
    plan = plan_retention(snaps, keep_daily=2, keep_monthly=0, copy_verified=True)
    assert plan.delete == ["plain"]
    assert plan.keep["tagged"] == "tagged keep" and plan.keep["shared"] == "shared with 999999999999"
    assert plan.keep["public"] == "shared with all" and plan.keep["by-hand"] == "not made by rds_snapshots"
    assert plan.keep["copying"] == "status creating"


def test_a_failed_copy_deletes_none_of_the_older_snapshots():
    snaps = _daily(at("2026-04-01T05:30"), 20)
    assert len(plan_retention(snaps, 3, 1, copy_verified=True).delete) == 16
    failed = plan_retention(snaps, 3, 1, copy_verified=False)
    assert failed.delete == [] and len(failed.keep) == 20


def test_a_snapshot_still_creating_is_not_counted_as_a_daily_keeper():
    snaps = [
        *_daily(at("2026-05-01T05:30"), 3),
        SnapshotInfo("today", at("2026-05-04T05:30"), status="creating"),
    ]
    plan = plan_retention(snaps, keep_daily=2, keep_monthly=0, copy_verified=True)
    assert plan.delete == ["s20260501"]  # 02 and 03 are the two newest available days


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-11-29T04:30", "2026-11-29T05:00"),  # Sunday, inside the maintenance window
        ("2026-11-30T03:10", "2026-11-30T03:59"),  # Monday, inside the backup window
        ("2026-11-30T05:30", "2026-11-30T05:30"),  # the schedule: every window closed
        ("2026-11-29T03:30", "2026-11-29T05:00"),  # a 1-minute gap to maintenance is no gap
        ("2026-11-30T02:50", "2026-11-30T03:59"),  # 10 minutes before the backup window opens
    ],
)
def test_clear_at_waits_for_every_window_of_the_database(now, expected):
    pair = ("03:00-03:59", "sun:04:00-sun:05:00")
    assert windows.clear_at(at(now), [pair]) == at(expected)


def test_windows_that_cross_midnight_and_the_weeks_end():
    assert windows.clear_at(at("2026-12-01T00:10"), [("23:30-00:30", None)]) == at("2026-12-01T00:30")
    # Sunday 23:00 to Monday 01:00 (2026-11-30 is a Monday)
    assert windows.clear_at(at("2026-11-30T00:15"), [(None, "sun:23:00-mon:01:00")]) == at("2026-11-30T01:00")


def test_snapshot_names_are_valid_rds_identifiers_and_stable_per_run():
    name = naming.snapshot_name("Prod--db_01", "manual__2026-12-01T10:00:00+00:00", date(2026, 12, 1))
    assert name.startswith("po-Prod-db-01-20261201-") and "--" not in name and not name.endswith("-")
    assert name == naming.snapshot_name("Prod--db_01", "manual__2026-12-01T10:00:00+00:00", date(2026, 12, 1))
    assert name != naming.snapshot_name("Prod--db_01", "manual__2026-12-01T11:00:00+00:00", date(2026, 12, 1))
    assert len(naming.snapshot_name("a" * 300, "r", date(2026, 1, 1))) <= 255
