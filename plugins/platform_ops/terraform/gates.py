"""The human gate of the Terraform DAGs (a plan, a state restore, a lock release), set up once.

Every gate shows the ``summary_md`` its review task returned, treats no answer within the
registry's ``approval_timeout_hours`` as **Reject**, and is never retried: a retry would park a
new request for an answer that was already given.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.providers.standard.operators.hitl import ApprovalOperator

from platform_ops.registry import registry


def approval_timeout() -> timedelta:
    return timedelta(hours=registry().terraform.approval_timeout_hours)


def run_lease_seconds() -> int:
    """How long a run that waits for a person may hold its stack: the approval plus two commands."""
    return int(approval_timeout().total_seconds()) + 2 * registry().terraform.timeout_seconds


def review_gate(task_id: str, subject: str, review_task_id: str) -> ApprovalOperator:
    """An ``ApprovalOperator`` whose page is the ``summary_md`` of ``review_task_id``'s result."""
    return ApprovalOperator(
        task_id=task_id,
        subject=subject,
        body=f"{{{{ ti.xcom_pull(task_ids='{review_task_id}')['summary_md'] }}}}",
        defaults=["Reject"],
        response_timeout=approval_timeout(),
        retries=0,
    )
