"""Period rules: which month a run covers, its cutoff, and whether it is too early to run.

The cutoff is the **last calendar day** of the closed month (SOXauto's current convention; the
"first day of the next month" in older docs is stale and would select the next period). IPE_12
reads the SQL Server clock instead of the cutoff, so a run is only faithful for IPE_12 when it
happens in the month after the period, on or after the readiness day (3rd by default).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

from platform_ops.sox.catalog import SERVER_CLOCK_ITEMS

PERIOD_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


class PeriodError(ValueError):
    """A period string that is not YYYY-MM, or a run that may not happen yet."""


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        if not isinstance(text, str) or not re.match(PERIOD_PATTERN, text):
            raise PeriodError(f"period {text!r} is not YYYY-MM with a month 01-12 (e.g. 2026-04)")
        year, month = text.split("-")
        return cls(int(year), int(month))

    @classmethod
    def closed_before(cls, moment: datetime | date) -> Period:
        """The month that had closed at ``moment``: the calendar month before it."""
        if moment.month == 1:
            return cls(moment.year - 1, 12)
        return cls(moment.year, moment.month - 1)

    @property
    def text(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """``YYYYMM``, as in the job's evidence folder names."""
        return f"{self.year:04d}{self.month:02d}"

    @property
    def cutoff(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def next(self) -> Period:
        return Period(self.year + 1, 1) if self.month == 12 else Period(self.year, self.month + 1)


@dataclass(frozen=True)
class Readiness:
    blocking: list[str]
    known_gaps: list[str]


def readiness(period: Period, now: datetime | date, min_run_day: int, items: list[str]) -> Readiness:
    """Calendar readiness of a run of ``items`` for ``period`` at ``now``.

    Blocking: the period has not closed, or it closed less than ``min_run_day`` days ago while a
    server-clock item is requested (it would silently cover the wrong month). A backfill of an
    older month is allowed but recorded as a known gap for those items.
    """
    blocking: list[str] = []
    gaps: list[str] = []
    current = Period(now.year, now.month)
    clock_items = [item for item in items if item in SERVER_CLOCK_ITEMS]
    if period >= current:
        blocking.append(
            f"period {period.text} has not closed yet (now is {current.text}); the cutoff "
            f"{period.cutoff.isoformat()} must be in the past"
        )
    elif period.next() == current and now.day < min_run_day and clock_items:
        blocking.append(
            f"too early: {', '.join(clock_items)} read the database server clock and would cut off a "
            f"month early before day {min_run_day}; run on or after {current.text}-{min_run_day:02d}, "
            "or leave those items out with the `ipes` param"
        )
    elif period.next() != current and clock_items:
        gaps.append(
            f"{', '.join(clock_items)} read the database server clock: this backfill of {period.text} run "
            f"in {current.text} does not reproduce the period-end values"
        )
    return Readiness(blocking=blocking, known_gaps=gaps)
