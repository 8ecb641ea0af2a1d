"""``latest.json``: the per-period, per-company pointer to the last verified run.

It is the only mutable object of the layout, and it moves only after verification passed: a
failed or unverified run never becomes "the" evidence of a period. Bucket versioning keeps every
earlier pointer, and each pointer names the run it replaced.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from platform_ops.evidence.writer import EvidenceStore, ObjectRecord
from platform_ops.sox.layout import RunLocation


class PointerRefused(RuntimeError):
    """The run did not pass verification, so the pointer stays where it is."""


def move_pointer(
    store: EvidenceStore,
    location: RunLocation,
    *,
    verified: bool,
    manifest: ObjectRecord,
    dag_run_id: str,
    outcome: dict[str, Any],
) -> dict[str, Any]:
    """Point ``latest.json`` at ``location``'s run; refuse unless it was verified."""
    if not verified:
        raise PointerRefused(f"{location.uri} did not pass verification; latest.json was not moved")
    previous = None
    if store.exists(location.pointer_key):
        previous = store.get_json(location.pointer_key).get("run_prefix")
    document = {
        "company": location.company,
        "period": location.period,
        "run_prefix": location.prefix,
        "run_uri": location.uri,
        "dag_run_id": dag_run_id,
        "try_number": location.try_number,
        "manifest_key": manifest.key,
        "manifest_sha256": manifest.sha256,
        "manifest_version_id": manifest.version_id,
        "reconciliation_status": outcome.get("status"),
        "verified_at": datetime.now(UTC).isoformat(),
        "replaces": previous,
    }
    record = store.put_json(location.pointer_key, document)
    return {**document, "pointer_key": record.key, "pointer_version_id": record.version_id}
