"""`make bench`: what each DAG file costs to parse, and how long the test suite takes.

1. ``airflow dags report`` (Airflow's own per-file parse time) in a throwaway AIRFLOW_HOME;
2. a warm measurement in one process: after the first file (which pays for importing the
   provider), every DAG file should parse in under 50 ms;
3. the whole test suite with its slowest tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from platform_ops.registry import REPO_ROOT

BUDGET_MS = 50.0


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
    print("\n== test suite (make test's pytest, with the slowest tests)", flush=True)
    start = time.monotonic()
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "--durations=25"], cwd=REPO_ROOT)
    print(f"\ntest suite wall time: {time.monotonic() - start:.0f} s (exit {tests.returncode})")
    if over:
        print(f"DAG files over the parse budget: {', '.join(over)}")
    return 1 if over or tests.returncode else 0


if __name__ == "__main__":
    sys.exit(main())
