"""Operators that wait on AWS's native events (``ResourceEventTrigger``) instead of polling.

- ``StepFunctionStartAndWaitOperator``: start a Step Functions execution under a name derived
  from the task instance, or re-attach to it on a retry, and wait for its end.
- ``EcsTaskStoppedWait``: a mixin for ``EcsRunTaskOperator`` subclasses (and ``defer_on_task_stopped``
  for any operator) that waits for an already started ECS task on the same trigger, keeping the
  provider's reattach, exit-code check and last-log-line return.
- ``AlarmWaitOperator``: wait until any of a set of CloudWatch alarms enters ALARM (a drill's stop
  condition).

Every wait defers with a timeout sized for hours (``wait_timeout``, default 12 h); the provider's
deferrable Step Functions operator gives up after 30 minutes by default.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException, AirflowFailException

from platform_ops.events.trigger import ResourceEventTrigger

DEFAULT_WAIT_TIMEOUT = timedelta(hours=12)
DEFAULT_ALLOWED_STATUSES = ("Completed", "NoChange")
NAME_MAX = 80
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def execution_name(dag_id: str, run_id: str, task_id: str, map_index: int = -1) -> str:
    """A Step Functions execution name that is the same for every try of one task instance.

    AWS allows 1-80 characters without whitespace, brackets, wildcards, ``"#%\\^|~`$&,;:/`` or
    control characters; names limited to ``A-Za-z0-9-_`` also work with CloudWatch Logs, so every
    other character becomes ``-``. When that changed the text (a run id has ``:`` and ``+``) or it
    is longer than 80 characters, a hash of the exact key is appended so distinct task instances
    never share a name. ``try_number`` is never part of it: a retry must find the same execution.
    """
    key = f"{dag_id}__{run_id}__{task_id}" + (
        f"__{map_index}" if map_index is not None and map_index >= 0 else ""
    )
    safe = _NAME_UNSAFE.sub("-", key).strip("-") or "execution"
    if safe == key and len(safe) <= NAME_MAX:
        return safe
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return f"{safe[: NAME_MAX - len(digest) - 1].rstrip('-')}-{digest}"


def execution_arn_for(state_machine_arn: str, name: str) -> str:
    """``arn:aws:states:<region>:<account>:execution:<machine>:<name>`` (a version or alias suffix dropped)."""
    parts = state_machine_arn.split(":")
    if len(parts) < 7 or parts[5] != "stateMachine":
        raise ValueError(f"not a state machine ARN: {state_machine_arn}")
    return ":".join([*parts[:5], "execution", parts[6], name])


def console_link(execution_arn: str) -> str:
    region = execution_arn.split(":")[3]
    return f"https://{region}.console.aws.amazon.com/states/home?region={region}#/v2/executions/details/{execution_arn}"


def find_contract(definition: str, asl_root: Path | None = None) -> Path:
    """``asl/**/<definition>.schema.json``; ``definition`` is ``db/stop_cluster`` or ``stop_cluster``."""
    from platform_ops.registry import REPO_ROOT

    root = asl_root or REPO_ROOT / "asl"
    direct = root / f"{definition}.schema.json"
    if direct.is_file():
        return direct
    matches = sorted(root.glob(f"**/{Path(definition).name}.schema.json"))
    if len(matches) != 1:
        raise AirflowFailException(
            f"input contract for {definition!r}: expected one asl/**/{Path(definition).name}.schema.json, "
            f"found {len(matches)}"
        )
    return matches[0]


def load_contract(path: Path) -> dict:
    """The machine's input schema, checked the way ``platform_ops.stepfunctions.validate`` checks it."""
    from platform_ops.stepfunctions.validate import _load_schema

    schema, error = _load_schema(path, require=True)
    if schema is None:
        raise AirflowFailException(error)
    return schema


class StepFunctionStartAndWaitOperator(BaseOperator):
    """Start (or re-attach to) one Step Functions execution and wait for its end on the event queue.

    :param state_machine_arn: the machine to run.
    :param state_machine_input: the execution input (a dict; templated). Keep it deterministic:
        a re-attach compares nothing, but AWS refuses a same-name start with a different input.
    :param definition: the machine's definition under ``asl/`` (``db/stop_cluster``); its
        ``<name>.schema.json`` validates the input before the start, and its ``x-output.Status``
        is the default set of allowed output statuses. None: no validation.
    :param allowed_statuses: accepted values of the output's ``Status``; default the contract's
        ``x-output.Status``, else ``Completed``/``NoChange``. Empty: not checked.
    :param event_queue_url: the queue of the native-events module.
    :param aws_conn_id: the machine's account; ``event_queue_conn_id`` the queue's (default same).
    :param wait_timeout: the deferral timeout (default 12 h).
    :param backstop_interval: seconds between backstop DescribeExecution calls (default 300).

    Returns the execution output (a dict) and pushes ``execution_arn`` to XCom.
    """

    template_fields: Sequence[str] = ("state_machine_arn", "state_machine_input", "event_queue_url")
    template_fields_renderers = {"state_machine_input": "json"}
    ui_color = "#f5d6a8"

    def __init__(
        self,
        *,
        state_machine_arn: str,
        event_queue_url: str,
        state_machine_input: dict | None = None,
        definition: str | None = None,
        allowed_statuses: Sequence[str] | None = None,
        aws_conn_id: str | None = "aws_default",
        region_name: str | None = None,
        event_queue_conn_id: str | None = None,
        event_queue_region_name: str | None = None,
        wait_timeout: timedelta = DEFAULT_WAIT_TIMEOUT,
        backstop_interval: float = 300.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.state_machine_arn = state_machine_arn
        self.state_machine_input = state_machine_input or {}
        self.event_queue_url = event_queue_url
        self.definition = definition
        self.allowed_statuses = allowed_statuses
        self.aws_conn_id = aws_conn_id
        self.region_name = region_name
        self.event_queue_conn_id = event_queue_conn_id
        self.event_queue_region_name = event_queue_region_name
        self.wait_timeout = wait_timeout
        self.backstop_interval = backstop_interval

    def _hook(self):
        from airflow.providers.amazon.aws.hooks.step_function import StepFunctionHook

        return StepFunctionHook(aws_conn_id=self.aws_conn_id, region_name=self.region_name)

    def _contract(self) -> dict | None:
        return load_contract(find_contract(self.definition)) if self.definition else None

    def _allowed(self, contract: dict | None) -> set[str]:
        if self.allowed_statuses is not None:
            return set(self.allowed_statuses)
        declared = ((contract or {}).get("x-output") or {}).get("Status")
        return set(declared) if declared else set(DEFAULT_ALLOWED_STATUSES)

    def validate_input(self, contract: dict | None) -> None:
        if contract is None:
            return
        from platform_ops.jsonfile import validate_document

        validate_document(
            self.state_machine_input, contract, AirflowFailException, f"input of {self.definition}"
        )

    def start_or_attach(self, context) -> dict:
        """DescribeExecution of the derived ARN; StartExecution only if there is none. Returns the description."""
        ti = context["ti"]
        name = execution_name(ti.dag_id, ti.run_id, ti.task_id, getattr(ti, "map_index", -1))
        arn = execution_arn_for(self.state_machine_arn, name)
        client = self._hook().conn
        try:
            described = client.describe_execution(executionArn=arn)
            self.log.info("Re-attaching to execution %s (%s)", arn, described["status"])
            return described
        except client.exceptions.ExecutionDoesNotExist:
            pass
        try:
            client.start_execution(
                stateMachineArn=self.state_machine_arn, name=name, input=json.dumps(self.state_machine_input)
            )
            self.log.info("Started execution %s", arn)
        except client.exceptions.ExecutionAlreadyExists:
            self.log.info("Execution %s was started concurrently; attaching to it", arn)
        return client.describe_execution(executionArn=arn)

    def execute(self, context):
        contract = self._contract()
        self.validate_input(contract)
        described = self.start_or_attach(context)
        arn = described["executionArn"]
        context["ti"].xcom_push(key="execution_arn", value=arn)
        self.log.info("Execution: %s", console_link(arn))
        if described["status"] != "RUNNING":
            return self._finish(arn, described["status"], described, contract)
        self.defer(
            trigger=event_trigger(self, kind="sfn", resource=arn, since=described["startDate"].timestamp()),
            method_name="execute_complete",
            timeout=self.wait_timeout,
        )

    def execute_complete(self, context, event: dict[str, Any] | None = None):
        if not event or "outcome" not in event:
            raise AirflowException(f"unexpected trigger event: {event!r}")
        outcome = event["outcome"]
        detail = outcome.get("detail") or {}
        if outcome["status"] != "SUCCEEDED" or detail.get("output") is None:
            # failure details, or an output the event could not carry (large outputs are left out)
            detail = self._hook().conn.describe_execution(executionArn=outcome["resource"])
        return self._finish(outcome["resource"], outcome["status"], detail, self._contract())

    def _finish(self, arn: str, status: str, detail: dict, contract: dict | None):
        if status != "SUCCEEDED":
            raise AirflowException(
                f"execution {arn} ended {status}: error={detail.get('error')!r} cause={detail.get('cause')!r} "
                f"({console_link(arn)}). A retry of this task re-attaches to this execution; redrive it, "
                "or start a new run for a new execution."
            )
        raw = detail.get("output")
        try:
            output = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            raise AirflowException(f"execution {arn} output is not JSON: {raw!r:.200}") from None
        allowed = self._allowed(contract)
        if allowed:
            got = output.get("Status") if isinstance(output, dict) else None
            if got not in allowed:
                raise AirflowException(
                    f"execution {arn} succeeded with Status {got!r}, not one of {sorted(allowed)} "
                    f"({console_link(arn)})"
                )
        return output


def event_trigger(operator: BaseOperator, **what) -> ResourceEventTrigger:
    """The trigger for ``what`` (kind, resource ...) with the operator's queue, connections and backstop."""
    return ResourceEventTrigger(
        queue_url=operator.event_queue_url,
        aws_conn_id=operator.aws_conn_id,
        region_name=operator.region_name,
        queue_conn_id=operator.event_queue_conn_id,
        queue_region_name=operator.event_queue_region_name,
        backstop_interval=operator.backstop_interval,
        **what,
    )


def defer_on_task_stopped(
    operator: BaseOperator,
    *,
    task_arn: str,
    cluster: str,
    event_queue_url: str,
    aws_conn_id: str | None,
    region_name: str | None = None,
    event_queue_conn_id: str | None = None,
    event_queue_region_name: str | None = None,
    wait_timeout: timedelta = DEFAULT_WAIT_TIMEOUT,
    backstop_interval: float = 300.0,
    method_name: str = "execute_complete",
) -> None:
    """Defer ``operator`` until the (already started) ECS task ``task_arn`` stops.

    The event the method receives is ``{"status": "success"|"failed", "task_arn", "cluster",
    "outcome"}``, which is what the provider's ``EcsRunTaskOperator.execute_complete`` reads.
    """
    operator.defer(
        trigger=ResourceEventTrigger(
            kind="ecs",
            resource=task_arn,
            cluster=cluster,
            queue_url=event_queue_url,
            aws_conn_id=aws_conn_id,
            region_name=region_name,
            queue_conn_id=event_queue_conn_id,
            queue_region_name=event_queue_region_name,
            backstop_interval=backstop_interval,
        ),
        method_name=method_name,
        timeout=wait_timeout,
    )


class EcsTaskStoppedWait:
    """Mixin for ``EcsRunTaskOperator`` subclasses: wait for the task's STOPPED event, not by polling.

    ``class SoxJob(EcsTaskStoppedWait, EcsRunTaskOperator)``: the provider starts (or, with
    ``reattach``, finds) the task and then defers; this mixin swaps the provider's polling
    ``TaskDoneTrigger`` for ``ResourceEventTrigger`` and the timeout for ``wait_timeout``. The
    provider's ``execute_complete`` then runs unchanged: exit codes (``_check_success_task``), and
    the last log line as the return value.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        fields = tuple(getattr(cls, "template_fields", ()))
        if "event_queue_url" not in fields:
            cls.template_fields = (*fields, "event_queue_url")
        if "__init__" not in cls.__dict__:
            # Airflow's operator metaclass wraps an __init__ only if the class defines one, and the
            # wrapper of the first class in the hierarchy must be the outermost (it sets XComArg deps).
            def __init__(self, *args, **kw):
                super(cls, self).__init__(*args, **kw)

            cls.__init__ = __init__

    def __init__(
        self,
        *args,
        event_queue_url: str,
        event_queue_conn_id: str | None = None,
        event_queue_region_name: str | None = None,
        wait_timeout: timedelta = DEFAULT_WAIT_TIMEOUT,
        backstop_interval: float = 300.0,
        **kwargs,
    ):
        kwargs["deferrable"] = True
        super().__init__(*args, **kwargs)
        self.event_queue_url = event_queue_url
        self.event_queue_conn_id = event_queue_conn_id
        self.event_queue_region_name = event_queue_region_name
        self.wait_timeout = wait_timeout
        self.backstop_interval = backstop_interval

    def execute_complete(self, context, event: dict[str, Any] | None = None):
        outcome = (event or {}).get("outcome") or {}
        # The STOPPED event carries the task as DescribeTasks shows it (containers' lastStatus and
        # exitCode, stopCode, stoppedReason): the provider's exit-code check reads it from there
        # instead of calling DescribeTasks again. After a backstop Describe it calls as usual.
        detail = outcome.get("detail") if outcome.get("source") == "event" else None
        self._stopped_task = detail if detail and "containers" in detail else None
        return super().execute_complete(context, event)

    def _check_success_task(self) -> None:
        stopped = getattr(self, "_stopped_task", None)
        if stopped is None:
            return super()._check_success_task()
        real = self.__dict__.get("client")
        self.__dict__["client"] = _DescribedTasks({"tasks": [stopped], "failures": []})
        try:
            return super()._check_success_task()
        finally:
            if real is None:
                self.__dict__.pop("client", None)
            else:
                self.__dict__["client"] = real

    def defer(self, *, trigger, method_name, kwargs=None, timeout=None):
        if isinstance(trigger, ResourceEventTrigger):
            return super().defer(trigger=trigger, method_name=method_name, kwargs=kwargs, timeout=timeout)
        return defer_on_task_stopped(
            self,
            task_arn=self.arn,
            cluster=self.cluster,
            event_queue_url=self.event_queue_url,
            aws_conn_id=self.aws_conn_id,
            region_name=self.region_name,
            event_queue_conn_id=self.event_queue_conn_id,
            event_queue_region_name=self.event_queue_region_name,
            wait_timeout=self.wait_timeout,
            backstop_interval=self.backstop_interval,
            method_name=method_name,
        )


class _DescribedTasks:
    """Answers ``describe_tasks`` with what the STOPPED event already said."""

    def __init__(self, response: dict):
        self._response = response

    def describe_tasks(self, **_kwargs) -> dict:
        return self._response


class AlarmWaitOperator(BaseOperator):
    """Wait until any of ``alarm_names`` enters ``state`` (default ALARM); returns which and why.

    An alarm already in that state when the wait starts ends it at once (the Describe at start).
    Older state changes still in the queue do not count: an event must be from after the start.
    """

    template_fields: Sequence[str] = ("alarm_names", "event_queue_url")

    def __init__(
        self,
        *,
        alarm_names: Sequence[str],
        event_queue_url: str,
        state: str = "ALARM",
        aws_conn_id: str | None = "aws_default",
        region_name: str | None = None,
        event_queue_conn_id: str | None = None,
        event_queue_region_name: str | None = None,
        wait_timeout: timedelta = DEFAULT_WAIT_TIMEOUT,
        backstop_interval: float = 300.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.alarm_names = list(alarm_names)
        self.event_queue_url = event_queue_url
        self.state = state
        self.aws_conn_id = aws_conn_id
        self.region_name = region_name
        self.event_queue_conn_id = event_queue_conn_id
        self.event_queue_region_name = event_queue_region_name
        self.wait_timeout = wait_timeout
        self.backstop_interval = backstop_interval

    def execute(self, context):
        self.defer(
            trigger=event_trigger(
                self, kind="alarm", alarm_names=list(self.alarm_names), alarm_state=self.state, since=time.time()
            ),
            method_name="execute_complete",
            timeout=self.wait_timeout,
        )

    def execute_complete(self, context, event: dict[str, Any] | None = None) -> dict:
        if not event or "outcome" not in event:
            raise AirflowException(f"unexpected trigger event: {event!r}")
        outcome = event["outcome"]
        state = (outcome.get("detail") or {}).get("state") or {}
        return {
            "alarm_name": outcome["resource"],
            "state": outcome["status"],
            "reason": state.get("reason"),
            "changed_at": outcome.get("changed_at"),
            "source": outcome["source"],
        }
