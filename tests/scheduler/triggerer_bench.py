"""Load figures of one real triggerer: N deferred waits at once, its CPU and memory, wake-up latency.

Run as ``python -m tests.scheduler.triggerer_bench`` (``make bench``; ``--n`` waits, default 200).
It starts the scheduler lane's cluster once (``tests/scheduler/cluster.py``: PostgreSQL, Redis,
api-server, scheduler, dag-processor, one triggerer, two Celery workers of two slots) against a
fresh local AWS, with the DAG ``lane_triggerer_bench`` only, and stops every process it started at
the end, also on failure, Ctrl-C or SIGTERM. The lane's own test calls ``measure`` on the lane's
session cluster with a small N.

``measure`` does, on the local AWS's artifacts account (where ``aws_default`` lands):

1. the native-events queue and rules, and N CloudWatch alarms in INSUFFICIENT_DATA;
2. one run of ``lane_triggerer_bench``: N mapped ``AlarmWaitOperator`` tasks, each deferring on
   ``ResourceEventTrigger`` for its own alarm. It waits until all N are deferred *and* assigned to
   the triggerer (``trigger.triggerer_id`` in the REST API), and keeps them so for ``--hold``
   seconds;
3. the triggerer's process tree (its supervisor and trigger runner, found by the lane's
   environment marker) sampled with psutil every ``SAMPLE_S``: CPU seconds (user + system) and
   resident memory (RSS summed over the tree) idle before the run, while the waits are being
   deferred, and while all N are held;
4. wake-ups: the first ``--single`` alarms are set to ALARM one at a time (each waits for its task
   to end before the next), the rest all at once (a burst). From the ``SetAlarmState`` call (the
   event sent), three figures per wait: ``fired``, to the triggerer's "Trigger fired event" (the
   task's log: EventBridge, SQS, the shared long poll, the match); ``woken``, to the task
   instance's ``queued_when`` (the scheduler sent it to a worker again); ``latency``, to its
   ``end_date`` (``execute_complete`` done on a worker). Every task's result says whether the
   event or the Describe backstop ended it.

``.bench/triggerer.json`` gets the figures (``FIELDS``); the table puts the wake-up latency next to
the ``dag.test()`` figure of ``platform_ops.events.bench`` (``.bench/waits.json``, the inline
trigger of ``ours_sfn`` / ``ours_ecs``), which ``make bench`` runs first.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import psutil

from tests.scheduler.cluster import REPO, Cluster
from tests.waiting import wait_until

DAG = "lane_triggerer_bench"
DAG_FILE = Path(__file__).resolve().parent / "dags" / f"{DAG}.py"
OUT = REPO / ".bench" / "triggerer.json"
DAG_TEST_FIGURES = REPO / ".bench" / "waits.json"
DAG_TEST_VARIANTS = ("ours_sfn", "ours_ecs")
SAMPLE_S = 0.5
IDLE_S = 10.0  # seconds the idle triggerer is measured before the run (at most --hold)
PAGE = 100  # the REST API's largest page
KEEP_VAR = "PLATFORM_OPS_LANE_KEEP"  # as in the lane: keep the logs and Airflow home
FIELDS = {"n", "deferred_at_once", "defer_all_s", "hold_s", "triggerer", "wakeup", "dag_test"}


# --- the triggerer's CPU and memory --------------------------------------------------------------


class Usage:
    """Samples the CPU seconds and RSS of a process tree (``pids``) in a thread until ``stop()``."""

    def __init__(self, pids):
        self.pids = pids
        self.peak_rss = 0
        self.processes = 0
        # The last CPU seconds seen per pid: a process that ends keeps its share.
        self._cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="triggerer-usage", daemon=True)

    def sample(self) -> tuple[float, int]:
        """(CPU seconds so far, RSS bytes now) of the tree."""
        rss = 0
        pids = self.pids()
        for pid in pids:
            try:
                proc = psutil.Process(pid)
                with proc.oneshot():
                    times = proc.cpu_times()
                    self._cpu[pid] = times.user + times.system
                    rss += proc.memory_info().rss
            except psutil.Error:
                continue
        self.peak_rss = max(self.peak_rss, rss)
        self.processes = max(self.processes, len(pids))
        return sum(self._cpu.values()), rss

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_S):
            self.sample()

    def start(self) -> Usage:
        self.sample()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


# --- the local AWS side ---------------------------------------------------------------------------


def _aws(endpoint: str):
    from platform_ops.local.clients import account_session
    from platform_ops.registry import registry

    reg = registry()
    return account_session(endpoint, reg.artifacts_account.name, reg.primary_region)


def prepare(endpoint: str, n: int) -> tuple[str, list[str]]:
    """The event queue with its rules, and ``n`` alarms in INSUFFICIENT_DATA: (queue URL, names)."""
    from platform_ops.events.bench import wire_local_events

    session = _aws(endpoint)
    queue_url, _ = wire_local_events(session, endpoint, name="platform-ops-triggerer-bench")
    cloudwatch = session.client("cloudwatch", endpoint_url=endpoint)
    names = [f"triggerer-bench-{i:04d}" for i in range(n)]
    for name in names:
        cloudwatch.put_metric_alarm(
            AlarmName=name, Namespace="PlatformOps/Bench", MetricName="Load", Statistic="Average",
            Period=60, EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold",
        )  # fmt: skip
    return queue_url, names


def fire(cloudwatch, name: str) -> float:
    """Set the alarm to ALARM (the local AWS emits its state-change event); the moment it was sent."""
    sent = time.time()
    cloudwatch.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="triggerer bench")
    return sent


# --- the Airflow side ---------------------------------------------------------------------------


def _epoch(value: str | None) -> float | None:
    return datetime.fromisoformat(value).timestamp() if value else None


def waits(api, run_id: str) -> list[dict]:
    """Every mapped ``wait`` task instance of the run (all pages)."""
    found, offset = [], 0
    while True:
        page = api.get(f"dags/{DAG}/dagRuns/{run_id}/taskInstances", limit=PAGE, offset=offset)
        found += [t for t in page["task_instances"] if t["task_id"] == "wait"]
        offset += PAGE
        if offset >= page["total_entries"]:
            return sorted(found, key=lambda t: t["map_index"])


def in_triggerer(tis: list[dict]) -> int:
    """How many are deferred and held by a triggerer (their trigger row is assigned)."""
    return sum(1 for t in tis if t["state"] == "deferred" and (t.get("trigger") or {}).get("triggerer_id"))


def ended_by(api, run_id: str, map_index: int) -> str | None:
    """``event`` or ``describe``: what ended the wait (the operator's result in XCom)."""
    entry = api.get(
        f"dags/{DAG}/dagRuns/{run_id}/taskInstances/wait/xcomEntries/return_value",
        map_index=map_index, stringify="false",
    )  # fmt: skip
    value = entry.get("value")
    if isinstance(value, str):
        value = ast.literal_eval(value)
    return (value or {}).get("source")


def fired_at(api, run_id: str, map_index: int) -> float | None:
    """When the triggerer fired the wait's trigger: its "Trigger fired event" line in the task's log."""
    resp = api.http.get(
        f"{api.base}/api/v2/dags/{DAG}/dagRuns/{run_id}/taskInstances/wait/logs/1",
        params={"full_content": "true", "map_index": map_index},
        timeout=30,
    )
    resp.raise_for_status()
    for line in resp.json().get("content") or []:
        if isinstance(line, dict) and line.get("event") == "Trigger fired event":
            return _epoch(line["timestamp"])
    return None


def _stats(values: list[float]) -> dict:
    if not values:
        return {"n": 0, "median_s": None, "max_s": None, "min_s": None}
    return {
        "n": len(values),
        "median_s": round(statistics.median(values), 3),
        "max_s": round(max(values), 3),
        "min_s": round(min(values), 3),
    }


def measure(cluster: Cluster, endpoint: str, n: int, single: int, hold: float) -> dict:
    """Defer ``n`` waits in the cluster's triggerer, hold them ``hold`` s, wake them; the figures."""
    api = cluster.api
    single = min(single, n)
    queue_url, names = prepare(endpoint, n)
    cloudwatch = _aws(endpoint).client("cloudwatch", endpoint_url=endpoint)
    usage = Usage(cluster.parts["triggerer"].pids).start()
    try:
        cpu_start, _ = usage.sample()
        idle_s = min(hold, IDLE_S)
        time.sleep(idle_s)  # the triggerer's own cost with nothing deferred
        cpu_idle, rss_idle = usage.sample()
        started = time.monotonic()
        run_id = api.trigger(DAG, {"alarms": names, "queue": queue_url})
        seen = {"max": 0}

        def all_deferred():
            tis = waits(api, run_id)
            bad = [t for t in tis if t["state"] in {"failed", "upstream_failed", "success"}]
            assert not bad, f"a wait ended before its event: {bad[:3]}"
            seen["max"] = max(seen["max"], in_triggerer(tis))
            return len(tis) == n and seen["max"] == n

        wait_until(all_deferred, f"{n} waits deferred in the triggerer", timeout=max(600.0, 6.0 * n))
        defer_all_s = time.monotonic() - started
        cpu_deferred, rss_deferred = usage.sample()
        time.sleep(hold)
        cpu_held, rss_held = usage.sample()
        still = in_triggerer(waits(api, run_id))
        assert still == n, f"only {still} of {n} waits still deferred after the hold"

        sent: dict[int, float] = {}
        for i in range(single):
            sent[i] = fire(cloudwatch, names[i])
            api.wait_task_state(DAG, run_id, f"wait/{i}", "success")
        burst_start = time.monotonic()
        for i in range(single, n):
            sent[i] = fire(cloudwatch, names[i])
        run = api.wait_run(DAG, run_id, timeout=max(600.0, 6.0 * n))
        drain_s = time.monotonic() - burst_start
        cpu_end, _ = usage.sample()
    finally:
        usage.stop()
    assert run["state"] == "success", run
    tis = {t["map_index"]: t for t in waits(api, run_id)}
    latency = {i: _epoch(tis[i]["end_date"]) - sent[i] for i in sent}
    woken = {i: _epoch(tis[i]["queued_when"]) - sent[i] for i in sent if tis[i].get("queued_when")}
    fired = {i: at - sent[i] for i in sent if (at := fired_at(api, run_id, i)) is not None}
    sources: dict[str, int] = {}
    for i in range(n):
        source = ended_by(api, run_id, i)
        sources[source] = sources.get(source, 0) + 1
    mb = 1024 * 1024
    return {
        "n": n,
        "deferred_at_once": seen["max"],
        "defer_all_s": round(defer_all_s, 1),
        "hold_s": hold,
        "triggerer": {
            "processes": usage.processes,
            "rss_mb_idle": round(rss_idle / mb, 1),
            "rss_mb_all_deferred": round(max(rss_deferred, rss_held) / mb, 1),
            "rss_mb_peak": round(usage.peak_rss / mb, 1),
            "rss_mb_growth": round((max(rss_deferred, rss_held) - rss_idle) / mb, 1),
            "cpu_percent_idle": round(100 * (cpu_idle - cpu_start) / idle_s, 2) if idle_s else None,
            "cpu_s_deferring": round(cpu_deferred - cpu_idle, 2),
            "cpu_s_holding": round(cpu_held - cpu_deferred, 2),
            "cpu_percent_holding": round(100 * (cpu_held - cpu_deferred) / hold, 2) if hold else None,
            "cpu_s_waking": round(cpu_end - cpu_held, 2),
        },
        "wakeup": {
            "single": {
                "latency": _stats([latency[i] for i in range(single)]),
                "fired": _stats([fired[i] for i in range(single) if i in fired]),
                "woken": _stats([woken[i] for i in range(single) if i in woken]),
            },
            "burst": {
                "latency": _stats([latency[i] for i in range(single, n)]),
                "fired": _stats([fired[i] for i in range(single, n) if i in fired]),
                "woken": _stats([woken[i] for i in range(single, n) if i in woken]),
                "drain_s": round(drain_s, 1),
            },
            "ended_by": sources,
        },
        "dag_test": dag_test_figures(),
    }


def dag_test_figures(path: Path = DAG_TEST_FIGURES) -> dict:
    """``{"ours_sfn": median s, ...}`` from ``platform_ops.events.bench``'s summary, if it ran."""
    if not path.is_file():
        return {}
    summary = json.loads(path.read_text())
    return {v: summary[v]["latency_s_median"] for v in DAG_TEST_VARIANTS if v in summary}


def table(figures: dict) -> str:
    t, w = figures["triggerer"], figures["wakeup"]

    def fmt(value):
        return "-" if value is None else f"{value:.2f}"

    lines = [
        f"one triggerer, {figures['n']} waits: {figures['deferred_at_once']} deferred in it at once "
        f"(all deferred {figures['defer_all_s']:.0f} s after the run was triggered)",
        f"  triggerer ({t['processes']} processes): RSS idle {t['rss_mb_idle']:.0f} MB, "
        f"all deferred {t['rss_mb_all_deferred']:.0f} MB (+{t['rss_mb_growth']:.0f} MB), "
        f"peak {t['rss_mb_peak']:.0f} MB",
        f"  triggerer CPU: idle {t['cpu_percent_idle'] or 0:.1f} % of a core; {t['cpu_s_deferring']:.1f} s while "
        f"deferring; {t['cpu_s_holding']:.2f} s while holding all for {figures['hold_s']:.0f} s "
        f"({t['cpu_percent_holding'] or 0:.1f} % of a core); {t['cpu_s_waking']:.1f} s while waking them",
        "",
        "wake-up latency from the event sent (median / max, seconds): fired = the trigger fired,",
        "woken = the task queued to a worker again, done = the task ended (execute_complete ran)",
        f"{'':<40} {'n':>4} {'fired':>15} {'woken':>15} {'done':>15}",
    ]
    for variant, median in figures["dag_test"].items():
        label = f"dag.test(), inline trigger ({variant})"
        lines.append(f"{label:<40} {'':>4} {'-':>15} {'-':>15} {fmt(median) + ' / -':>15}")
    for label, key in (
        ("real triggerer, one at a time", "single"),
        ("real triggerer, the rest at once", "burst"),
    ):
        row = w[key]
        cells = [f"{fmt(row[f]['median_s'])} / {fmt(row[f]['max_s'])}" for f in ("fired", "woken", "latency")]
        lines.append(f"{label:<40} {row['latency']['n']:>4} " + " ".join(f"{c:>15}" for c in cells))
    lines.append(f"burst drained in {w['burst']['drain_s']:.1f} s; ended by: {w['ended_by']}")
    if not figures["dag_test"]:
        lines.append("(no dag.test() figure: run `python -m platform_ops.events.bench` first)")
    return "\n".join(lines)


def write(figures: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")


# --- make bench: its own cluster --------------------------------------------------------------


def run_benchmark(n: int, single: int, hold: float, out: Path) -> dict:
    from platform_ops.local.clients import forget_sessions
    from platform_ops.local.server import start_local_aws
    from platform_ops.registry import DEFAULT_REGISTRY
    from platform_ops.sox.config import DEFAULT_CONFIG

    root = Path(tempfile.mkdtemp(prefix="platform-ops-triggerer-bench-"))
    aws = start_local_aws()
    cluster = None
    ok = False
    try:
        forget_sessions()
        cluster = Cluster(aws.endpoint, root, DEFAULT_REGISTRY, DEFAULT_CONFIG, [DAG_FILE])
        print(f"starting the cluster (logs in {root})", flush=True)
        cluster.start()
        cluster.api.wait_dag(DAG)
        cluster.api.unpause(DAG)
        print(f"deferring {n} waits", flush=True)
        figures = measure(cluster, aws.endpoint, n, single, hold)
        write(figures, out)
        print(table(figures))
        print(f"wrote {out.relative_to(REPO) if out.is_relative_to(REPO) else out}")
        ok = True
        return figures
    finally:
        left = cluster.stop() if cluster else []
        aws.stop()
        if ok and not left and not os.environ.get(KEEP_VAR):
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"the cluster's logs and Airflow home are kept in {root}", file=sys.stderr)
        if left:
            print(f"processes survived SIGKILL: {left}", file=sys.stderr)


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through run_benchmark's finally: everything is stopped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.scheduler.triggerer_bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--n", type=int, default=200, help="waits deferred at once (default 200)")
    parser.add_argument("--single", type=int, default=5, help="wake-ups measured one at a time (default 5)")
    parser.add_argument(
        "--hold", type=float, default=60.0, help="seconds all waits stay deferred (default 60)"
    )
    parser.add_argument("--out", type=Path, default=OUT, help="figures (default .bench/triggerer.json)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    run_benchmark(args.n, args.single, args.hold, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
