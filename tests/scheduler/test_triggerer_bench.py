"""The triggerer bench on the lane's cluster with a few waits: the figures have their shape and are real.

``make bench`` runs the same ``measure`` with 200 waits on a cluster of its own; here it reuses
the lane's session start. Real means: all N waits were deferred in the triggerer at the same
time, every one was ended by its event (not the Describe backstop), the latencies are positive
and the triggerer's CPU and memory were read from live processes.
"""

from __future__ import annotations

import json

from tests.scheduler import triggerer_bench as bench

N = 5
SINGLE = 2
# Seconds all waits stay deferred before the first alarm fires. A trigger counts as deferred once
# the triggerer holds it, but it still builds its AWS clients and makes its start Describe
# (1.5 s seen beside the main suite's workers); an alarm fired before that Describe ends the wait
# by Describe, not by its event. make bench holds 60 s.
HOLD = 10.0


def test_the_triggerer_bench_defers_n_waits_at_once_and_wakes_each_by_its_event(cluster, lane_aws, tmp_path):
    figures = bench.measure(cluster, lane_aws, n=N, single=SINGLE, hold=HOLD)
    out = tmp_path / "triggerer.json"
    bench.write(figures, out)
    assert json.loads(out.read_text()) == figures
    assert set(figures) == bench.FIELDS

    assert figures["n"] == figures["deferred_at_once"] == N
    assert figures["wakeup"]["ended_by"] == {"event": N}
    single, burst = figures["wakeup"]["single"], figures["wakeup"]["burst"]
    assert (single["latency"]["n"], burst["latency"]["n"]) == (SINGLE, N - SINGLE)
    for row in (single, burst):
        for figure in ("fired", "woken", "latency"):
            counted = row[figure]
            assert counted["n"] == row["latency"]["n"], (figure, row)
            assert 0 < counted["min_s"] <= counted["median_s"] <= counted["max_s"], (figure, row)
        # in causal order: the trigger fired, the task was queued again, then it ended
        assert row["fired"]["median_s"] <= row["woken"]["median_s"] <= row["latency"]["median_s"], row

    triggerer = figures["triggerer"]
    assert triggerer["processes"] >= 1
    assert 0 < triggerer["rss_mb_idle"] <= triggerer["rss_mb_all_deferred"] <= triggerer["rss_mb_peak"]
    assert triggerer["cpu_s_deferring"] > 0 and triggerer["cpu_s_waking"] > 0

    printed = bench.table(figures)
    assert f"{N} deferred in it at once" in printed and "real triggerer, one at a time" in printed
