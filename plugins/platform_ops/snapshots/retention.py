"""Which of a database's snapshots to keep: the last N daily and M monthly, plus what must stay.

Only snapshots this DAG made (``naming.MANAGED_TAG``) are ever candidates; a snapshot made by
hand or by a final-snapshot-on-delete is not ours to remove. Of ours:

- the **daily** keepers are the newest snapshot of each of the N most recent UTC days that have one;
- the **monthly** keepers are the *first* snapshot of each of the M most recent UTC calendar months
  that have one (the first, so the month's keeper never moves once taken);
- a snapshot tagged ``keep=true`` and a snapshot shared with another account (its ``restore``
  attribute lists an account or ``all``) are never deleted;
- a snapshot that is not ``available`` (still creating or copying) is left alone;
- when this run's DR copy was not verified, nothing is deleted: the older snapshots may be the
  newest ones that have a good copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class SnapshotInfo:
    identifier: str
    created: datetime  # SnapshotCreateTime (UTC)
    status: str = "available"
    managed: bool = True
    kept: bool = False  # tagged keep=true
    shared_with: tuple[str, ...] = ()  # accounts (or "all") in the restore attribute
    size_gib: int | None = None


@dataclass
class RetentionPlan:
    keep: dict[str, str] = field(default_factory=dict)  # identifier -> why
    delete: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"keep": dict(sorted(self.keep.items())), "delete": sorted(self.delete)}


def plan_retention(
    snapshots: list[SnapshotInfo], keep_daily: int, keep_monthly: int, copy_verified: bool
) -> RetentionPlan:
    plan = RetentionPlan()
    newest_first = sorted(snapshots, key=lambda s: (s.created, s.identifier), reverse=True)
    ours = [s for s in newest_first if s.managed and s.status == "available"]
    daily: dict[object, SnapshotInfo] = {}
    for snap in ours:
        daily.setdefault(snap.created.date(), snap)  # newest of its day
    monthly: dict[tuple[int, int], SnapshotInfo] = {}
    for snap in reversed(ours):
        monthly.setdefault((snap.created.year, snap.created.month), snap)  # first of its month
    daily_keep = {s.identifier for s in list(daily.values())[:keep_daily]}
    months = sorted(monthly, reverse=True)[:keep_monthly]
    monthly_keep = {monthly[m].identifier for m in months}
    for snap in newest_first:
        reason = _reason_to_keep(snap, daily_keep, monthly_keep, copy_verified)
        if reason:
            plan.keep[snap.identifier] = reason
        else:
            plan.delete.append(snap.identifier)
    return plan


def _reason_to_keep(
    snap: SnapshotInfo, daily: set[str], monthly: set[str], copy_verified: bool
) -> str | None:
    if not snap.managed:
        return "not made by rds_snapshots"
    if snap.kept:
        return "tagged keep"
    if snap.shared_with:
        return f"shared with {', '.join(snap.shared_with)}"
    if snap.status != "available":
        return f"status {snap.status}"
    if snap.identifier in daily:
        return "daily"
    if snap.identifier in monthly:
        return "monthly"
    if not copy_verified:
        return "DR copy of this run not verified: nothing is deleted"
    return None
