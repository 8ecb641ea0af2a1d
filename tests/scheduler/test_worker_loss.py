"""A Celery worker killed with SIGKILL during terraform_apply's ``apply``: the retry runs on the
other worker, the run succeeds, and terraform applied once.

The lane's terraform wrapper holds ``apply`` at a gate before terraform starts (cluster.py), so
the worker dies at a known point: its task's supervisor stops heartbeating, the scheduler fails
the try after ``[scheduler] task_instance_heartbeat_timeout`` and retries it (``retries=1``), and
the only worker left takes it. README: "a worker lost between plan and apply loses nothing: the
retry re-uses the stored, reviewed plan".
"""

from __future__ import annotations

from tests.scheduler.cluster import WORKERS
from tests.scheduler.test_terraform_apply_lane import BUCKET, STACK, _apply_records, _buckets
from tests.waiting import wait_until

DAG = "terraform_apply"


def test_a_worker_lost_during_apply_is_retried_on_the_other_worker_and_applies_once(cluster, lane_aws):
    api = cluster.api
    applies_before = cluster.applies()
    waiting = cluster.tf_gate.with_name(cluster.tf_gate.name + ".waiting")
    waiting.unlink(missing_ok=True)
    cluster.tf_gate.touch()
    victim = None
    try:
        run_id = api.trigger(DAG, {"stack": STACK})
        api.wait_task_state(DAG, run_id, "approve", "awaiting_input")
        api.answer(DAG, run_id, "approve", "Approve")
        wrapper = int(
            wait_until(lambda: waiting.exists() and waiting.read_text().strip(), "apply at the gate")
        )
        ti = api.wait_task_state(DAG, run_id, "apply", "running")
        victim = ti["hostname"]
        assert victim in WORKERS, ti
        assert wrapper in cluster.parts[victim].pids()  # the held terraform is that worker's
        cluster.parts[victim].kill()
    finally:
        cluster.tf_gate.unlink(missing_ok=True)
    try:  # from here on the victim is down
        run = api.wait_run(DAG, run_id)
        tries = [(t["try_number"], t["state"], t["hostname"]) for t in api.tries(DAG, run_id, "apply")]
        (survivor,) = [w for w in WORKERS if w != victim]
        assert tries == [(1, "failed", victim), (2, "success", survivor)], tries
        assert run["state"] == "success", api.states(DAG, run_id)
        new_applies = cluster.applies()[len(applies_before) :]
        assert [line.split()[1] for line in new_applies] == [survivor], new_applies  # applied once, there
        assert len(_apply_records(lane_aws)) == 1 and BUCKET in _buckets(lane_aws)
    finally:  # the lane goes on with two workers
        cluster.start_worker(victim)
        cluster.wait_worker_ready(victim)
