"""`make bench`: what each DAG file costs to parse, and how long the test suite takes.

1. ``airflow dags report`` (Airflow's own per-file parse time) in a throwaway AIRFLOW_HOME;
2. a warm measurement in one process: after the first file (which pays for importing the
   provider), every DAG file should parse in under 50 ms;
3. the test suite's wall time and its 10 slowest tests, read from the JUnit report that
   ``make test`` writes (``REPORT``). With no report, the suite is run here, exactly as
   ``make test`` runs it, and the report it writes is read. The figures are pytest's own: the
   session time, and per test setup + call + teardown (a module fixture's cost lands on the
   first test that uses it). Installing and linting, which ``make test`` also does, are not in it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

from platform_ops.registry import REPO_ROOT

BUDGET_MS = 50.0
# Written by `make test` (pytest --junitxml); .pytest_cache is never committed.
REPORT = REPO_ROOT / ".pytest_cache" / "platform-ops" / "junit.xml"
SLOWEST = 10


def _env(home: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": home,
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO_ROOT / "plugins"),
        }
    )
    return env


def warm_parse_times(dag_files: list[Path], rounds: int = 5) -> dict[str, float]:
    """Median milliseconds per file, parsed in this (warm) process after one warm-up parse."""
    from airflow.dag_processing.dagbag import DagBag

    DagBag(dag_folder=str(dag_files[0]))  # warm-up: imports airflow.sdk and the provider
    times: dict[str, float] = {}
    for path in dag_files:
        samples = []
        for _ in range(rounds):
            start = time.perf_counter()
            DagBag(dag_folder=str(path))
            samples.append((time.perf_counter() - start) * 1000)
        times[path.name] = sorted(samples)[len(samples) // 2]
    return times


def suite_report(report: Path = REPORT) -> dict:
    """Totals and per-test seconds from a pytest JUnit report."""
    root = ET.parse(report).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    tests = []
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        for key in totals:
            totals[key] += int(suite.get(key, 0))
        for case in suite.iter("testcase"):
            name = f"{case.get('classname', '').replace('.', '/')}.py::{case.get('name')}"
            tests.append((float(case.get("time", 0)), name))
    return {
        **totals,
        "seconds": sum(float(s.get("time", 0)) for s in suites),
        "timestamp": suites[0].get("timestamp", "") if suites else "",
        "slowest": sorted(tests, reverse=True),
    }


def print_suite(report: Path = REPORT, slowest: int = SLOWEST) -> bool:
    """Print the suite's wall time and slowest tests; True when every test passed."""
    summary = suite_report(report)
    when = summary["timestamp"] or datetime.fromtimestamp(report.stat().st_mtime).isoformat()
    bad = summary["failures"] + summary["errors"]
    print(f"suite run at {when}: {summary['tests']} tests, {bad} failed or errored, {summary['skipped']} skipped")
    print(f"test suite wall time: {summary['seconds']:.0f} s (pytest session)")
    print(f"{slowest} slowest tests (setup + call + teardown):")
    for seconds, name in summary["slowest"][:slowest]:
        print(f"  {seconds:7.1f} s  {name}")
    return bad == 0


def main() -> int:
    dag_files = sorted(p for p in (REPO_ROOT / "dags").glob("*.py") if not p.name.startswith("_"))
    with tempfile.TemporaryDirectory(prefix="bench-airflow-") as home:
        env = _env(home)
        os.environ.update(env)
        subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        print("== airflow dags report (per-file parse time, cold process)", flush=True)
        report = subprocess.run([sys.executable, "-m", "airflow", "dags", "report"], env=env,
                                capture_output=True, text=True)  # fmt: skip
        print(report.stdout, flush=True)
        print(f"== warm parse time per DAG file (median of 5; budget {BUDGET_MS:.0f} ms after the first)")
        over = []
        for name, ms in warm_parse_times(dag_files).items():
            flag = "" if ms <= BUDGET_MS else "  OVER BUDGET"
            over += [name] if flag else []
            print(f"  {name:<32} {ms:7.1f} ms{flag}")
    print("\n== test suite", flush=True)
    if REPORT.is_file():
        print(f"from the report of the last `make test` ({REPORT.relative_to(REPO_ROOT)})")
    else:
        print("no report from `make test` yet: running the suite as `make test` does", flush=True)
        start = time.monotonic()
        subprocess.run([sys.executable, "-m", "pytest", "-q", f"--junitxml={REPORT}"], cwd=REPO_ROOT)
        print(f"(pytest process: {time.monotonic() - start:.0f} s)")
    passed = REPORT.is_file() and print_suite()
    if over:
        print(f"DAG files over the parse budget: {', '.join(over)}")
    return 1 if over or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
