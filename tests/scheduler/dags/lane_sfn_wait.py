"""Test DAG of the scheduler lane (not in dags/): one event-driven Step Functions wait.

``StepFunctionStartAndWaitOperator`` starts the machine given in ``params.machine`` and defers on
``ResourceEventTrigger`` (the queue in ``params.queue``) until the execution ends.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import DAG
from platform_ops.events.operators import StepFunctionStartAndWaitOperator

with DAG(
    dag_id="lane_sfn_wait",
    schedule=None,
    params={"machine": "", "queue": ""},
    default_args={"retries": 0},
) as dag:
    StepFunctionStartAndWaitOperator(
        task_id="step",
        state_machine_arn="{{ params.machine }}",
        event_queue_url="{{ params.queue }}",
        wait_timeout=timedelta(hours=1),
    )
