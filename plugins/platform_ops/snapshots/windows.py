"""RDS backup and maintenance windows: is a moment inside one, and when are they all closed.

Formats as RDS returns them (UTC): ``PreferredBackupWindow`` ``hh:mm-hh:mm`` (daily, may cross
midnight) and ``PreferredMaintenanceWindow`` ``ddd:hh:mm-ddd:hh:mm`` (weekly, may cross the
week's end). A snapshot taken inside either competes with the backup or a restart, so the DAG
waits until ``clear_at``: outside every window, and not within ``lead`` (15 minutes) of the next
one opening, so a snapshot does not start in a one-minute gap between two windows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _hm(text: str) -> timedelta:
    hours, minutes = text.split(":")
    return timedelta(hours=int(hours), minutes=int(minutes))


def _daily(window: str, now: datetime) -> list[tuple[datetime, datetime]]:
    start_text, end_text = window.split("-")
    start, end = _hm(start_text), _hm(end_text)
    if end <= start:
        end += timedelta(days=1)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return [(midnight + timedelta(days=d) + start, midnight + timedelta(days=d) + end) for d in (-1, 0, 1)]


def _weekly(window: str, now: datetime) -> list[tuple[datetime, datetime]]:
    start_text, end_text = window.lower().split("-")

    def offset(text: str) -> timedelta:
        day, rest = text.split(":", 1)
        return timedelta(days=DAYS.index(day)) + _hm(rest)

    start, end = offset(start_text), offset(end_text)
    if end <= start:
        end += timedelta(days=7)
    monday = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=now.weekday())
    return [(monday + timedelta(weeks=w) + start, monday + timedelta(weeks=w) + end) for w in (-1, 0, 1)]


def intervals(now: datetime, backup: str | None, maintenance: str | None) -> list[tuple[datetime, datetime]]:
    """The occurrences of both windows around ``now`` (the week before to the week after)."""
    now = now.astimezone(UTC)
    found = []
    if backup:
        found += _daily(backup, now)
    if maintenance:
        found += _weekly(maintenance, now)
    return sorted(found)


LEAD = timedelta(minutes=15)


def open_window(
    now: datetime, backup: str | None, maintenance: str | None, lead: timedelta = timedelta(0)
) -> tuple[datetime, datetime] | None:
    """The window occurrence ``now`` is inside (from ``lead`` before its start to its end), or None."""
    return next((w for w in intervals(now, backup, maintenance) if w[0] - lead <= now < w[1]), None)


def clear_at(
    now: datetime, windows: Iterable[tuple[str | None, str | None]], lead: timedelta = LEAD
) -> datetime:
    """The first moment at or after ``now`` outside every ``(backup, maintenance)`` window given."""
    moment = now.astimezone(UTC)
    pairs = list(windows)
    for _ in range(100):  # windows are finite and recur: a few steps always reach a gap
        inside = [w for pair in pairs if (w := open_window(moment, *pair, lead=lead))]
        if not inside:
            return moment
        moment = max(end for _, end in inside)
    raise ValueError(f"no moment outside the windows {pairs} near {now.isoformat()}")
