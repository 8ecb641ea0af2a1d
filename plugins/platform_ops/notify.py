"""Alerts: the SNS notifier every DAG uses on failure, and a publisher for tasks' own notices."""

from __future__ import annotations

from platform_ops.registry import registry

FAILURE_MESSAGE = (
    "DAG {{ dag.dag_id }} failed in task {{ ti.task_id }} (try {{ ti.try_number }}), run {{ run_id }}.\n"
    "Reason: {{ exception }}\n"
    "Log: open the task instance in the Airflow UI."
)


def failure_notifier():
    """SnsNotifier to the registry's topic (cheap: reads the cached registry, no AWS call)."""
    from airflow.providers.amazon.aws.notifications.sns import SnsNotifier

    reg = registry()
    return SnsNotifier(
        aws_conn_id=reg.notification_account.aws_conn_id,
        region_name=reg.notification_region,
        target_arn=reg.notification_topic_arn,
        subject="[platform-ops] {{ dag.dag_id }} failed",
        message=FAILURE_MESSAGE,
    )


def publish(subject: str, message: str) -> str:
    """Publish one notice to the registry's topic; returns the message id."""
    from airflow.providers.amazon.aws.hooks.sns import SnsHook

    reg = registry()
    hook = SnsHook(aws_conn_id=reg.notification_account.aws_conn_id, region_name=reg.notification_region)
    return hook.publish_to_target(target_arn=reg.notification_topic_arn, message=message, subject=subject[:100])
