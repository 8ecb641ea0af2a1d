"""The benchmark harness: figures from the request log, the summary format, and a one-run smoke."""

from __future__ import annotations

import json

from platform_ops.events import bench


def test_describes_are_counted_between_the_run_markers_only():
    def mark(name):
        return ("AmazonSQS.ListQueues", json.dumps({"QueueNamePrefix": f"{bench.MARK}{name}"}))

    log = [
        ("AWSStepFunctions.DescribeExecution", "{}"),  # before the deferral: not a wait's
        mark("defer-v-0"),
        ("AWSStepFunctions.DescribeExecution", "{}"),
        ("AmazonSQS.ReceiveMessage", "{}"),
        ("AmazonEC2ContainerServiceV20141113.DescribeTasks", "{}"),
        mark("complete-v-0"),
        ("AWSStepFunctions.DescribeExecution", "{}"),
    ]
    assert bench.describes_while_waiting(log, "v-0") == 2
    assert bench.describes_while_waiting(log, "v-1") is None


def test_summary_has_the_issues_format():
    runs = {"ours_sfn": [{"latency_s": 0.2, "describe_calls": 1}, {"latency_s": 0.1, "describe_calls": 1}]}
    assert bench.summarize(runs) == {
        "ours_sfn": {"latency_s_median": 0.15, "latency_s_max": 0.2, "describe_calls": 1.0, "n": 2}
    }


def test_one_short_run_end_to_end(tmp_path, capsys):
    out = tmp_path / "waits.json"
    summary = bench.run_benchmark(n=1, seconds=2, variants=["ours_sfn"], out=out)
    assert json.loads(out.read_text()) == summary
    row = summary["ours_sfn"]
    assert set(row) == {"latency_s_median", "latency_s_max", "describe_calls", "n"}
    assert row["n"] == 1 and row["describe_calls"] == 1  # the Describe at start, none while waiting
    # Structural: a wait that missed its event would end only at the 300 s backstop.
    assert 0 <= row["latency_s_median"] < 60
    assert "ours_sfn" in capsys.readouterr().out
