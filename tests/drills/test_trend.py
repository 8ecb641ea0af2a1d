"""RTO/RPO trend across stored runs (``platform_ops.drills.trend``), on an in-memory store (no AWS)."""

from __future__ import annotations

import json

from platform_ops.drills import trend
from platform_ops.drills.evidence import run_prefix


class MemoryStore:
    """The two calls ``earlier_runs`` makes of ``ArtifactStore.hook``, over a dict."""

    bucket = "b"

    def __init__(self, objects: dict[str, dict]):
        self.objects = {k: json.dumps(v) for k, v in objects.items()}
        self.hook = self

    def list_keys(self, bucket_name, prefix):
        return [k for k in self.objects if k.startswith(prefix)]

    def read_key(self, key, bucket_name):
        return self.objects[key]


def record(run_id: str, at: float, rto: float | None, rpo: float | None) -> dict:
    return {"run_id": run_id, "verdict": "passed", "timeline": [{"at": at}],
            "measured": {"rto_seconds": rto, "rpo_seconds": rpo}}  # fmt: skip


def test_compares_against_the_previous_measured_run_of_two_stored_reports():
    drill = "aurora_switchover_semiannual"
    store = MemoryStore({
        run_prefix(drill, "older") + "evidence.json": record("older", 100.0, 40.0, 0.0),
        run_prefix(drill, "newer") + "evidence.json": record("newer", 200.0, 20.0, 0.0),
        run_prefix(drill, "newer") + "before.json": {"not": "evidence"},
        run_prefix(drill, "this") + "evidence.json": record("this", 300.0, 1.0, 0.0),  # this run's own: left out
        run_prefix("other_drill", "x") + "evidence.json": record("x", 150.0, 1.0, 0.0),
    })  # fmt: skip
    runs = trend.earlier_runs(store, drill, "this")
    assert [r["run_id"] for r in runs] == ["older", "newer"]
    worse = trend.compare({"rto_seconds": 30.0, "rpo_seconds": 0.0}, runs)
    assert worse["direction"] == {"rto_seconds": "worse", "rpo_seconds": "same"}
    assert worse["previous"]["rto_seconds"] == {"run_id": "newer", "value": 20.0}
    assert trend.sentence(worse, {"rto_seconds": 30.0, "rpo_seconds": 0.0}) == (
        "RTO 30.0 s, worse than the previous run's 20.0 s; RPO 0.0 s, the same as the previous run's 0.0 s."
    )
    better = trend.compare({"rto_seconds": 10.0, "rpo_seconds": None}, runs)
    assert better["direction"]["rto_seconds"] == "better" and better["direction"]["rpo_seconds"] is None
    chart = trend.svg(better, {"rto_seconds": 10.0, "rpo_seconds": None}, "this", 300)
    assert chart.count("<rect") == 3 and "RTO 300 s" in chart and "#0969da" in chart


def test_first_run_says_so():
    first = trend.compare({"rto_seconds": 12.0, "rpo_seconds": 0.0}, [])
    assert trend.sentence(first, {"rto_seconds": 12.0, "rpo_seconds": 0.0}).startswith(
        "RTO 12.0 s (first measured run)"
    )
