"""``RefreshStepOperator``: one refresh step = one state-machine execution, started and waited for.

The machine, the event queue and the connection come from the registry's ``refresh`` section;
the input is built at run time from the plan ``preflight`` returned (``plan.machine_input``), so
the DAG file parses without any AWS call. A step that does not apply to this run (a snapshot mode
not chosen, EFS off, nothing to roll back) is skipped with the reason in its log. Everything
else, the deterministic execution name, the re-attach on retry, the input contract, the wait on
the Step Functions event, is ``StepFunctionStartAndWaitOperator``'s.
"""

from __future__ import annotations

from airflow.sdk.exceptions import AirflowSkipException

from platform_ops.events.operators import StepFunctionStartAndWaitOperator
from platform_ops.refresh import plan as refresh_plan
from platform_ops.registry import registry

PLAN_TASK = "preflight"


class RunLook:
    """What a step's input may depend on: earlier steps' outputs, and (rollback) which clusters exist."""

    def __init__(self, context, the_plan: dict):
        self.context, self.plan = context, the_plan

    def output(self, task_id: str) -> dict | None:
        return self.context["ti"].xcom_pull(task_ids=task_id)

    def attempted(self, task_id: str) -> bool:
        return bool(self.context["ti"].xcom_pull(task_ids=task_id, key="execution_arn"))

    def cluster_exists(self, identifier: str) -> bool:
        from platform_ops.aws.access import aws_client

        rds = aws_client(self.plan["target"]["name"], "rds", self.plan["region"])
        found = rds.describe_db_clusters(Filters=[{"Name": "db-cluster-id", "Values": [identifier]}])
        return bool(found["DBClusters"])


class RefreshStepOperator(StepFunctionStartAndWaitOperator):
    """Run the refresh step ``task_id`` (a key of ``plan.STEPS``) of one destination."""

    ui_color = "#c9e4f5"

    def __init__(self, *, task_id: str, **kwargs):
        settings = registry().refresh  # the cached registry: no AWS call at parse
        step = refresh_plan.STEPS[task_id]
        kwargs.setdefault("doc_md", f"{step.phase}: {step.doc} (asl/{step.definition})")
        super().__init__(
            task_id=task_id,
            state_machine_arn=settings.state_machine_arn(step.definition),
            event_queue_url=settings.event_queue_url,
            definition=step.definition,
            aws_conn_id=settings.account.aws_conn_id,
            region_name=settings.region,
            **kwargs,
        )
        self.poll_interval_seconds = settings.poll_interval_seconds

    def execute(self, context):
        the_plan = context["ti"].xcom_pull(task_ids=PLAN_TASK)
        payload = refresh_plan.machine_input(self.task_id, the_plan, RunLook(context, the_plan))
        if payload is None:
            raise AirflowSkipException(
                f"{self.task_id}: not part of this run (options and earlier steps, see the plan)"
            )
        contract = self._contract()
        if self.poll_interval_seconds is not None and "PollIntervalSeconds" in contract.get("properties", {}):
            payload = {**payload, "PollIntervalSeconds": self.poll_interval_seconds}
        self.state_machine_input = payload
        return super().execute(context)
