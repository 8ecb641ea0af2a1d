"""The local AWS emits AWS's native events, in AWS's documented shape, through EventBridge rules to SQS."""

from __future__ import annotations

import json
import time

import pytest

from tests.events.conftest import fail_machine, fixture, wait_machine

# The events world builds its own queue, rules and resources: no seeded landing zone needed.
pytestmark = pytest.mark.seeds()

# Fields AWS documents as present only sometimes (imageDigest: images from ECR).
OPTIONAL = {"imageDigest"}
# Maps whose keys are the user's (an alarm's metric dimensions): only their type is compared.
FREE_MAPS = {"dimensions"}


def assert_same_shape(emitted, sample, path: str = "$") -> None:
    """Every key of the AWS sample is in the emitted event, with a value of the same JSON type."""
    if sample is None or emitted is None:
        return  # nullable in AWS's own samples (output, outputDetails)
    if isinstance(sample, bool) or isinstance(emitted, bool):
        assert isinstance(emitted, bool) and isinstance(sample, bool), path
    elif isinstance(sample, int | float):
        assert isinstance(emitted, int | float), f"{path}: {emitted!r} is not a number"
    else:
        assert type(emitted) is type(sample), f"{path}: {type(emitted).__name__} != {type(sample).__name__}"
    if isinstance(sample, dict) and path.rsplit(".", 1)[-1] not in FREE_MAPS:
        for key, value in sample.items():
            if key in OPTIONAL and key not in emitted:
                continue
            assert key in emitted, f"{path}.{key} missing in the emitted event"
            assert_same_shape(emitted[key], value, f"{path}.{key}")
    elif isinstance(sample, list) and sample and emitted:
        assert_same_shape(emitted[0], sample[0], f"{path}[0]")


def test_a_finished_execution_emits_the_documented_status_change(events_world):
    machine = events_world.state_machine(wait_machine(1))
    started = events_world.start(machine, payload={"k": "v"})
    done = events_world.wait_execution(started["executionArn"])
    [event] = events_world.drain(wait=10)
    assert_same_shape(event, fixture("sfn_execution_succeeded.json"))
    assert (
        event["source"] == "aws.states" and event["detail-type"] == "Step Functions Execution Status Change"
    )
    assert event["account"] == events_world.account_id and event["region"] == "eu-west-1"
    assert event["resources"] == [started["executionArn"]]
    detail = event["detail"]
    assert detail["executionArn"] == started["executionArn"] and detail["status"] == "SUCCEEDED"
    assert detail["startDate"] == int(started["startDate"].timestamp() * 1000)
    assert abs(detail["stopDate"] / 1000 - done["stopDate"].timestamp()) < 0.01
    assert detail["output"] == done["output"]


def test_failed_and_aborted_executions_emit_too(events_world):
    failing = events_world.start(events_world.state_machine(fail_machine(0)))
    events_world.wait_execution(failing["executionArn"])
    aborted = events_world.start(events_world.state_machine(wait_machine(30)))
    events_world.client("stepfunctions").stop_execution(executionArn=aborted["executionArn"])
    events_world.wait_execution(aborted["executionArn"])
    got = {e["detail"]["executionArn"]: e for e in events_world.drain(wait=15, want=2)}
    assert got[failing["executionArn"]]["detail"]["status"] == "FAILED"
    assert_same_shape(got[failing["executionArn"]], fixture("sfn_execution_failed.json"))
    assert got[aborted["executionArn"]]["detail"]["status"] == "ABORTED"


def test_a_stopping_ecs_task_emits_the_documented_task_state_change(events_world):
    cluster = events_world.ecs_cluster()
    task_arn = events_world.run_task(cluster, seconds=1, exit_code=3, after_describe=True)
    ecs = events_world.client("ecs")
    assert ecs.describe_tasks(cluster=cluster, tasks=[task_arn])["tasks"][0]["lastStatus"] == "RUNNING"
    [event] = events_world.drain(wait=10)
    assert_same_shape(event, fixture("ecs_task_state_change_stopped.json"))
    assert event["source"] == "aws.ecs" and event["resources"] == [task_arn]
    detail = event["detail"]
    assert (
        detail["taskArn"] == task_arn
        and detail["clusterArn"] == cluster
        and detail["lastStatus"] == "STOPPED"
    )
    assert detail["containers"][0]["exitCode"] == 3
    described = ecs.describe_tasks(cluster=cluster, tasks=[task_arn])["tasks"][0]
    assert described["lastStatus"] == "STOPPED" and described["stoppedAt"] is not None


def test_a_run_time_counted_from_the_first_describe_never_ends_before_it(events_world):
    """``MOTO_RUN_AFTER_DESCRIBE``: however late the first DescribeTasks, it sees RUNNING; then it stops."""
    cluster = events_world.ecs_cluster()
    task_arn = events_world.run_task(cluster, seconds=1, after_describe=True)
    assert events_world.drain(wait=3) == []  # three times its run time, and still no stop
    ecs = events_world.client("ecs")
    assert ecs.describe_tasks(cluster=cluster, tasks=[task_arn])["tasks"][0]["lastStatus"] == "RUNNING"
    [event] = events_world.drain(wait=60)
    assert event["detail"]["taskArn"] == task_arn and event["detail"]["lastStatus"] == "STOPPED"


def test_stop_task_emits_user_initiated(events_world):
    cluster = events_world.ecs_cluster()
    task_arn = events_world.run_task(cluster, seconds=60)
    events_world.client("ecs").stop_task(cluster=cluster, task=task_arn, reason="drill over")
    [event] = events_world.drain(wait=10)
    assert event["detail"]["stopCode"] == "UserInitiated" and event["detail"]["stoppedReason"] == "drill over"


def test_set_alarm_state_emits_the_documented_alarm_state_change(events_world):
    name = events_world.alarm("drill-stop")
    assert events_world.drain_settled() == []  # the baseline OK is no change from moto's initial OK
    before = time.time()
    events_world.set_alarm(name, "ALARM")
    events_world.set_alarm(name, "ALARM")  # no change: no event
    [event] = events_world.drain_settled()
    assert_same_shape(event, fixture("cloudwatch_alarm_state_change.json"))
    assert event["source"] == "aws.cloudwatch" and event["detail"]["alarmName"] == name
    assert event["detail"]["state"]["value"] == "ALARM" and event["detail"]["previousState"]["value"] == "OK"
    from platform_ops.events.matching import to_epoch

    assert to_epoch(event["detail"]["state"]["timestamp"]) >= before - 0.01


@pytest.mark.parametrize("sample", ["sfn_execution_succeeded.json", "ecs_task_state_change_stopped.json"])
def test_rules_of_the_module_deliver_aws_sample_shapes_unchanged(events_world, sample):
    """A hand-put event (a test double; real AWS refuses aws.* sources) reaches the queue as is."""
    event = fixture(sample)
    events_world.client("events").put_events(
        Entries=[
            {
                "Source": event["source"],
                "DetailType": event["detail-type"],
                "Detail": json.dumps(event["detail"]),
                "Resources": event["resources"],
            }
        ]
    )
    [got] = events_world.drain(wait=10)
    assert got["detail"] == event["detail"]
