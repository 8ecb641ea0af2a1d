"""``InvalidationOperator``: create one CloudFront invalidation and wait, deferred, until Completed.

The caller reference comes from the run id, so a retry of the task gets the invalidation the first
try made (CloudFront answers the existing one for the same reference and paths) instead of a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException


class InvalidationOperator(BaseOperator):
    """:param target: ``steps.prepare``'s answer (templated).
    :param approval_task_id: the HITL gate whose answer a gated invalidation needs (read from XCom;
        the gate is skipped when no approval is needed).

    :param waiter_delay: seconds between GetInvalidation calls (default: the registry's
        ``cdn.poll_seconds``, 20, botocore's own delay for this waiter).
    """

    template_fields: Sequence[str] = ("target",)

    def __init__(
        self,
        *,
        target: Any,
        approval_task_id: str = "approve",
        waiter_delay: int | None = None,
        waiter_max_attempts: int = 90,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.target = target
        self.approval_task_id = approval_task_id
        self.waiter_delay = waiter_delay
        self.waiter_max_attempts = waiter_max_attempts

    def _client(self):
        from platform_ops.aws.access import aws_client
        from platform_ops.cdn.distributions import CLOUDFRONT_REGION

        return aws_client(self.target["account"], "cloudfront", CLOUDFRONT_REGION)

    def execute(self, context):
        from platform_ops.cdn import paths
        from platform_ops.cdn.triggers import InvalidationCompletedTrigger
        from platform_ops.registry import registry

        self.approved_by = self._approver(context)
        reference = paths.caller_reference(context["dag"].dag_id, context["run_id"])
        created = self._client().create_invalidation(
            DistributionId=self.target["id"],
            InvalidationBatch={
                "Paths": {"Quantity": len(self.target["paths"]), "Items": list(self.target["paths"])},
                "CallerReference": reference,
            },
        )["Invalidation"]
        self.log.info("invalidation %s on %s: %s", created["Id"], self.target["id"], created["Status"])
        context["ti"].xcom_push(key="invalidation_id", value=created["Id"])
        if created["Status"] == "Completed":
            return self._result(created, reference)
        self.defer(
            trigger=InvalidationCompletedTrigger(
                distribution_id=self.target["id"],
                invalidation_id=created["Id"],
                aws_conn_id=registry().account(self.target["account"]).aws_conn_id,
                waiter_delay=self.waiter_delay or registry().cdn_poll_seconds,
                waiter_max_attempts=self.waiter_max_attempts,
            ),
            method_name="execute_complete",
        )

    def _approver(self, context) -> str | None:
        from platform_ops.cdn import steps

        approval = context["ti"].xcom_pull(task_ids=self.approval_task_id, default=None)
        return steps.check_approved(self.target, approval if isinstance(approval, dict) else None)

    def execute_complete(self, context, event: dict | None = None):
        from platform_ops.cdn import paths

        if not event or event.get("status") != "success":
            raise AirflowException(f"invalidation did not complete: {event!r}")
        self.approved_by = self._approver(context)
        done = self._client().get_invalidation(DistributionId=self.target["id"], Id=event["invalidation_id"])
        return self._result(
            done["Invalidation"], paths.caller_reference(context["dag"].dag_id, context["run_id"])
        )

    def _result(self, invalidation: dict, reference: str) -> dict[str, Any]:
        if invalidation["Status"] != "Completed":
            raise AirflowException(
                f"invalidation {invalidation['Id']} is {invalidation['Status']}, not Completed"
            )
        return {
            "distribution": self.target["name"],
            "distribution_id": self.target["id"],
            "invalidation_id": invalidation["Id"],
            "status": invalidation["Status"],
            "created_at": str(invalidation.get("CreateTime")),
            "caller_reference": reference,
            "paths": list(self.target["paths"]),
            "full_invalidation": "/*" in self.target["paths"],
            "approval": {
                "required": self.target["needs_approval"],
                "approved_by": getattr(self, "approved_by", None),
            },
        }
