"""sox_pg01_monthly's scheduled run under the real scheduler: one SOX ECS job at a time.

The ECS steps wait deferred (on the triggerer), so they hold no worker; the pool ``sox_pg01_db``
(one slot, deferred tasks counted) is what keeps a second one from starting meanwhile. The run
is the one the scheduler itself creates when the DAG is unpaused (its latest monthly schedule
time), for the three companies the lane's config schedules; each local task runs 3 s, so two
that were let run together would overlap.
"""

from __future__ import annotations

from datetime import datetime

from platform_ops.sox.contract import ENV_COMPANY

from tests.dags.sox_helpers import ecs_tasks
from tests.scheduler.cluster import TERMINAL
from tests.scheduler.conftest import SOX_COMPANIES
from tests.waiting import wait_until

DAG = "sox_pg01_monthly"
POOL = "sox_pg01_db"


def _company(task: dict) -> str | None:
    for override in task["overrides"]["containerOverrides"]:
        for item in override.get("environment", []):
            if item["name"] == ENV_COMPANY:
                return item["value"]
    return None


def test_pool_runs_one_sox_ecs_task_at_a_time(cluster, lane_aws):
    api = cluster.api
    pool = api.pool(POOL)
    assert (pool["slots"], pool["include_deferred"]) == (1, True), pool
    api.unpause(DAG)
    try:
        run = wait_until(lambda: (runs := api.runs(DAG)) and runs[0], "the scheduler to create the SOX run")
        assert run["run_type"] == "scheduled", run
        seen: list[dict] = []

        def ended() -> bool:
            seen.append(api.pool(POOL))
            return api.run(DAG, run["dag_run_id"])["state"] in TERMINAL

        wait_until(ended, "the scheduled SOX run to end", interval=0.5)
    finally:
        api.send("PATCH", f"dags/{DAG}", {"is_paused": True})

    states = api.states(DAG, run["dag_run_id"])
    assert api.run(DAG, run["dag_run_id"])["state"] == "success", states
    assert max(p["occupied_slots"] for p in seen) == 1, seen
    assert any(p["deferred_slots"] == 1 and p["open_slots"] == 0 for p in seen), seen  # a wait holds it

    tasks = ecs_tasks(lane_aws)
    assert len(tasks) == 1 + len(SOX_COMPANIES), tasks  # the pre-flight, then one a company
    assert {_company(t) for t in tasks} == set(SOX_COMPANIES)  # the pre-flight checks the first one
    intervals = sorted((_at(t["startedAt"]), _at(t["stoppedAt"]), t["taskArn"]) for t in tasks)
    for (_, stopped, arn), (started, _, following) in zip(intervals, intervals[1:], strict=False):
        assert stopped <= started, f"{following} started at {started} before {arn} stopped at {stopped}"


def _at(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
