"""Fixtures of the DAG runs: for `sox_pg01_monthly`, a config copy per test, the seeded local AWS, the pool."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from platform_ops.sox import config as config_module
from platform_ops.sox.config import DEFAULT_CONFIG

FAST_ECS = {"waiter_delay_seconds": 1, "retry_delay_seconds": 1, "max_retry_delay_seconds": 2}
# The local task runs this long and then stops by itself, as a real one does: the DescribeTasks at
# the start of the wait sees it RUNNING and the wait ends on the STOPPED event (local/moto_events).
# The run time starts at that first DescribeTasks, so a loaded machine cannot make the task stop
# before the wait looks (which would end it on Describe instead).
RUN_SECONDS = {"MOTO_RUN_SECONDS": "1", "MOTO_RUN_AFTER_DESCRIBE": "1"}


@pytest.fixture
def sox_config(tmp_path: Path, monkeypatch):
    """Write a copy of pg01.json with ECS timings for tests; returns a function to change it."""

    def write(container_environment: dict[str, str] | None = None, **ecs) -> Path:
        raw = json.loads(DEFAULT_CONFIG.read_text())
        raw["ecs"].update(FAST_ECS)
        raw["ecs"].update(ecs)
        raw["ecs"]["container_environment"] = {**RUN_SECONDS, **(container_environment or {})}
        path = tmp_path / "pg01.json"
        path.write_text(json.dumps(raw))
        monkeypatch.setenv("PLATFORM_OPS_SOX_CONFIG", str(path))
        config_module._cached.cache_clear()  # rewritten within one clock tick: mtime may not move
        return path

    write()
    return write


@pytest.fixture
def sox_pool(airflow_db):
    """The one-slot pool the DAG's ECS steps use (``make demo`` creates it with `airflow pools set`)."""
    from airflow.models.pool import Pool
    from platform_ops.sox.config import load_config

    name = load_config().ecs["pool"]
    Pool.create_or_update_pool(
        name, slots=1, description="SOX PG-01: one DB job at a time", include_deferred=True
    )
    return name


@pytest.fixture
def sox_aws(aws, sox_config, sox_pool):
    """The local AWS with the PG-01 resources (idempotent if the lead's seed_all already ran it)."""
    from platform_ops.local.sox_seed import seed_sox_pg01

    seed_sox_pg01(aws)
    return aws
