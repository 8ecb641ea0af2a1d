"""The shape of ``sox_pg01_monthly`` as parsed (no run): schedule, ECS settings, pool, params."""

from __future__ import annotations

import pytest
from platform_ops.sox.config import load_config

from tests.dagrun import load_dag


@pytest.fixture(scope="module")
def dag(airflow_db):
    return load_dag("sox_pg01_monthly")


def test_schedule_is_the_third_not_the_first(dag):
    assert dag.schedule == "0 6 3 * *"
    assert dag.catchup is False and dag.max_active_runs == 1


def test_both_ecs_steps_are_fargate_deferrable_reattaching_and_pooled(dag):
    config = load_config()
    for task_id in ("preflight", "reconcile.run_job"):
        task = dag.get_task(task_id)
        assert task.launch_type == "FARGATE" and task.deferrable and task.reattach
        assert task.container_name == config.ecs["container_name"]
        assert (task.awslogs_group, task.awslogs_stream_prefix) == (config.ecs["log_group"], "ecs")
        assert task.pool == config.ecs["pool"] and task.pool_slots == 1
        assert task.retries == config.ecs["retries"] and task.retry_exponential_backoff
        assert task.aws_conn_id == "aws_production"
    assert dag.get_task("reconcile.run_job").max_active_tis_per_dagrun == 1


def test_steps_run_in_runbook_order(dag):
    assert dag.get_task("preflight").upstream_task_ids == {"dry_run_gate", "resolve_period"}
    assert "preflight" in dag.get_task("reconcile.run_job").upstream_task_ids
    assert {"reconcile.verify", "reconcile.write_manifest"} <= dag.get_task(
        "reconcile.publish"
    ).upstream_task_ids
    assert dag.get_task("notify").trigger_rule == "all_done"
    assert dag.get_task("run_outcome").trigger_rule == "one_failed"


def test_params_default_to_the_scheduled_companies(dag):
    params = dag.params
    assert params["companies"] == load_config().scheduled_companies
    assert params["period"] is None and params["ipes"] is None and params["dry_run"] is False
