"""Snapshot names and the tags that mark a snapshot as this DAG's (deletes are tag-gated).

RDS snapshot identifiers: 1-255 letters, digits or hyphens, a letter first, no two hyphens in a
row, no hyphen at the end. The name carries the UTC date and a hash of the run id, so every try
of one run finds the same snapshot, two runs on one day never collide, and a person reading the
console sees the day; the full run id is in a tag.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date

PREFIX = "po"
MANAGED_TAG = "platform-ops:created-by"
MANAGED_VALUE = "rds_snapshots"
RUN_TAG = "platform-ops:run-id"
SOURCE_TAG = "platform-ops:source"
KEEP_TAG = "keep"
KEEP_VALUES = frozenset({"true", "yes", "1"})
NAME_MAX = 255
_UNSAFE = re.compile(r"[^A-Za-z0-9-]+")


def snapshot_name(identifier: str, run_id: str, day: date) -> str:
    """``po-<identifier>-<yyyymmdd>-<8 hex of the run id>``."""
    digest = hashlib.sha256(run_id.encode()).hexdigest()[:8]
    base = re.sub("-{2,}", "-", _UNSAFE.sub("-", identifier)).strip("-")
    tail = f"-{day:%Y%m%d}-{digest}"
    base = base[: NAME_MAX - len(PREFIX) - 1 - len(tail)].rstrip("-")
    return f"{PREFIX}-{base}{tail}"


def snapshot_tags(run_id: str, source_arn: str) -> list[dict[str, str]]:
    return [
        {"Key": MANAGED_TAG, "Value": MANAGED_VALUE},
        {"Key": RUN_TAG, "Value": run_id},
        {"Key": SOURCE_TAG, "Value": source_arn},
    ]


def tag_dict(tag_list: list[dict] | None) -> dict[str, str]:
    return {t["Key"]: t.get("Value", "") for t in tag_list or []}


def is_managed(tags: dict[str, str]) -> bool:
    return tags.get(MANAGED_TAG) == MANAGED_VALUE


def is_kept(tags: dict[str, str]) -> bool:
    return tags.get(KEEP_TAG, "").strip().lower() in KEEP_VALUES
