"""The one DAG setup every platform DAG uses, and the fail-fast retry policy.

``platform_dag`` gives every DAG the same owner, UTC start date, ``catchup=False``, retries,
failure notice (``notify.FailureNotifier``), tags and ``doc_md`` (the DAG file's docstring), so
a DAG file holds only what is its own: schedule, params and steps.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import pendulum
from airflow.sdk import DAG

START_DATE = pendulum.datetime(2026, 1, 1, tz="UTC")
OWNER = "platform-team"


def default_args(retries: int = 1, retry_delay: timedelta = timedelta(minutes=2), notifier=None) -> dict:
    """Task defaults: owner, retries with exponential backoff, the failure notice."""
    from platform_ops.notify import FailureNotifier

    return {
        "owner": OWNER,
        "retries": retries,
        "retry_delay": retry_delay,
        "retry_exponential_backoff": True,
        "on_failure_callback": [notifier or FailureNotifier()],
    }


def platform_dag(
    dag_id: str,
    doc: str | None,
    *,
    schedule: str | None,
    tags: Iterable[str],
    retries: int = 1,
    retry_delay: timedelta = timedelta(minutes=2),
    notifier=None,
    **dag_kwargs,
) -> DAG:
    """A DAG with the shared setup; ``doc`` is the DAG file's ``__doc__``, ``notifier`` a
    feature's own ``FailureNotifier`` (default: the generic one). Other DAG arguments pass through.
    """
    if not doc or not doc.strip():
        raise ValueError(f"{dag_id}: the DAG file needs a docstring (it becomes doc_md)")
    return DAG(
        dag_id=dag_id,
        doc_md=doc,
        schedule=schedule,
        start_date=START_DATE,
        catchup=False,
        tags=list(tags),
        default_args=default_args(retries, retry_delay, notifier),
        **dag_kwargs,
    )


def fail_fast_policy(*exceptions: type[BaseException], reason: str):
    """A retry policy that fails at once on the given exception classes.

    Classes, not dotted strings: a renamed or moved class then fails at import instead of
    silently turning "fail at once" into "retry".
    """
    from airflow.sdk import ExceptionRetryPolicy, RetryAction, RetryRule

    for exc in exceptions:
        if not (isinstance(exc, type) and issubclass(exc, BaseException)):
            raise TypeError(f"fail_fast_policy takes exception classes, got {exc!r}")
    return ExceptionRetryPolicy(rules=[RetryRule(exception=list(exceptions), action=RetryAction.FAIL, reason=reason)])
