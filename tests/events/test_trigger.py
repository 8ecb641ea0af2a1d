"""ResourceEventTrigger against the local AWS: events, concurrency, orphans, stale events, backstop, restart.

Latency is measured from AWS's own timestamps (the execution's ``stopDate``, the task's
``stoppedAt``, the alarm's state timestamp) to the moment the trigger yielded. A long poll returns
when a message arrives and a wait hands another wait's message over in-process, so these are
structural bounds, not speed: a wait that was held up by another's message would instead take at
least the receive's visibility timeout or a full long poll (20 s). The latency tests ask for a
30 s visibility timeout and accept 10 s, so a loaded CI machine cannot fail them while a stolen
message still would. The measured figures (milliseconds) are in ``make bench``.

No wait here depends on how long something runs: an execution is a ``held_machine`` that ends
when the test releases it, once its wait polls the queue (so the Describe at start saw it
RUNNING), and an ECS task's run time starts at its first DescribeTasks.
"""

from __future__ import annotations

import asyncio
import copy
import importlib
import json
import time

import pytest
from platform_ops.events.trigger import ResourceEventTrigger

from tests.events.conftest import run_trigger, wait_machine

# The events world builds its own queue, rules and resources: no seeded landing zone needed.
pytestmark = pytest.mark.seeds()

STRUCTURAL_BOUND = 10.0  # seconds; see the module docstring
HELD_MESSAGE_VT = 30  # the visibility timeout a stolen message would cost (> STRUCTURAL_BOUND)


def sfn_trigger(world, described, **kwargs) -> ResourceEventTrigger:
    return ResourceEventTrigger(
        kind="sfn",
        resource=described["executionArn"],
        since=described["startDate"].timestamp(),
        queue_url=kwargs.pop("queue_url", world.queue_url),
        **kwargs,
    )


def latency(event) -> float:
    outcome = event.payload["outcome"]
    return event.payload["detected_at"] - outcome["changed_at"]


async def polling(*triggers, timeout: float = 120) -> None:
    """Until every trigger has made its Describe at start and polls the queue."""
    deadline = time.monotonic() + timeout
    while not all(t.poller_stats.get("receives", 0) >= 1 for t in triggers):
        assert time.monotonic() < deadline, "a trigger never started polling the queue"
        await asyncio.sleep(0.1)


async def first_event(trigger):
    async for event in trigger.run():
        return event
    return None


def released_when_polling(world, triggers, described, timeout: float = 120) -> list:
    """Run ``triggers`` and release each execution of ``described`` once every trigger polls."""

    async def scenario():
        tasks = [asyncio.ensure_future(first_event(t)) for t in triggers]
        await polling(*triggers)  # each Describe at start saw its execution RUNNING
        for execution in described:
            await asyncio.to_thread(world.release, execution["executionArn"])
        return await asyncio.wait_for(asyncio.gather(*tasks), timeout)

    return asyncio.run(scenario())


def rebuild(trigger):
    classpath, kwargs = trigger.serialize()
    module, _, name = classpath.rpartition(".")
    return getattr(importlib.import_module(module), name)(**json.loads(json.dumps(kwargs)))


def test_serialize_round_trips():
    trigger = ResourceEventTrigger(
        kind="alarm", queue_url="https://sqs.eu-west-1.amazonaws.com/1/q", alarm_names=["b", "a"], since=12.5
    )
    classpath, kwargs = trigger.serialize()
    assert classpath == "platform_ops.events.trigger.ResourceEventTrigger"
    assert rebuild(trigger).serialize() == (classpath, kwargs)
    assert kwargs["alarm_names"] == ["a", "b"] and kwargs["backstop_interval"] == 300.0


def test_a_wait_ends_on_the_event_with_one_describe(events_world):
    described = events_world.start(events_world.held_machine())
    trigger = sfn_trigger(events_world, described, visibility_timeout=HELD_MESSAGE_VT)
    [event] = released_when_polling(events_world, [trigger], [described])
    assert event.payload["status"] == "success"
    assert event.payload["outcome"]["source"] == "event"
    assert trigger.stats["describes"] == 1  # the one at start
    assert 0 <= latency(event) < STRUCTURAL_BOUND, latency(event)
    assert events_world.drain(wait=1) == []  # it deleted what it consumed


def test_five_concurrent_waits_on_one_queue_all_end_on_their_own_events(events_world):
    machine = events_world.held_machine()
    started = [events_world.start(machine) for _ in range(5)]
    triggers = [sfn_trigger(events_world, d, visibility_timeout=HELD_MESSAGE_VT) for d in started]
    events = released_when_polling(events_world, triggers, started, timeout=180)
    latencies = [round(latency(e), 3) for e in events]
    print("five concurrent waits, latency after stopDate (s):", latencies)
    assert [e.payload["outcome"]["resource"] for e in events] == [d["executionArn"] for d in started]
    assert all(e.payload["outcome"]["source"] == "event" for e in events)
    assert all(t.stats["describes"] == 1 for t in triggers)
    assert max(latencies) < STRUCTURAL_BOUND, latencies
    assert events_world.drain(wait=1) == []


def _orphan_event(world, arn_suffix: str) -> str:
    return json.dumps(
        {
            "version": "0",
            "id": "orphan",
            "detail-type": "Step Functions Execution Status Change",
            "source": "aws.states",
            "account": world.account_id,
            "time": "2026-01-01T00:00:00Z",
            "region": "eu-west-1",
            "resources": [],
            "detail": {
                "executionArn": f"arn:aws:states:eu-west-1:{world.account_id}:execution:gone:{arn_suffix}",
                "status": "SUCCEEDED",
                "startDate": 1767225600000,
            },
        }
    )


def test_an_orphan_message_causes_no_hot_loop(events_world):
    """Receives per minute with one message no wait takes: bounded by the hide doublings, not by speed."""
    events_world.client("sqs").send_message(
        QueueUrl=events_world.queue_url, MessageBody=_orphan_event(events_world, "x")
    )
    # The orphan alone in the queue: no rule delivers anything else during the window (no
    # execution here ends in it, and a late event of an earlier test on this worker's local AWS,
    # an execution or ECS task still running after the reset, would be a second orphan).
    events_world.remove_rules(events_world.queue_arn)
    machine = events_world.held_machine()  # never released: no execution ends in the window
    started = [events_world.start(machine) for _ in range(2)]
    triggers = [sfn_trigger(events_world, d) for d in started]
    window = 20.0

    async def watch():
        async def one(trigger):
            async for _ in trigger.run():
                raise AssertionError("no execution ends in this window")

        tasks = [asyncio.ensure_future(one(t)) for t in triggers]
        await asyncio.sleep(window)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(watch())
    poller = triggers[0].poller_stats
    assert triggers[1].poller_stats is poller  # one poll for both waits
    receives, hidden, released = poller["receives"], poller["hidden"], poller["released"]
    per_minute = receives * 60 / window
    print(
        f"orphan: {receives} receives in {window:.0f} s ({per_minute:.1f}/min), released {released}, hidden {hidden}"
    )
    # Structure: the waits share one long poll (one receive per 20 s when idle), and the orphan is
    # received at most release_receives times plus once per doubling of its hide time: it comes
    # back after 0, 1, 3, 7, 15 s (hidden 1, 2, 4, 8, 16 s), 5 receives in 20 s, one more allowed.
    # A hot loop would receive it hundreds of times in that window (141 in 6 s, measured).
    idle = int(window // triggers[0].wait_time_seconds) + 1
    orphan = triggers[0].release_receives + 6
    assert receives <= idle + orphan, (receives, idle, orphan)
    assert released <= triggers[0].release_receives
    attrs = events_world.client("sqs").get_queue_attributes(
        QueueUrl=events_world.queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    assert (
        int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"]) == 1
    )  # kept


def test_duplicate_and_stale_events_never_complete_a_newer_wait(events_world):
    described = events_world.start(events_world.held_machine(), name="same-name")
    arn = described["executionArn"]
    stale = {
        "version": "0",
        "id": "stale",
        "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states",
        "account": events_world.account_id,
        "time": "2026-01-01T00:00:00Z",
        "region": "eu-west-1",
        "resources": [arn],
        "detail": {
            "executionArn": arn,
            "status": "FAILED",
            # an earlier execution with the same name, a day earlier
            "startDate": int(described["startDate"].timestamp() * 1000) - 86_400_000,
        },
    }
    sqs = events_world.client("sqs")
    for _ in range(2):  # delivered twice: at least once
        sqs.send_message(QueueUrl=events_world.queue_url, MessageBody=json.dumps(copy.deepcopy(stale)))
    trigger = sfn_trigger(events_world, described)
    [event] = released_when_polling(events_world, [trigger], [described], timeout=60)
    assert event.payload["status"] == "success", event.payload  # the FAILED of the earlier one did not count
    assert event.payload["outcome"]["detail"]["startDate"] == stale["detail"]["startDate"] + 86_400_000
    assert trigger.stats["consumed"] == 3  # its own: two stale copies and the real end
    assert events_world.drain(wait=1) == []


def test_backstop_catches_a_lost_event(events_world):
    events = events_world.client("events")
    rule = events_world.queue_arn.rsplit(":", 1)[-1] + "-sfn"
    events.remove_targets(Rule=rule, Ids=["queue"])  # the event is lost on its way
    # Running at the trigger's first Describe, ended (released) right after it, before the backstop's.
    backstop = 8.0
    described = events_world.start(events_world.held_machine())
    trigger = sfn_trigger(events_world, described, backstop_interval=backstop)

    async def scenario():
        task = asyncio.ensure_future(first_event(trigger))
        await polling(trigger)  # the backstop interval counts from here
        await asyncio.to_thread(events_world.release, described["executionArn"])
        assert trigger.stats["describes"] == 1, "released after the backstop was due: no lost event tested"
        return await asyncio.wait_for(task, 180)

    event = asyncio.run(scenario())
    assert event.payload["outcome"]["source"] == "describe" and event.payload["status"] == "success"
    # At start (the execution still running), then at the first backstop: the end, released
    # after the first Describe with its event lost, was seen by the backstop's Describe only.
    assert trigger.stats["describes"] == 2


def test_an_end_before_the_wait_began_is_seen_at_start(events_world):
    described = events_world.start(events_world.state_machine(wait_machine(0)))
    events_world.wait_execution(described["executionArn"])
    trigger = sfn_trigger(events_world, described)
    event = run_trigger(trigger, timeout=30)
    assert event.payload["outcome"]["source"] == "describe" and trigger.poller_stats == {}  # no poll


def test_restart_resumes_the_wait(events_world):
    described = events_world.start(events_world.held_machine())
    first = sfn_trigger(events_world, described)  # the default 5 s visibility timeout

    async def run_a_while():
        task = asyncio.ensure_future(first_event(first))
        await polling(first)  # deferred and polling the queue
        task.cancel()  # the triggerer dies
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(run_a_while())
    second = rebuild(first)  # what a new triggerer builds from the trigger row
    [event] = released_when_polling(events_world, [second], [described])
    assert event.payload["status"] == "success" and event.payload["outcome"]["source"] == "event"
    # The dead triggerer's long poll may still take the event on the server side: it is then
    # hidden for one visibility timeout before the new triggerer receives it.
    assert latency(event) < first.visibility_timeout + STRUCTURAL_BOUND


def test_ecs_wait_ends_on_the_stopped_event(events_world):
    cluster = events_world.ecs_cluster()
    # Its 1 s run time starts at the trigger's own DescribeTasks, which therefore sees it RUNNING.
    task_arn = events_world.run_task(cluster, seconds=1, exit_code=0, after_describe=True)
    trigger = ResourceEventTrigger(
        kind="ecs", resource=task_arn, cluster=cluster, queue_url=events_world.queue_url,
        visibility_timeout=HELD_MESSAGE_VT,
    )  # fmt: skip
    event = run_trigger(trigger, timeout=120)
    assert event.payload["status"] == "success" and event.payload["task_arn"] == task_arn
    assert event.payload["cluster"] == cluster and event.payload["outcome"]["source"] == "event"
    assert trigger.stats["describes"] == 1
    assert latency(event) < STRUCTURAL_BOUND


def test_alarm_wait_ignores_older_changes_and_ends_on_a_new_one(events_world):
    names = [events_world.alarm("drill-stop-a"), events_world.alarm("drill-stop-b")]
    events_world.set_alarm(names[0], "ALARM")  # an earlier drill's stop, still in the queue ...
    events_world.set_alarm(names[0], "OK")  # ... and over
    time.sleep(1.1)  # the earlier change is strictly older than the wait
    trigger = ResourceEventTrigger(
        kind="alarm", alarm_names=names, since=time.time(), queue_url=events_world.queue_url,
        visibility_timeout=HELD_MESSAGE_VT,
    )  # fmt: skip

    async def scenario():
        async def one():
            async for event in trigger.run():
                return event

        task = asyncio.ensure_future(one())
        await polling(trigger)  # its Describe at start saw both alarms OK
        deadline = time.monotonic() + 60
        while trigger.stats["consumed"] < 2:  # the old ALARM and OK events reached the wait
            assert time.monotonic() < deadline, "the earlier drill's events never reached the wait"
            await asyncio.sleep(0.05)
        assert not task.done(), "an old ALARM must not end the wait"
        await asyncio.to_thread(events_world.set_alarm, names[1], "ALARM")
        return await asyncio.wait_for(task, 30)

    event = asyncio.run(scenario())
    assert event.payload["outcome"]["resource"] == names[1] and event.payload["outcome"]["source"] == "event"
    assert latency(event) < STRUCTURAL_BOUND


def test_alarm_already_in_alarm_ends_the_wait_at_start(events_world):
    name = events_world.alarm("drill-stop-c")
    events_world.set_alarm(name, "ALARM")
    trigger = ResourceEventTrigger(
        kind="alarm", alarm_names=[name], since=time.time(), queue_url=events_world.queue_url
    )
    event = run_trigger(trigger, timeout=30)
    assert event.payload["outcome"]["source"] == "describe" and event.payload["outcome"]["resource"] == name


def test_two_waits_on_the_same_alarm_both_end_on_its_one_event(events_world):
    name = events_world.alarm("drill-stop-shared")
    triggers = [
        ResourceEventTrigger(
            kind="alarm", alarm_names=[name], since=time.time(), queue_url=events_world.queue_url
        )
        for _ in range(2)
    ]

    async def scenario():
        async def one(trigger):
            async for event in trigger.run():
                return event

        tasks = [asyncio.ensure_future(one(t)) for t in triggers]
        await polling(*triggers)  # both Describes at start saw OK
        await asyncio.to_thread(events_world.set_alarm, name, "ALARM")
        return await asyncio.wait_for(asyncio.gather(*tasks), 30)

    events = asyncio.run(scenario())
    assert [e.payload["outcome"]["source"] for e in events] == ["event", "event"]
    assert triggers[0].poller_stats["deleted"] == 1  # one message, consumed once
