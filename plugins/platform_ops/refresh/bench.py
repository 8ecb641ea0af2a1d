"""`make bench`: how long a full local refresh of staging takes, phase by phase.

``python -m platform_ops.refresh.bench``: a local AWS of its own, seeded as ``make demo`` seeds
it (the refresh clusters, SQL scripts and deployed machines), a throwaway AIRFLOW_HOME on SQLite,
then ``dag.test()`` of ``refresh_staging`` with its defaults (a new manual snapshot, masking,
rename old, delete old). Printed: the run's wall time, Airflow's own share of it (the time before
the first task starts), and each task's time, slowest first. The machines do not sleep locally
(the registry's ``poll_interval_seconds`` is 0), so the figures are the orchestration's cost, not
AWS's restore times.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

DAG_ID = "refresh_staging"


def _run_in_this_home() -> int:
    """The measurement itself; AIRFLOW_HOME and the local AWS's environment are already set."""
    from airflow.dag_processing.dagbag import DagBag

    from platform_ops.registry import REPO_ROOT

    bag = DagBag(dag_folder=str(REPO_ROOT / "dags" / f"{DAG_ID}.py"))
    if bag.import_errors:
        raise SystemExit(f"{DAG_ID} does not import: {bag.import_errors}")
    dag = bag.get_dag(DAG_ID)
    started = time.monotonic()
    dag_run = dag.test(run_conf={})
    wall = time.monotonic() - started
    tis = [ti for ti in dag_run.get_task_instances() if ti.start_date and ti.end_date]
    ran = sorted(((ti.task_id, str(ti.state), (ti.end_date - ti.start_date).total_seconds())
                  for ti in tis if str(ti.state) != "skipped"), key=lambda row: -row[2])  # fmt: skip
    skipped = sorted(ti.task_id for ti in tis if str(ti.state) == "skipped")
    first_start = min(ti.start_date for ti in tis)
    print(f"{DAG_ID}: {dag_run.state} in {wall:.1f} s (dag.test), first task after "
          f"{(first_start - dag_run.start_date).total_seconds():.1f} s; {len(ran)} tasks ran")  # fmt: skip
    print(f"{'task':<28} {'state':<10} {'s':>6}")
    for task_id, state, seconds in ran:
        print(f"{task_id:<28} {state:<10} {seconds:>6.1f}")
    print(f"skipped by the defaults and the local registry ({len(skipped)}): {', '.join(skipped)}")
    return 0 if str(dag_run.state) == "success" else 1


def _only_this_dag(home: str) -> str:
    """A DAG folder holding only this DAG's file (a link): ``dag.test()`` parses its whole bundle."""
    from platform_ops.registry import REPO_ROOT

    folder = os.path.join(home, "dags")
    os.makedirs(folder)
    os.symlink(REPO_ROOT / "dags" / f"{DAG_ID}.py", os.path.join(folder, f"{DAG_ID}.py"))
    return folder


def main() -> int:
    if "--measure" in sys.argv:
        return _run_in_this_home()
    from platform_ops.local.connections import local_environment
    from platform_ops.local.refresh_seed import refresh_pools, seed_refresh
    from platform_ops.local.seed import seed_all
    from platform_ops.local.server import start_local_aws
    from platform_ops.registry import REPO_ROOT

    local = start_local_aws()
    try:
        seed_all(local.endpoint)
        seed_refresh(local.endpoint)
        with tempfile.TemporaryDirectory(prefix="refresh-bench-") as home:
            env = {**os.environ, **local_environment(local.endpoint), "AIRFLOW_HOME": home,
                   "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "AIRFLOW__CORE__DAGS_FOLDER": _only_this_dag(home),
                   "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO_ROOT / "plugins")}  # fmt: skip
            airflow = [sys.executable, "-m", "airflow"]
            subprocess.run([*airflow, "db", "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
            for pool, (slots, description) in refresh_pools().items():
                subprocess.run([*airflow, "pools", "set", pool, str(slots), description, "--include-deferred"],
                               env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
            return subprocess.run([sys.executable, "-m", "platform_ops.refresh.bench", "--measure"], env=env).returncode
    finally:
        local.stop()


if __name__ == "__main__":
    sys.exit(main())
