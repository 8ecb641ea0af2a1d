"""Shared test rails: an isolated Airflow home, the local AWS (patched moto) and DAG runners.

Fixtures:
- ``local_aws`` (session): the running patched moto server (``.endpoint``, ``.reset()``).
- ``aws`` (function): the local AWS reset and seeded for one test; returns the endpoint. It also
  exports the Airflow connections of every registry account, so ``dag.test()`` runs against it.
- ``airflow_db`` (session): an initialised SQLite metadata DB in a temporary AIRFLOW_HOME.
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
def aws(local_aws, monkeypatch):
    """A clean, seeded local AWS for one test; Airflow connections point at it."""
    from platform_ops.local.connections import local_environment
    from platform_ops.local.seed import seed_all

    local_aws.reset()
    seed_all(local_aws.endpoint)
    for key, value in local_environment(local_aws.endpoint).items():
        monkeypatch.setenv(key, value)
    return local_aws.endpoint
