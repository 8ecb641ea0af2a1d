"""``Pg01RunTaskOperator``: the provider's ``EcsRunTaskOperator`` with the PG-01 contract added.

It waits for the task's end on AWS's own "ECS Task State Change" (STOPPED) event, through the
native-events queue of the SOX stack (``EcsTaskStoppedWait``: one DescribeTasks at the start,
then one every ``ecs.backstop_interval_seconds`` only as a backstop), not by polling. At run time it turns a plan (company, period, network...) into container overrides that carry
this try's S3 prefix, and after the task stops it returns a run record read from the ECS task
description (task ARN, image digest, log stream, the prefix the container really wrote to, which
matters when ``reattach`` picked up an earlier try's task). On failure it replaces the provider's
message (a dump of the task) with what the exit code means and the last CloudWatch lines, and
makes configuration errors terminal instead of retried.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from airflow.providers.amazon.aws.hooks.logs import AwsLogsHook
from airflow.providers.amazon.aws.operators.ecs import EcsRunTaskOperator
from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowSkipException

from platform_ops.events.operators import EcsTaskStoppedWait
from platform_ops.registry import registry
from platform_ops.sox.config import SoxConfig
from platform_ops.sox.contract import (
    ENV_EVIDENCE_URI,
    ENV_TRY_NUMBER,
    MODE_PREFLIGHT,
    container_overrides,
    explain_exit,
    override_environment,
    redact,
)
from platform_ops.sox.layout import RunLocation

LOG_EXCERPT_LINES = 15
_DIGEST = re.compile(r"@(sha256:[0-9a-f]{64})$")


def pg01_ecs_kwargs(config: SoxConfig) -> dict[str, Any]:
    """The settings both ECS steps share (pre-flight and per-company run), from the config file.

    Deferrable and reattaching; the event wait (``wait_timeout``) covers the whole execution
    timeout, with a DescribeTasks backstop every ``backstop_interval_seconds`` (default 300); ECS
    failures retry with exponential backoff. The event queue's URL is the plan's
    (``event_queue_url``, read by ``resolve_period``). Reads only the cached registry and config:
    no AWS call.
    """
    ecs = config.ecs
    timeout = timedelta(minutes=ecs["execution_timeout_minutes"])
    return dict(
        aws_conn_id=registry().account(config.account).aws_conn_id,
        region_name=config.region,
        cluster=ecs["cluster"],
        task_definition=ecs["task_definition"],
        launch_type="FARGATE",
        container_name=ecs["container_name"],
        awslogs_group=ecs["log_group"],
        awslogs_region=config.region,
        awslogs_stream_prefix=ecs["log_stream_prefix"],
        deferrable=True,
        reattach=True,
        wait_timeout=timeout,
        backstop_interval=float(ecs.get("backstop_interval_seconds", 300)),
        pool=ecs["pool"],
        execution_timeout=timeout,
        retries=ecs["retries"],
        retry_delay=timedelta(seconds=ecs["retry_delay_seconds"]),
        retry_exponential_backoff=True,
        max_retry_delay=timedelta(seconds=ecs.get("max_retry_delay_seconds", 3600)),
    )


class Pg01RunTaskOperator(EcsTaskStoppedWait, EcsRunTaskOperator):
    """Run the SOXauto container in ``mode`` (``reconcile`` or ``preflight``) for ``plan``.

    The wait ends on the task's STOPPED event in ``plan["event_queue_url"]`` (or at a backstop
    DescribeTasks); the provider's reattach and exit-code check run as before.
    """

    template_fields = (*EcsRunTaskOperator.template_fields, "plan")

    def __init__(self, *, plan: Any, mode: str, **kwargs):
        kwargs.setdefault("overrides", {})
        kwargs.setdefault("event_queue_url", "")  # the plan's, set at run time (_prepare)
        super().__init__(**kwargs)
        self.plan = plan
        self.mode = mode

    # -- building the run -------------------------------------------------------------------
    @property
    def _company(self) -> str:
        """The plan's company; the pre-flight checks CR_04 readiness for the first one."""
        return self.plan.get("company") or self.plan["companies"][0]

    def _location(self, context) -> RunLocation | None:
        if self.mode == MODE_PREFLIGHT:
            return None
        return RunLocation(
            bucket=self.plan["bucket"],
            base_prefix=self.plan["base_prefix"],
            period=self.plan["period"],
            company=self.plan["company"],
            run_id=context["run_id"],
            try_number=context["ti"].try_number,
        )

    def _prepare(self, context) -> None:
        location = self._location(context)
        self.overrides = container_overrides(
            container_name=self.container_name,
            mode=self.mode,
            company=self._company,
            period=self.plan["period"],
            cutoff=self.plan["cutoff"],
            ipes=self.plan["ipes"],
            evidence_uri=location.uri if location else None,
            dag_run_id=context["run_id"],
            try_number=context["ti"].try_number,
            extra_environment=self.plan.get("container_environment"),
        )
        self.network_configuration = self.plan["network_configuration"]
        self.event_queue_url = self.plan.get("event_queue_url") or self.event_queue_url
        if not self.event_queue_url:
            raise AirflowFailException(
                "no event queue URL in the plan (config ecs.event_queue): the wait for the ECS task "
                "needs the SOX stack's native-events queue"
            )
        self.tags = {"control": "PG-01", "period": self.plan["period"], "company": self._company}

    def execute(self, context):
        self._prepare(context)
        try:
            super().execute(context)
        except AirflowSkipException:
            raise
        except AirflowException as err:
            raise self._explain(err) from None
        return self._record(context)

    def execute_complete(self, context, event=None):
        try:
            super().execute_complete(context, event)
        except AirflowSkipException:
            raise
        except AirflowException as err:
            raise self._explain(err) from None
        return self._record(context)

    # -- reading the outcome ----------------------------------------------------------------
    def _describe(self) -> dict[str, Any]:
        """The stopped task: as its STOPPED event described it, else from DescribeTasks."""
        stopped = getattr(self, "_stopped_task", None)
        if stopped and stopped.get("taskArn") == self.arn:
            return stopped
        response = self.client.describe_tasks(cluster=self.cluster, tasks=[self.arn])
        if not response.get("tasks"):
            raise AirflowException(f"ECS task {self.arn} is no longer described: {response.get('failures')}")
        return response["tasks"][0]

    def _container(self, task: dict[str, Any]) -> dict[str, Any]:
        for container in task.get("containers", []):
            if container.get("name") == self.container_name:
                return container
        return (task.get("containers") or [{}])[0]

    def _log_excerpt(self) -> str:
        try:
            logs = AwsLogsHook(aws_conn_id=self.aws_conn_id, region_name=self.resolve_awslogs_region()).conn
            events = logs.get_log_events(
                logGroupName=self.awslogs_group,
                logStreamName=self._get_logs_stream_name(),
                startFromHead=False,
                limit=LOG_EXCERPT_LINES,
            )["events"]
        except Exception as err:  # the excerpt is a courtesy; never hide the real failure
            return f"(CloudWatch logs unavailable: {err})"
        return redact("\n".join(event["message"] for event in events)) or "(no log lines)"

    def _explain(self, err: AirflowException) -> AirflowException:
        """One message saying what failed, what the exit code means and what the job last logged."""
        if not self.arn:
            return err
        try:
            task = self._describe()
        except Exception:
            return err
        container = self._container(task)
        code = container.get("exitCode")
        who = self.plan.get("company") or "all companies"
        where = f"CloudWatch {self.awslogs_group} / {self._get_logs_stream_name()}"
        if code is None:
            meaning = (
                f"the task stopped without an exit code ({task.get('stoppedReason', 'no reason given')})"
            )
            retryable = True
        else:
            explained = explain_exit(self.mode, int(code))
            meaning, retryable = f"exit code {code}: {explained.reason}", explained.retryable
        message = (
            f"SOX PG-01 {self.mode} for {who}, period {self.plan['period']}: {meaning}.\n"
            f"ECS task {self.arn}; logs in {where}.\n"
            f"Last {LOG_EXCERPT_LINES} log lines:\n{self._log_excerpt()}"
        )
        return AirflowException(message) if retryable else AirflowFailException(message)

    def _record(self, context) -> dict[str, Any]:
        task = self._describe()
        container = self._container(task)
        env = override_environment(task.get("overrides") or {}, self.container_name)
        image = container.get("image") or ""
        digest = container.get("imageDigest")
        if not digest and (match := _DIGEST.search(image)):
            digest = match.group(1)
        return {
            "mode": self.mode,
            "company": self.plan.get("company"),
            "task_arn": self.arn,
            "cluster_arn": task.get("clusterArn"),
            "task_definition_arn": task.get("taskDefinitionArn"),
            "image": image,
            "image_digest": digest,
            "exit_code": container.get("exitCode"),
            "log_group": self.awslogs_group,
            "log_stream": self._get_logs_stream_name(),
            "evidence_uri": env.get(ENV_EVIDENCE_URI),
            "try_number": int(env.get(ENV_TRY_NUMBER, context["ti"].try_number)),
        }
