"""One real Airflow cluster (CeleryExecutor, PostgreSQL, Redis) for the whole lane; see cluster.py.

``cluster`` (package) starts it once against the worker's local AWS, with a copy of the
registry whose approval timeout is ``APPROVAL_TIMEOUT_HOURS`` and a copy of the SOX config
with the test ECS timings and ``SOX_COMPANIES`` as the scheduled companies. It stops every
process it started at the end, also when a test or the start itself failed, and fails the
session if any survived SIGKILL. ``lane_aws`` gives each test a reset and seeded local AWS (the
Airflow processes keep their connections: the endpoint does not change).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.local.proctree import describe
from tests.scheduler.cluster import REPO, Cluster

# 0.01 h = 36 s: long enough to answer an approval from a test on a busy machine (the lane runs
# beside the main suite), short enough that the "no answer" case waits for it.
APPROVAL_TIMEOUT_HOURS = 0.01
SOX_COMPANIES = ["EC_NG", "JD_GH", "JM_EG"]
# Each local SOX task runs this long, then stops (local/moto_events): long enough that two
# tasks that were let run together would overlap.
SOX_RUN_SECONDS = "3"
# Unpaused at start: they have no schedule, so unpausing starts nothing. sox_pg01_monthly stays
# paused until its test unpauses it (that starts its scheduled run).
UNPAUSED = ("terraform_apply", "lane_sfn_wait", "lane_triggerer_bench")
DAG_FILES = [
    REPO / "dags" / "terraform_apply.py",
    REPO / "dags" / "sox_pg01_monthly.py",
    Path(__file__).parent / "dags" / "lane_sfn_wait.py",
    Path(__file__).parent / "dags" / "lane_triggerer_bench.py",  # test_triggerer_bench.py
]


def _registry_copy(root: Path) -> Path:
    from platform_ops.registry import DEFAULT_REGISTRY

    raw = json.loads(DEFAULT_REGISTRY.read_text())
    raw["terraform"]["approval_timeout_hours"] = APPROVAL_TIMEOUT_HOURS
    path = root / "registry.json"
    path.write_text(json.dumps(raw, indent=2))
    return path


def _sox_config_copy(root: Path) -> Path:
    from platform_ops.sox.config import DEFAULT_CONFIG

    from tests.dags.conftest import FAST_ECS

    raw = json.loads(DEFAULT_CONFIG.read_text())
    raw["ecs"].update(FAST_ECS)
    raw["ecs"]["container_environment"] = {"MOTO_RUN_SECONDS": SOX_RUN_SECONDS}
    for company in raw["companies"]:
        company["scheduled"] = company["code"] in SOX_COMPANIES
    path = root / "pg01.json"
    path.write_text(json.dumps(raw, indent=2))
    return path


@pytest.fixture(scope="package")
def cluster(local_aws, request):
    # Package scope: the lane's tests run as one group on one xdist worker (tests/conftest.py
    # GROUPED), so the cluster starts once, and stops when that worker leaves tests/scheduler.
    root = Path(tempfile.mkdtemp(prefix="platform-ops-lane-"))
    lane = Cluster(
        local_aws.endpoint,
        root,
        _registry_copy(root),
        _sox_config_copy(root),
        [p.resolve() for p in DAG_FILES],
    )
    started = False
    try:
        lane.start()
        for path in DAG_FILES:
            lane.api.wait_dag(path.stem)  # each file defines the DAG of its name
        for dag_id in UNPAUSED:
            lane.api.unpause(dag_id)
        started = True
        yield lane
    finally:
        left = lane.stop()
        if not started or request.session.testsfailed or left or os.environ.get("PLATFORM_OPS_LANE_KEEP"):
            print(f"\nthe lane's logs and Airflow home are kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
        if left:
            pytest.fail(f"processes of the lane survived SIGKILL:\n{describe(left)}")


@pytest.fixture
def lane_aws(cluster, local_aws):
    """A clean local AWS for one test (the cluster's connections stay valid), seeded with what the
    lane's DAGs use: Terraform state, the artifacts bucket and notices, the SOX PG-01 resources."""
    from platform_ops.local.seed import seed_all

    local_aws.reset()
    seed_all(local_aws.endpoint, only=("seed_shared_services", "seed_terraform_state", "seed_sox_pg01"))
    return local_aws.endpoint
