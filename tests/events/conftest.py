"""A local AWS with the native-events wiring of ``terraform/modules/native-events``.

``events_world``: in the account ``aws_default`` lands in (shared-services), an SQS queue and
the module's three EventBridge rules (Step Functions terminal statuses, ECS STOPPED, CloudWatch
alarm state changes) with the queue as target, plus helpers to create a state machine, an ECS
task and an alarm. The patched local AWS (``local/moto_events``) emits the native events.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from platform_ops.events.matching import RULE_PATTERNS

FIXTURES = Path(__file__).parent / "fixtures"
REGION = "eu-west-1"
_names = itertools.count()


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def wait_machine(seconds: float, status: str = "Completed") -> dict:
    """Wait ``seconds`` then succeed with ``{"Status": status}``."""
    return {
        "StartAt": "Work",
        "States": {
            "Work": {"Type": "Wait", "Seconds": seconds, "Next": "Done"},
            "Done": {"Type": "Pass", "Result": {"Status": status}, "End": True},
        },
    }


def held_machine(token_queue_url: str, status: str = "Completed") -> dict:
    """Run until released: the execution puts its task token on ``token_queue_url`` and waits.

    ``EventsWorld.release`` ends it (SendTaskSuccess), so a test ends an execution exactly when
    its wait is known to be polling, however slow the machine (no run time to guess).
    The ``events_world`` fixture releases what a test left held, so no execution of one test
    ends later, in another test's queue; ``TimeoutSeconds`` only bounds one it could not release.
    """
    return {
        "StartAt": "Hold",
        "States": {
            "Hold": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {
                    "QueueUrl": token_queue_url,
                    "MessageBody": {"token.$": "$$.Task.Token", "execution.$": "$$.Execution.Id"},
                },
                "TimeoutSeconds": 600,
                "Next": "Done",
            },
            "Done": {"Type": "Pass", "Result": {"Status": status}, "End": True},
        },
    }


def fail_machine(seconds: float) -> dict:
    return {
        "StartAt": "Work",
        "States": {
            "Work": {"Type": "Wait", "Seconds": seconds, "Next": "Boom"},
            "Boom": {"Type": "Fail", "Error": "Boom", "Cause": "the step broke"},
        },
    }


@dataclass
class EventsWorld:
    endpoint: str
    session: object = field(repr=False)
    queue_url: str = ""
    queue_arn: str = ""
    account_id: str = ""
    token_queue_url: str = ""
    _tokens: dict[str, str] = field(default_factory=dict, repr=False)
    _held_machines: set[str] = field(default_factory=set, repr=False)
    _held: set[str] = field(default_factory=set, repr=False)  # held executions not released yet

    def client(self, service: str):
        return self.session.client(service, endpoint_url=self.endpoint)

    def create_queue(self, name: str | None = None) -> tuple[str, str]:
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=name or f"platform-ops-events-{next(_names)}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def add_rules(self, queue_arn: str) -> None:
        """The module's rules (see terraform/modules/native-events/main.tf), all to ``queue_arn``."""
        events = self.client("events")
        suffix = queue_arn.rsplit(":", 1)[-1]
        for name, pattern in RULE_PATTERNS.items():
            rule = f"{suffix}-{name}"
            events.put_rule(Name=rule, EventPattern=json.dumps(pattern))
            events.put_targets(Rule=rule, Targets=[{"Id": "queue", "Arn": queue_arn}])

    def remove_rules(self, queue_arn: str) -> None:
        """Stop the events that ``add_rules`` routes to ``queue_arn`` (e.g. a late one of an earlier test)."""
        events = self.client("events")
        suffix = queue_arn.rsplit(":", 1)[-1]
        for name in RULE_PATTERNS:
            rule = f"{suffix}-{name}"
            events.remove_targets(Rule=rule, Ids=["queue"])
            events.delete_rule(Name=rule)

    def state_machine(self, definition: dict, name: str | None = None) -> str:
        sfn = self.client("stepfunctions")
        return sfn.create_state_machine(
            name=name or f"wait-{next(_names)}",
            definition=json.dumps(definition),
            roleArn=f"arn:aws:iam::{self.account_id}:role/platform-ops",
        )["stateMachineArn"]

    def start(self, machine_arn: str, name: str | None = None, payload: dict | None = None) -> dict:
        sfn = self.client("stepfunctions")
        arn = sfn.start_execution(
            stateMachineArn=machine_arn, name=name or f"exec-{next(_names)}", input=json.dumps(payload or {})
        )["executionArn"]
        described = sfn.describe_execution(executionArn=arn)
        if machine_arn in self._held_machines:
            self._held.add(arn)
        return described

    def held_machine(self) -> str:
        """A state machine whose executions run until ``release`` (see ``held_machine``)."""
        if not self.token_queue_url:
            self.token_queue_url = self.create_queue(f"platform-ops-task-tokens-{next(_names)}")[0]
        arn = self.state_machine(held_machine(self.token_queue_url))
        self._held_machines.add(arn)
        return arn

    def release(self, execution_arn: str, timeout: float = 60) -> None:
        """End a ``held_machine`` execution now: SendTaskSuccess with its task token."""
        sqs = self.client("sqs")
        deadline = time.monotonic() + timeout
        while execution_arn not in self._tokens:
            assert time.monotonic() < deadline, f"no task token of {execution_arn} within {timeout}s"
            response = sqs.receive_message(
                QueueUrl=self.token_queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
            )
            for message in response.get("Messages", []):
                body = json.loads(message["Body"])
                self._tokens[body["execution"]] = body["token"]
                sqs.delete_message(QueueUrl=self.token_queue_url, ReceiptHandle=message["ReceiptHandle"])
        self.client("stepfunctions").send_task_success(taskToken=self._tokens.pop(execution_arn), output="{}")
        self._held.discard(execution_arn)

    def release_all(self) -> None:
        """Release every held execution a test left running (fixture teardown)."""
        for arn in sorted(self._held):
            self.release(arn)

    def describe(self, execution_arn: str) -> dict:
        return self.client("stepfunctions").describe_execution(executionArn=execution_arn)

    def wait_execution(self, execution_arn: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            described = self.describe(execution_arn)
            if described["status"] != "RUNNING":
                return described
            assert time.monotonic() < deadline, f"{execution_arn} still running after {timeout}s"
            time.sleep(0.2)

    def ecs_cluster(self, name: str = "events-cluster") -> str:
        ecs = self.client("ecs")
        arn = ecs.create_cluster(clusterName=name)["cluster"]["clusterArn"]
        ecs.register_task_definition(
            family="events-job",
            containerDefinitions=[{"name": "job", "image": "job:latest", "memory": 512, "essential": True}],
        )
        return arn

    def run_task(self, cluster: str, seconds: float, exit_code: int = 0, after_describe: bool = False) -> str:
        """``seconds`` of run time, counted from RunTask, or from the first DescribeTasks."""
        env = [
            {"name": "MOTO_RUN_SECONDS", "value": str(seconds)},
            {"name": "MOTO_EXIT_CODE", "value": str(exit_code)},
        ]
        if after_describe:
            env.append({"name": "MOTO_RUN_AFTER_DESCRIBE", "value": "1"})
        response = self.client("ecs").run_task(
            cluster=cluster,
            taskDefinition="events-job",
            launchType="FARGATE",
            overrides={"containerOverrides": [{"name": "job", "environment": env}]},
            networkConfiguration={
                "awsvpcConfiguration": {"subnets": ["subnet-0events"], "securityGroups": ["sg-0events"]}
            },
        )
        return response["tasks"][0]["taskArn"]

    def alarm(self, name: str) -> str:
        cw = self.client("cloudwatch")
        cw.put_metric_alarm(
            AlarmName=name,
            MetricName="StopCondition",
            Namespace="PlatformOps/Drills",
            Statistic="Maximum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
        )
        self.set_alarm(name, "OK", "baseline")
        return name

    def set_alarm(self, name: str, state: str, reason: str = "drill stop condition") -> None:
        self.client("cloudwatch").set_alarm_state(
            AlarmName=name,
            StateValue=state,
            StateReason=reason,
            StateReasonData=json.dumps({"version": "1.0"}),
        )

    def drain(self, queue_url: str | None = None, wait: float = 5.0, want: int = 1) -> list[dict]:
        """Receive and delete until ``want`` messages arrived or ``wait`` seconds passed."""
        sqs = self.client("sqs")
        url = queue_url or self.queue_url
        out: list[dict] = []
        deadline = time.monotonic() + wait
        while len(out) < want and time.monotonic() < deadline:
            for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
                "Messages", []
            ):
                out.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return out

    def drain_settled(self) -> list[dict]:
        """What the queue holds now, for events the local AWS sends within the API call itself.

        An alarm's state change is on the queue before SetAlarmState returns, and the local SQS
        hands messages out in the order they were sent: a marker sent now comes after all of
        them, so draining up to it sees every one of them without waiting for a silence.
        """
        sqs = self.client("sqs")
        marker = f"marker-{next(_names)}"
        sqs.send_message(QueueUrl=self.queue_url, MessageBody=json.dumps({"marker": marker}))
        out: list[dict] = []
        deadline = time.monotonic() + 60
        while True:
            assert time.monotonic() < deadline, "the marker never came back from the queue"
            response = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            for message in response.get("Messages", []):
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
                body = json.loads(message["Body"])
                if body.get("marker") == marker:
                    return out
                out.append(body)


@pytest.fixture
def events_world(aws) -> Iterator[EventsWorld]:
    from platform_ops.local.clients import account_session
    from platform_ops.registry import registry

    account = registry().artifacts_account  # where the aws_default connection lands
    world = EventsWorld(
        endpoint=aws, session=account_session(aws, account.name, REGION), account_id=account.account_id
    )
    world.queue_url, world.queue_arn = world.create_queue()
    world.add_rules(world.queue_arn)
    yield world
    world.release_all()


def run_trigger(trigger, timeout: float):
    """The first event of ``trigger.run()``, within ``timeout`` seconds (in a fresh event loop)."""

    async def first():
        async for event in trigger.run():
            return event
        return None

    return asyncio.run(asyncio.wait_for(first(), timeout))
