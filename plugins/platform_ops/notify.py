"""Notices to the registry's SNS topic: the failure notifier every DAG uses, and task notices.

One path: both go through ``SnsHook.publish_to_target`` on the notification account's
connection. ``send_notice`` is for notices a task sends itself (a summary, a drift change);
``FailureNotifier`` is the ``on_failure_callback`` the DAG builder sets on every task.

One notice per failure cause: a task that fails the run only because another task failed (and
was notified) raises ``FailureAlreadyNotified``, and the notifier sends nothing for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from airflow.providers.amazon.aws.notifications.sns import SnsNotifier
from airflow.sdk.exceptions import AirflowFailException

from platform_ops.aws.access import aws_hook
from platform_ops.registry import registry

FAILURE_SUBJECT = "[platform-ops] {{ dag.dag_id }} failed"
FAILURE_MESSAGE = (
    "DAG {{ dag.dag_id }} failed in task {{ ti.task_id }} (try {{ ti.try_number }}), run {{ run_id }}.\n"
    "Reason: {{ exception }}\n"
    "Log: open the task instance in the Airflow UI."
)
# SNS refuses a subject longer than 100 characters.
MAX_SUBJECT = 100

log = logging.getLogger(__name__)

Composer = Callable[[Mapping[str, Any]], tuple[str, str]]


class FailureAlreadyNotified(AirflowFailException):
    """Fails the run because other tasks failed; their own notices said why, so none is sent for it."""


def _sns_hook():
    reg = registry()
    return aws_hook(reg.notification_account, "sns", reg.notification_region)


def send_notice(subject: str, message: str) -> str:
    """Send one notice to the registry's topic; returns the SNS message id."""
    target = registry().notification_topic_arn
    message_id = _sns_hook().publish_to_target(target_arn=target, message=message, subject=subject[:MAX_SUBJECT])
    log.info("notice sent to %s: %s", target, subject)
    return message_id


class FailureNotifier(SnsNotifier):
    """``SnsNotifier`` to the registry's topic; ``compose(context)`` may write the notice itself.

    Without ``compose`` the subject and message are the templates above. A feature whose
    incidents say more (the SOX notice names the company and period) passes its own composer.
    """

    def __init__(self, compose: Composer | None = None):
        reg = registry()  # cheap: the cached registry, no AWS call
        super().__init__(
            aws_conn_id=reg.notification_account.aws_conn_id,
            region_name=reg.notification_region,
            target_arn=reg.notification_topic_arn,
            subject=FAILURE_SUBJECT,
            message=FAILURE_MESSAGE,
        )
        self.compose = compose

    def notify(self, context):
        if isinstance(context.get("exception"), FailureAlreadyNotified):
            log.info("no notice for %s: the failures it reports were notified", context["ti"].task_id)
            return
        # The composed text is sent as is: it is not put back on self, where Jinja would render it.
        subject, message = self.compose(context) if self.compose else (self.subject, self.message)
        send_notice(subject, message)

