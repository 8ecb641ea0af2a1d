"""Shared test rails: an isolated Airflow home, the local AWS (patched moto) and DAG runners.

Fixtures:
- ``local_aws`` (session): the running patched moto server (``.endpoint``, ``.reset()``); one
  per xdist worker.
- ``aws`` (function): the local AWS reset and seeded for one test; returns the endpoint. It also
  exports the Airflow connections of every registry account, so ``dag.test()`` runs against it.
- ``airflow_db`` (session): an initialised SQLite metadata DB in a temporary AIRFLOW_HOME.

Scheduling (``--dist loadgroup``, see pyproject.toml): a module whose tests share one expensive
module fixture (``GROUPED``) runs whole on one worker, so the fixture is built once (split across
workers, the infra apply ran twice: 387 s and 349 s). Those groups are handed out first, largest
first, then single tests in the order set here, slowest modules first (``SLOW_FIRST``), so the
long infra apply starts at once instead of last. The groups are made by ``_GroupedScheduling``
below, not by ``xdist_group`` marks: xdist 3.8 groups marked tests by renaming their node ids,
which pytest 9 ignores (``Node.nodeid`` no longer reads ``_nodeid``), so the marks group nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Airflow reads its configuration at import: point it at a throwaway home before anything imports it.
_AIRFLOW_HOME = Path(os.environ.get("PYTEST_AIRFLOW_HOME", "")) if os.environ.get("PYTEST_AIRFLOW_HOME") else None
if _AIRFLOW_HOME is None:
    import tempfile

    _AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="platform-ops-airflow-"))
os.environ.update(
    {
        "AIRFLOW_HOME": str(_AIRFLOW_HOME),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        "AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE": "True",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
)
for leaked in ("MOTO_PORT", "MOTO_ACCOUNT_ID", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(leaked, None)


# Never split: modules built around one module-scoped fixture (a terraform apply, a checkov scan),
# the demo tests, so that only one `airflow standalone` at a time competes for the 2 cores, and
# the real-scheduler lane (a directory: one package-scoped cluster for all of its modules). An
# entry is a module, a directory (ends with "/"), or a tuple of modules that share one world.
GROUPED = (
    "tests/terraform/test_infra_moto.py",
    "tests/sox/test_terraform_stack.py",
    "tests/terraform/test_checkov.py",
    "tests/local/test_demo.py",
    "tests/refresh/test_refresh_infra.py",
    "tests/dags/test_rds_snapshots.py",
    "tests/snapshots/test_local_rds.py",
    "tests/dags/test_dr_chaos_nat_quarterly.py",
    "tests/terraform/test_rds_snapshots_stack.py",
    "tests/dags/test_refresh.py",
    "tests/scheduler/",  # the real-scheduler lane: one cluster start for all its cases
    # tests/dags/drill_world.py: one dr-platform apply + Aurora global database a process
    ("tests/dags/test_dr_aurora_switchover_semiannual.py", "tests/dags/test_dr_region_loss_yearly.py"),
)


def _group_of(module: str) -> str | None:
    """The ``GROUPED`` unit ``module`` belongs to, or None (its tests are scheduled one by one)."""
    for entry in GROUPED:
        if isinstance(entry, tuple):
            if module in entry:
                return " + ".join(entry)
        elif module == entry or (entry.endswith("/") and module.startswith(entry)):
            return entry
    return None
# Modules of slow tests, started first so that no worker is left with a long one at the end.
SLOW_FIRST = (
    "tests/local/test_demo.py",
    "tests/refresh/test_refresh_infra.py",
    "tests/dags/",
    "tests/terraform/test_apply_safety.py",
    "tests/terraform/test_drift_report.py",
    "tests/stepfunctions/",
    "tests/lambdas/",
    "tests/sox/",
)


def _rank(item: pytest.Item) -> int:
    path = item.nodeid.split("::", 1)[0]
    return next((i for i, prefix in enumerate(SLOW_FIRST) if path.startswith(prefix)), len(SLOW_FIRST))


def pytest_collection_modifyitems(config, items):
    items.sort(key=_rank)  # stable: the order inside a module is kept


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # a hook of pytest-xdist
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup``: ``GROUPED`` modules as one unit each, every other test alone."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class _GroupedScheduling(LoadScopeScheduling):
        # xdist's load-scope scheduler hands out units largest first (the groups), then in
        # collection order, and gives a worker more only when it has at most 2 tests left.
        def _split_scope(self, nodeid: str) -> str:
            return _group_of(nodeid.split("::", 1)[0]) or nodeid

    return _GroupedScheduling(config, log)


@pytest.fixture(scope="session")
def airflow_db():
    """Create the metadata DB once per session (SQLite in the temporary AIRFLOW_HOME)."""
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        check=True,
        capture_output=True,
        env=os.environ.copy(),
    )
    return _AIRFLOW_HOME


@pytest.fixture(scope="session")
def local_aws():
    from platform_ops.local.server import start_local_aws

    hooks = os.environ.get("PLATFORM_OPS_TEST_MOTO_HOOKS", "platform_ops.local.moto_hooks:on_task_stopped")
    aws = start_local_aws(hooks=hooks)
    yield aws
    aws.stop()


@pytest.fixture
def aws(local_aws, monkeypatch, request):
    """A clean, seeded local AWS for one test; Airflow connections point at it.

    Seeded with every seeder, unless the test (or its module, ``pytestmark``) is marked
    ``@pytest.mark.seeds("seed_shared_services", ...)`` with the few it needs."""
    from platform_ops.local.connections import local_environment
    from platform_ops.local.seed import seed_all

    marker = request.node.get_closest_marker("seeds")
    local_aws.reset()
    seed_all(local_aws.endpoint, only=marker.args if marker else None)
    for key, value in local_environment(local_aws.endpoint).items():
        monkeypatch.setenv(key, value)
    return local_aws.endpoint
