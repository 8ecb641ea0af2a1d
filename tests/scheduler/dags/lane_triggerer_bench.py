"""Test DAG of the scheduler lane and of the triggerer bench (not in dags/): N alarm waits at once.

``params.alarms`` names the CloudWatch alarms; one mapped ``AlarmWaitOperator`` per alarm defers
on ``ResourceEventTrigger`` (the queue in ``params.queue``) until that alarm enters ALARM. All of
them are deferred together in the one triggerer; ``tests/scheduler/triggerer_bench.py`` ends them.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import DAG, task
from platform_ops.events.operators import AlarmWaitOperator


@task
def each_alarm(**context) -> list[list[str]]:
    """One wait per alarm: the mapped operator's ``alarm_names``."""
    return [[name] for name in context["params"]["alarms"]]


with DAG(
    dag_id="lane_triggerer_bench",
    schedule=None,
    params={"alarms": [], "queue": ""},
    default_args={"retries": 0},
    max_active_tasks=64,  # deferred tasks do not count; this bounds the ones executing at once
) as dag:
    AlarmWaitOperator.partial(
        task_id="wait", event_queue_url="{{ params.queue }}", wait_timeout=timedelta(hours=2)
    ).expand(alarm_names=each_alarm())
