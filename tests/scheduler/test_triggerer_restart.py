"""A deferred Step Functions wait survives its triggerer killed with SIGKILL and started again.

While the task is deferred no worker holds it: the wait is a row in the metadata database that
a triggerer runs. A triggerer that dies stops heartbeating; the next one takes its triggers over
and runs them again from their serialized arguments (``ResourceEventTrigger``: Describe at
start, then the event queue), so the same try of the task ends, on the same execution.
"""

from __future__ import annotations

from platform_ops.local.clients import account_session
from platform_ops.registry import registry

from tests.events.conftest import REGION, EventsWorld, wait_machine
from tests.waiting import wait_until

DAG = "lane_sfn_wait"
RUN_SECONDS = 20  # the execution outlives the triggerer's death and its successor's start


def _world(endpoint: str) -> EventsWorld:
    account = registry().artifacts_account  # where the aws_default connection lands
    world = EventsWorld(
        endpoint=endpoint,
        session=account_session(endpoint, account.name, REGION),
        account_id=account.account_id,
    )
    world.queue_url, world.queue_arn = world.create_queue()
    world.add_rules(world.queue_arn)
    return world


def test_a_deferred_wait_survives_the_triggerer_killed_and_restarted(cluster, lane_aws):
    api = cluster.api
    world = _world(lane_aws)
    machine = world.state_machine(wait_machine(RUN_SECONDS))
    run_id = api.trigger(DAG, {"machine": machine, "queue": world.queue_url})

    def running_trigger():
        ti = api.task(DAG, run_id, "step")
        return ti["state"] == "deferred" and (ti.get("trigger") or {}).get("triggerer_id") and ti

    deferred = wait_until(running_trigger, "the wait to be deferred and picked up by the triggerer")
    first_triggerer = deferred["trigger"]["triggerer_id"]
    cluster.parts["triggerer"].kill()
    assert api.task(DAG, run_id, "step")["state"] == "deferred"  # nothing failed it meanwhile
    cluster.start_triggerer()

    def taken_over_or_done():
        ti = api.task(DAG, run_id, "step")
        triggerer = (ti.get("trigger") or {}).get("triggerer_id")
        return (triggerer not in (None, first_triggerer) or ti["state"] != "deferred") and ti

    wait_until(taken_over_or_done, "the new triggerer to take the wait over")
    run = api.wait_run(DAG, run_id)

    ti = api.task(DAG, run_id, "step")
    assert (run["state"], ti["state"], ti["try_number"]) == ("success", "success", 1), (run, ti)
    executions = world.client("stepfunctions").list_executions(stateMachineArn=machine)["executions"]
    assert [e["status"] for e in executions] == ["SUCCEEDED"], executions  # exactly one execution
