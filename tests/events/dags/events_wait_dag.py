"""Test DAG (not in dags/): the three event-driven waits, driven by params.

``step``: StepFunctionStartAndWaitOperator, input checked against asl/db/stop_cluster.schema.json
(the machine itself is the test's short Wait machine). ``job``: an EcsRunTaskOperator with the
EcsTaskStoppedWait mixin. ``stop_condition``: AlarmWaitOperator.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.providers.amazon.aws.operators.ecs import EcsRunTaskOperator
from airflow.sdk import DAG
from platform_ops.events.operators import (
    AlarmWaitOperator,
    EcsTaskStoppedWait,
    StepFunctionStartAndWaitOperator,
)

STOP_CLUSTER_INPUT = {
    "DestinationAccount": {
        "RoleArn": "arn:aws:iam::333333333333:role/platform-ops",
        "AccountId": "333333333333",
    },
    "DbClusterIdentifier": "orders-staging",
}


class EventEcsRunTaskOperator(EcsTaskStoppedWait, EcsRunTaskOperator):
    """The provider's operator (reattach, exit codes, last log line) waiting on the STOPPED event."""


with DAG(
    dag_id="events_wait_test",
    schedule=None,
    params={"machine": "", "queue": "", "cluster": "", "alarm": "", "exit_code": "0"},
    default_args={"retries": 0},
) as dag:
    step = StepFunctionStartAndWaitOperator(
        task_id="step",
        state_machine_arn="{{ params.machine }}",
        event_queue_url="{{ params.queue }}",
        state_machine_input=STOP_CLUSTER_INPUT,
        definition="db/stop_cluster",
        wait_timeout=timedelta(hours=4),
    )
    job = EventEcsRunTaskOperator(
        task_id="job",
        cluster="{{ params.cluster }}",
        task_definition="events-job",
        # Named, so the provider reads the log stream name from it instead of sleeping 10 s after
        # RunTask to find the container (EcsRunTaskOperator._start_task).
        container_name="job",
        launch_type="FARGATE",
        overrides={
            "containerOverrides": [
                {
                    "name": "job",
                    "environment": [
                        {"name": "MOTO_RUN_SECONDS", "value": "2"},
                        # counted from the wait's first DescribeTasks: it always ends on the event
                        {"name": "MOTO_RUN_AFTER_DESCRIBE", "value": "1"},
                        {"name": "MOTO_EXIT_CODE", "value": "{{ params.exit_code }}"},
                        {"name": "MOTO_LOG_LINES", "value": "starting\\ndone: 42 rows"},
                    ],
                }
            ]
        },
        network_configuration={
            "awsvpcConfiguration": {"subnets": ["subnet-0events"], "securityGroups": ["sg-0events"]}
        },
        awslogs_group="/platform-ops/events-job",
        awslogs_stream_prefix="ecs/job",
        awslogs_fetch_interval=timedelta(seconds=1),
        reattach=True,
        event_queue_url="{{ params.queue }}",
    )
    stop_condition = AlarmWaitOperator(
        task_id="stop_condition",
        alarm_names=["{{ params.alarm }}"],
        event_queue_url="{{ params.queue }}",
    )
    step >> job >> stop_condition
