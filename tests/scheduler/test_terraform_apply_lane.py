"""terraform_apply under the real scheduler: the approval timeout, and one run per stack.

``dag.test()`` has no scheduler, so it never applies ``response_timeout``: here the scheduler's
own timeout sweep does, and two runs really run at the same time on two Celery workers.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from platform_ops.local.clients import account_client

from tests.scheduler.cluster import TERMINAL
from tests.scheduler.conftest import APPROVAL_TIMEOUT_HOURS
from tests.waiting import wait_until

DAG = "terraform_apply"
STACK = "platform-core"
BUCKET = "platform-core-444444444444-eu-west-1"  # the stack's bucket in the dev account


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _buckets(endpoint: str) -> list[str]:
    return [b["Name"] for b in account_client(endpoint, "dev", "s3").list_buckets()["Buckets"]]


def _apply_records(endpoint: str) -> list[str]:
    from platform_ops.registry import registry

    s3 = account_client(endpoint, "shared-services", "s3")
    listing = s3.list_objects_v2(Bucket=registry().artifacts_bucket, Prefix=f"terraform/plans/{STACK}/")
    return [o["Key"] for o in listing.get("Contents", []) if o["Key"].endswith("/apply-record.json")]


def _leases(endpoint: str) -> list[dict]:
    from platform_ops.registry import registry

    ddb = account_client(endpoint, "dev", "dynamodb")
    items = ddb.scan(TableName=registry().stack(STACK).lock_table)["Items"]
    return [i for i in items if i["LockID"]["S"].startswith("platform-ops-run-lease/")]


def test_no_answer_is_a_reject_when_the_approval_times_out(cluster, lane_aws):
    api = cluster.api
    applies_before = cluster.applies()
    run_id = api.trigger(DAG, {"stack": STACK})
    parked = api.wait_task_state(DAG, run_id, "approve", "awaiting_input")

    run = api.wait_run(DAG, run_id)  # nobody answers

    detail = api.hitl(DAG, run_id, "approve")
    assert detail["chosen_options"] == ["Reject"], detail
    assert detail["responded_by_user"] is None, detail  # the scheduler's timeout, not a person
    waited = _when(detail["responded_at"]) - _when(parked["start_date"])
    assert waited >= timedelta(hours=APPROVAL_TIMEOUT_HOURS), waited
    states = api.states(DAG, run_id)
    expected = {
        "lock_stack": "success",
        "plan": "success",
        "approve": "success",
        "apply": "skipped",  # a Reject skips the apply
        "release_stack": "success",  # the teardown always runs
    }
    assert {task: states.get(task) for task in expected} == expected, states
    assert run["state"] == "success", run
    assert cluster.applies() == applies_before  # terraform apply never started
    assert BUCKET not in _buckets(lane_aws) and _apply_records(lane_aws) == []
    assert _leases(lane_aws) == []  # the stack is free again


def test_two_runs_of_one_stack_at_once_never_both_apply(cluster, lane_aws):
    api = cluster.api
    applies_before = cluster.applies()
    runs = [api.trigger(DAG, {"stack": STACK}), api.trigger(DAG, {"stack": STACK})]
    answered: set[str] = set()

    def both_ended() -> bool:
        """Approve whatever waits for a person, as a reviewer would; True when both runs ended."""
        for run_id in runs:
            if run_id not in answered and api.task(DAG, run_id, "approve")["state"] == "awaiting_input":
                api.answer(DAG, run_id, "approve", "Approve")
                answered.add(run_id)
        return all(api.run(DAG, run_id)["state"] in TERMINAL for run_id in runs)

    wait_until(both_ended, "both terraform_apply runs to end", interval=0.5)

    states = {run_id: api.states(DAG, run_id) for run_id in runs}
    applied = [run_id for run_id in runs if states[run_id]["apply"] == "success"]
    assert len(applied) == 1, states
    (winner,) = applied
    (loser,) = [run_id for run_id in runs if run_id != winner]
    refused = api.log(DAG, loser, "lock_stack", 1)
    assert "StackBusyError" in refused and f"is in use by run {winner}" in refused, refused[-2000:]
    assert states[loser]["apply"] != "success", states[loser]
    assert len(cluster.applies()) == len(applies_before) + 1  # one terraform apply started, not two
    assert len(_apply_records(lane_aws)) == 1
    assert BUCKET in _buckets(lane_aws)
    assert _leases(lane_aws) == []
