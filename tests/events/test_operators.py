"""The operators: execution names, input contracts, re-attach, failures, and dag.test() of a test DAG."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from airflow.sdk.exceptions import AirflowException, AirflowFailException
from platform_ops.events.operators import (
    StepFunctionStartAndWaitOperator,
    execution_arn_for,
    execution_name,
)

from tests.events.conftest import fail_machine, wait_machine

# The events world builds its own queue, rules and resources: no seeded landing zone needed.
pytestmark = pytest.mark.seeds()

DAG_FILE = Path(__file__).parent / "dags" / "events_wait_dag.py"
ALLOWED = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def test_execution_name_is_deterministic_sanitised_and_fits():
    run_id = "scheduled__2026-12-01T07:00:00+00:00"
    name = execution_name("db_refresh", run_id, "restore_cluster", -1)
    assert name == execution_name("db_refresh", run_id, "restore_cluster", -1)  # every try: the same
    assert ALLOWED.match(name), name
    assert name != execution_name("db_refresh", run_id, "restore_cluster", 0)  # mapped: one per index
    assert execution_name("d", "r", "t", 2) != execution_name("d", "r", "t", 3)
    long = execution_name("d" * 200, run_id, "t" * 200, 7)
    assert ALLOWED.match(long) and len(long) == 80
    assert long != execution_name("d" * 200, run_id, "t" * 199, 7)  # hash suffix keeps them apart
    assert execution_name("dag", "manual_1", "task") == "dag__manual_1__task"  # already safe: as is
    assert execution_name("a:b", "r", "t") != execution_name("a+b", "r", "t")  # sanitising never merges


def test_execution_arn_drops_a_version_or_alias_qualifier():
    machine = "arn:aws:states:eu-west-1:111111111111:stateMachine:refresh"
    assert execution_arn_for(machine, "n") == "arn:aws:states:eu-west-1:111111111111:execution:refresh:n"
    assert execution_arn_for(machine + ":prod", "n") == execution_arn_for(machine, "n")
    with pytest.raises(ValueError):
        execution_arn_for("arn:aws:states:eu-west-1:1:activity:x", "n")


def _operator(**kwargs) -> StepFunctionStartAndWaitOperator:
    defaults = {
        "task_id": "step",
        "state_machine_arn": "arn:aws:states:eu-west-1:1:stateMachine:m",
        "event_queue_url": "q",
    }
    return StepFunctionStartAndWaitOperator(**{**defaults, **kwargs})


def test_input_is_validated_against_the_machines_contract():
    from tests.events.dags.events_wait_dag import STOP_CLUSTER_INPUT

    op = _operator(definition="db/stop_cluster", state_machine_input=STOP_CLUSTER_INPUT)
    contract = op._contract()
    op.validate_input(contract)
    assert op._allowed(contract) == set(contract["x-output"]["Status"])
    bad = _operator(definition="stop_cluster", state_machine_input={"DbClusterIdentifier": "x"})
    with pytest.raises(AirflowFailException, match="DestinationAccount"):
        bad.validate_input(bad._contract())
    with pytest.raises(AirflowFailException, match="no_such_machine"):
        _operator(definition="no_such_machine")._contract()


def _context(dag_id="d", run_id="manual__1", task_id="step", map_index=-1):
    pushed = {}
    ti = SimpleNamespace(dag_id=dag_id, run_id=run_id, task_id=task_id, map_index=map_index)
    ti.xcom_push = lambda key, value: pushed.__setitem__(key, value)
    return {"ti": ti}, pushed


def test_a_retry_reattaches_to_the_running_execution(events_world):
    machine = events_world.state_machine(wait_machine(30))
    op = _operator(state_machine_arn=machine)
    context, _ = _context()
    first = op.start_or_attach(context)
    second = op.start_or_attach(context)  # the retry
    assert first["executionArn"] == second["executionArn"] and second["status"] == "RUNNING"
    listed = events_world.client("stepfunctions").list_executions(stateMachineArn=machine)["executions"]
    assert [e["executionArn"] for e in listed] == [first["executionArn"]]


def test_failure_raises_with_error_cause_and_console_link(events_world):
    machine = events_world.state_machine(fail_machine(0))
    op = _operator(state_machine_arn=machine)
    context, _ = _context()
    described = op.start_or_attach(context)
    events_world.wait_execution(described["executionArn"])
    event = {
        "status": "failed",
        "outcome": {"resource": described["executionArn"], "status": "FAILED", "detail": {}},
    }
    with pytest.raises(AirflowException) as err:
        op.execute_complete(context, event)
    text = str(err.value)
    assert "FAILED" in text and "Boom" in text and "the step broke" in text
    assert "console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/" in text


def test_an_output_status_outside_the_allowed_set_fails(events_world):
    machine = events_world.state_machine(wait_machine(0, status="Broken"))
    op = _operator(state_machine_arn=machine)
    context, _ = _context()
    arn = op.start_or_attach(context)["executionArn"]
    done = events_world.wait_execution(arn)
    event = {
        "status": "success",
        "outcome": {"resource": arn, "status": "SUCCEEDED", "detail": {"output": done["output"]}},
    }
    with pytest.raises(AirflowException, match="'Broken', not one of \\['Completed', 'NoChange'\\]"):
        op.execute_complete(context, event)
    assert _operator(state_machine_arn=machine, allowed_statuses=["Broken"]).execute_complete(
        context, event
    ) == {"Status": "Broken"}


@pytest.fixture
def events_dags(monkeypatch):
    """tests/events/dags as a second local DAG bundle, so dag.test() can serialize the test DAG."""
    bundles = [
        {
            "name": "dags-folder",
            "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
            "kwargs": {},
        },
        {
            "name": "events-test-dags",
            "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
            "kwargs": {"path": str(DAG_FILE.parent), "refresh_interval": 0},
        },
    ]
    monkeypatch.setenv("AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST", json.dumps(bundles))
    return DAG_FILE


def _load_test_dag():
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAG_FILE))
    assert not bag.import_errors, bag.import_errors
    return bag.get_dag("events_wait_test")


def _task_states(dag_run) -> dict[str, str]:
    from tests.dagrun import task_states

    return task_states(dag_run)


def _register_job(world) -> str:
    cluster = world.ecs_cluster()
    world.client("ecs").register_task_definition(
        family="events-job",
        containerDefinitions=[
            {
                "name": "job",
                "image": "job:latest",
                "memory": 512,
                "essential": True,
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": "/platform-ops/events-job",
                        "awslogs-stream-prefix": "ecs",
                        "awslogs-region": "eu-west-1",
                    },
                },
            }
        ],
    )
    return cluster


def test_dag_test_runs_the_three_waits_on_events_and_a_rerun_reattaches(
    events_world, airflow_db, events_dags
):
    machine = events_world.state_machine(wait_machine(3))
    cluster = _register_job(events_world)
    alarm = events_world.alarm("drill-stop-dag")
    events_world.set_alarm(alarm, "ALARM")  # the stop condition holds: the wait ends at its first Describe
    dag = _load_test_dag()
    conf = {"machine": machine, "queue": events_world.queue_url, "cluster": cluster, "alarm": alarm}
    dag_run = dag.test(run_conf=conf)
    states = _task_states(dag_run)
    assert str(dag_run.state) == "success", states
    sfn = events_world.client("stepfunctions")
    [execution] = sfn.list_executions(stateMachineArn=machine)["executions"]
    assert execution["status"] == "SUCCEEDED"
    assert execution["name"] == execution_name("events_wait_test", dag_run.run_id, "step")
    # A retry of `step` in the same run finds the finished execution by its name: no second start.
    op = dag.get_task("step")
    op.state_machine_arn, op.event_queue_url = machine, events_world.queue_url
    context, pushed = _context("events_wait_test", dag_run.run_id, "step")
    assert op.execute(context) == {"Status": "Completed"}
    assert pushed["execution_arn"] == execution["executionArn"]
    assert len(sfn.list_executions(stateMachineArn=machine)["executions"]) == 1
    [task] = events_world.client("ecs").list_tasks(cluster=cluster, desiredStatus="STOPPED")["taskArns"]
    assert task


def test_dag_test_fails_on_the_ecs_exit_code(events_world, airflow_db, events_dags):
    machine = events_world.state_machine(wait_machine(0))
    cluster = _register_job(events_world)
    alarm = events_world.alarm("drill-stop-dag2")
    dag = _load_test_dag()
    conf = {
        "machine": machine,
        "queue": events_world.queue_url,
        "cluster": cluster,
        "alarm": alarm,
        "exit_code": "3",
    }
    dag_run = dag.test(run_conf=conf)
    states = _task_states(dag_run)
    assert states["step"] == "success" and states["job"] == "failed", states
    assert str(dag_run.state) == "failed"


def test_alarm_wait_operator_ends_on_the_alarm_event(events_world, airflow_db, events_dags, monkeypatch):
    """AlarmWaitOperator in a run where the alarm fires while it waits.

    The alarm fires once the run's trigger (run inline by ``dag.test()``) has made its Describe at
    start and polls the queue, however long the run took to get there: fired earlier, the Describe
    would see it, not the event.
    """
    from platform_ops.events.trigger import ResourceEventTrigger

    machine = events_world.state_machine(wait_machine(0))
    cluster = _register_job(events_world)
    alarm = events_world.alarm("drill-stop-dag3")
    dag = _load_test_dag().partial_subset(["stop_condition"], include_upstream=False)
    triggers, stop = [], threading.Event()
    original_run = ResourceEventTrigger.run

    def recorded_run(self):
        triggers.append(self)
        return original_run(self)

    monkeypatch.setattr(ResourceEventTrigger, "run", recorded_run)

    def fire_when_polling():
        deadline = time.monotonic() + 120  # then fire anyway: the run ends and the asserts say why
        while not stop.wait(0.1):
            if time.monotonic() > deadline or (triggers and triggers[0].poller_stats.get("receives", 0) >= 1):
                events_world.set_alarm(alarm, "ALARM")
                return

    firing = threading.Thread(target=fire_when_polling, daemon=True)
    firing.start()
    try:
        conf = {"machine": machine, "queue": events_world.queue_url, "cluster": cluster, "alarm": alarm}
        dag_run = dag.test(run_conf=conf)
    finally:
        stop.set()
        firing.join(timeout=10)
    assert str(dag_run.state) == "success", _task_states(dag_run)
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        value = (
            session.query(XComModel.value)
            .filter(
                XComModel.run_id == dag_run.run_id,
                XComModel.task_id == "stop_condition",
                XComModel.key == "return_value",
            )
            .scalar()
        )
    result = json.loads(value) if isinstance(value, str) else value
    assert result["alarm_name"] == alarm and result["state"] == "ALARM" and result["source"] == "event"
