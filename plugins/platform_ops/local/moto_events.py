"""The local AWS emits the native events AWS puts on the default event bus (moto emits none).

``install()`` patches moto in the server process so that

- a Step Functions execution reaching SUCCEEDED, FAILED, TIMED_OUT or ABORTED puts
  ``aws.states`` "Step Functions Execution Status Change";
- an ECS task stopping (its last container stopped, or StopTask) puts ``aws.ecs``
  "ECS Task State Change" with ``lastStatus`` STOPPED;
- ``SetAlarmState`` (or any other state update) changing an alarm's state puts ``aws.cloudwatch``
  "CloudWatch Alarm State Change";

- an RDS manual snapshot becoming available puts ``aws.rds`` "RDS DB Snapshot Event"
  (RDS-EVENT-0042) or "RDS DB Cluster Snapshot Event" (RDS-EVENT-0075), and a DB snapshot copy
  finishing puts RDS-EVENT-0060 (cross-Region, in the destination Region) or RDS-EVENT-0197
  (in-Region); AWS documents no copy-finished event for cluster snapshots, so none is sent;

each with the documented ``detail`` fields, ``account``, ``region``, ``time`` and ``resources``.

RDS snapshot time: moto makes a snapshot ``available`` at once. With ``MOTO_RDS_SNAPSHOT_SECONDS``
set in the server's environment, a new snapshot or copy says ``creating`` for that long, then
becomes ``available`` and its event is sent, as on AWS (where it takes minutes); unset, the event
is sent at once.

RDS snapshot age: moto dates every snapshot now. A snapshot created with the tag
``moto:snapshot-create-time`` (ISO 8601) gets that ``SnapshotCreateTime`` instead, so retention
can be tested on snapshots of past days and months; the tag exists only in the local AWS.
The events go through moto's own rules on the account's ``default`` bus, so the same EventBridge
rules as in AWS (``terraform/modules/native-events``) deliver them to SQS.

ECS run time: moto stops a task at its first DescribeTasks. A container override environment
variable ``MOTO_RUN_SECONDS`` makes the task run that long instead (DescribeTasks says RUNNING
until then) and stop by itself, as a real task does, so an event-driven wait sees the stop without
polling. DescribeTasks then also answers ``stoppedAt``/``stoppingAt``/``stopCode``. With
``MOTO_RUN_AFTER_DESCRIBE=1`` beside it, the run time starts at the task's first DescribeTasks
instead of at RunTask: a wait that describes at its start always sees the task RUNNING and ends
on the STOPPED event, however long a loaded machine takes to get there (tests of that path).

Limits: the events are emitted in the moto server process only; moto forwards events to another
account's bus without their ``time`` and ``resources``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from datetime import UTC, datetime

log = logging.getLogger(__name__)

RUN_SECONDS_VAR = "MOTO_RUN_SECONDS"
RUN_AFTER_DESCRIBE_VAR = "MOTO_RUN_AFTER_DESCRIBE"


def _iso_ms(moment: datetime) -> str:
    """``2020-01-23T17:57:34.402Z`` (ECS event timestamps)."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _iso_alarm(moment: datetime) -> str:
    """``2019-10-02T17:04:40.989+0000`` (CloudWatch alarm state timestamps)."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def _epoch_ms(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def put_native_event(
    account_id: str, region: str, source: str, detail_type: str, resources: list[str], detail: dict
) -> int:
    """Deliver one AWS-sourced event to every rule of the account's default bus; returns rules matched.

    Real AWS refuses ``aws.*`` sources in PutEvents, so this goes under the API, straight to
    moto's rule matching (``Rule.send_to_targets``). Never raises: an event is best effort.
    """
    try:
        from moto.events.models import events_backends

        backend = events_backends[account_id][region]
        bus = backend.event_buses.get("default")
        if bus is None:
            return 0
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": detail_type,
            "source": source,
            "account": account_id,
            "time": time.time(),  # moto's SQS target writes it as ISO 8601 (seconds), as AWS does
            "region": region,
            "resources": list(resources),
            "detail": json.loads(json.dumps(detail, default=str)),
        }
        matched = 0
        for rule in list(bus.rules.values()):
            if rule.state != "ENABLED" or not rule.event_pattern.matches_event(event):
                continue
            matched += 1
            # moto's default input template drops "account"; the event goes as is unless a target
            # transforms it (the template then also needs moto's "ingestion-time").
            transform = any(target.get("InputTransformer") for target in rule.targets)
            rule.send_to_targets(
                {**event, "ingestion-time": time.time()} if transform else dict(event), transform
            )
        return matched
    except Exception:  # a broken emitter must never break the API call that caused it
        log.exception("could not emit %s event", detail_type)
        return 0


# --- Step Functions ------------------------------------------------------------------------------


def sfn_event_detail(execution) -> dict:
    status = execution.exec_status.value if execution.exec_status is not None else None
    output = execution.output if status == "SUCCEEDED" else None
    if output is not None and not isinstance(output, str):
        output = json.dumps(output)
    input_data = execution.input_data
    return {
        "executionArn": execution.exec_arn,
        "stateMachineArn": execution.state_machine_arn,
        "name": execution.name,
        "status": status,
        "startDate": _epoch_ms(execution.start_date),
        "stopDate": _epoch_ms(execution.stop_date),
        "input": input_data if isinstance(input_data, str) else json.dumps(input_data),
        "inputDetails": {"included": True},
        "output": output,
        "outputDetails": {"included": True} if output is not None else None,
    }


def _patch_stepfunctions() -> None:
    from moto.stepfunctions.parser.backend import execution as sfn_execution

    comm = sfn_execution.BaseExecutionWorkerCommunication
    if getattr(comm, "_platform_ops_events", False):
        return
    original = comm.terminated

    def terminated(self) -> None:
        original(self)
        execution = self.execution
        if (
            str(getattr(execution.sm_type, "value", execution.sm_type)) != "STANDARD"
        ):  # AWS sends these events for Standard workflows only
            return
        put_native_event(
            execution.account_id,
            execution.region_name,
            "aws.states",
            "Step Functions Execution Status Change",
            [execution.exec_arn],
            sfn_event_detail(execution),
        )

    comm.terminated = terminated
    comm._platform_ops_events = True


# --- ECS -----------------------------------------------------------------------------------------


def _override_env(task, name: str) -> str | None:
    for override in (task.overrides or {}).get("containerOverrides", []):
        for item in override.get("environment", []):
            if item.get("name") == name:
                return item["value"]
    return None


def _run_seconds(task) -> float | None:
    value = _override_env(task, RUN_SECONDS_VAR)
    return None if value is None else float(value)


def _start_run_clock(task, seconds: float) -> None:
    """The task stops by itself ``seconds`` from now."""
    task._platform_ops_run_until = time.time() + seconds
    timer = threading.Timer(seconds, _stop_when_due, args=(task,))
    timer.daemon = True
    timer.start()


def ecs_event_detail(task) -> dict:
    created = getattr(task, "_platform_ops_created_at", None) or datetime.now(UTC)
    stopped = getattr(task, "stopped_at", None) or datetime.now(UTC)
    containers = [
        {
            "containerArn": container.container_arn,
            "lastStatus": container.last_status,
            "name": container.name,
            "image": container.image,
            "runtimeId": uuid.uuid5(uuid.NAMESPACE_URL, container.container_arn).hex * 2,
            "taskArn": task.task_arn,
            "networkInterfaces": list(container.network_interfaces or []),
            "cpu": str(container.cpu or 0),
            "exitCode": container.exitCode,
        }
        for container in task.containers
    ]
    network = (getattr(task, "network_configuration", None) or {}).get("awsvpcConfiguration") or {}
    return {
        "attachments": [
            {"id": a["id"], "type": "eni", "status": "DETACHED", "details": a.get("details", [])}
            for a in task.attachments
        ],
        "availabilityZone": f"{task.region_name}a",
        "clusterArn": task.cluster_arn,
        "containers": containers,
        "createdAt": _iso_ms(created),
        "launchType": task.launch_type or "EC2",
        "cpu": str(getattr(task, "_platform_ops_cpu", "256")),
        "memory": str(getattr(task, "_platform_ops_memory", "512")),
        "desiredStatus": "STOPPED",
        "group": task.group,
        "lastStatus": "STOPPED",
        "overrides": task.overrides or {"containerOverrides": []},
        "connectivity": "CONNECTED",
        "connectivityAt": _iso_ms(created),
        "pullStartedAt": _iso_ms(created),
        "startedAt": _iso_ms(created),
        "pullStoppedAt": _iso_ms(created),
        "updatedAt": _iso_ms(stopped),
        "taskArn": task.task_arn,
        "taskDefinitionArn": task.task_definition_arn,
        "version": 3,
        "platformVersion": task.platform_version or ("1.4.0" if network else None),
        "stopCode": getattr(task, "stop_code", None) or "EssentialContainerExited",
        "stoppedReason": task.stopped_reason or "Essential container in task exited",
        "stoppingAt": _iso_ms(stopped),
        "executionStoppedAt": _iso_ms(stopped),
        "stoppedAt": _iso_ms(stopped),
    }


def _emit_ecs_stopped(task) -> None:
    with _ECS_LOCK:
        if getattr(task, "_platform_ops_event_sent", False):
            return
        task._platform_ops_event_sent = True
        now = datetime.now(UTC)
        task.stopped_at = getattr(task, "stopped_at", None) or now
        task.stopping_at = task.stopped_at
        task.execution_stopped_at = task.stopped_at
        if not getattr(task, "stop_code", None):
            task.stop_code = "EssentialContainerExited"
    put_native_event(
        task._account_id,
        task.region_name,
        "aws.ecs",
        "ECS Task State Change",
        [task.task_arn],
        ecs_event_detail(task),
    )


_ECS_LOCK = threading.RLock()


def _patch_ecs() -> None:
    import moto.ecs.models as ecs_models

    task_cls = ecs_models.Task
    if getattr(task_cls, "_platform_ops_events", False):
        return
    managed_last_status = task_cls.last_status

    def _get_last_status(self):
        until = getattr(self, "_platform_ops_run_until", None)
        if until is not None and time.time() < until and not getattr(self, "_platform_ops_stop_now", False):
            return "RUNNING"
        return managed_last_status.fget(self)

    task_cls.last_status = property(_get_last_status, managed_last_status.fset)

    original_advance = task_cls.advance

    def advance(self):
        with _ECS_LOCK:
            original_advance(self)
            stopped = self.last_status == "STOPPED"
        if stopped:
            for container in self.containers:
                container.last_status = "STOPPED"
            _emit_ecs_stopped(self)

    task_cls.advance = advance

    backend_cls = ecs_models.EC2ContainerServiceBackend
    original_run_task = backend_cls.run_task

    def run_task(self, *args, **kwargs):
        tasks = original_run_task(self, *args, **kwargs)
        for task in tasks:
            task._platform_ops_created_at = datetime.now(UTC)
            # DescribeTasks answers these, as ECS does (moto answers neither).
            task.created_at = task.started_at = task._platform_ops_created_at
            seconds = _run_seconds(task)
            if seconds is None:
                continue
            if _override_env(task, RUN_AFTER_DESCRIBE_VAR) == "1":
                task._platform_ops_run_until = float("inf")  # RUNNING until the clock starts
                task._platform_ops_clock_pending = seconds
                continue
            _start_run_clock(task, seconds)
        return tasks

    backend_cls.run_task = run_task

    original_describe_tasks = backend_cls.describe_tasks

    def describe_tasks(self, cluster_str, tasks):
        described = original_describe_tasks(self, cluster_str, tasks)
        for task in described:
            seconds = getattr(task, "_platform_ops_clock_pending", None)
            if seconds is not None:
                task._platform_ops_clock_pending = None
                _start_run_clock(task, seconds)
        return described

    backend_cls.describe_tasks = describe_tasks

    original_stop_task = backend_cls.stop_task

    def stop_task(self, cluster_str, task_str, reason):
        task = original_stop_task(self, cluster_str, task_str, reason)
        task._platform_ops_stop_now = True
        task.stop_code = "UserInitiated"
        _emit_ecs_stopped(task)
        return task

    backend_cls.stop_task = stop_task
    task_cls._platform_ops_events = True


def _stop_when_due(task) -> None:
    """The run time of a ``MOTO_RUN_SECONDS`` task is over: it stops (containers, logs, hooks, event)."""
    try:
        task._platform_ops_stop_now = True
        task.last_status = "STOPPED"  # moto's own lifecycle moves one step per DescribeTasks
        task.advance()
    except Exception:
        log.exception("could not stop ECS task %s", getattr(task, "task_arn", "?"))


# --- CloudWatch ----------------------------------------------------------------------------------


def alarm_configuration(alarm) -> dict:
    config: dict = {"description": alarm.description or ""}
    if alarm.metric_name:
        config["metrics"] = [
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, alarm.alarm_arn)),
                "metricStat": {
                    "metric": {
                        "dimensions": {d.name: d.value for d in alarm.dimensions},
                        "name": alarm.metric_name,
                        "namespace": alarm.namespace,
                    },
                    "period": alarm.period,
                    "stat": alarm.statistic or alarm.extended_statistic,
                },
                "returnData": True,
            }
        ]
    elif alarm.metric_data_queries:
        config["metrics"] = [{"id": q.id, "returnData": q.return_data} for q in alarm.metric_data_queries]
    return config


def _alarm_state(reason, reason_data, value, moment) -> dict:
    state = {"reason": reason, "timestamp": _iso_alarm(moment), "value": value}
    if reason_data:
        state["reasonData"] = reason_data
    return state


def _patch_cloudwatch() -> None:
    from moto.cloudwatch import models as cw_models

    alarm_cls = cw_models.Alarm
    if getattr(alarm_cls, "_platform_ops_events", False):
        return
    original_update = alarm_cls.update_state

    def update_state(self, reason, reason_data, state_value):
        previous = _alarm_state(
            self.state_reason, self.state_reason_data, self.state_value, self.state_updated_timestamp
        )
        original_update(self, reason, reason_data, state_value)
        if previous["value"] == state_value:
            return  # AWS sends state change events only for changes
        account_id = self.alarm_arn.split(":")[4]
        put_native_event(
            account_id,
            self.region_name,
            "aws.cloudwatch",
            "CloudWatch Alarm State Change",
            [self.alarm_arn],
            {
                "alarmName": self.name,
                "configuration": alarm_configuration(self),
                "previousState": previous,
                "state": _alarm_state(reason, reason_data, state_value, self.state_updated_timestamp),
            },
        )

    alarm_cls.update_state = update_state
    alarm_cls._platform_ops_events = True


# --- RDS snapshots --------------------------------------------------------------------------------

RDS_SNAPSHOT_SECONDS_VAR = "MOTO_RDS_SNAPSHOT_SECONDS"
CREATE_TIME_TAG = "moto:snapshot-create-time"


def rds_snapshot_event(snapshot, cluster: bool, event_id: str, message: str) -> tuple[list[str], dict]:
    arn = snapshot.db_cluster_snapshot_arn if cluster else snapshot.db_snapshot_arn
    identifier = snapshot.db_cluster_snapshot_identifier if cluster else snapshot.db_snapshot_identifier
    category = {"RDS-EVENT-0042": "creation", "RDS-EVENT-0091": "creation"}.get(event_id, "notification")
    if event_id in {"RDS-EVENT-0075", "RDS-EVENT-0169"}:
        category = "backup"
    detail = {
        "EventCategories": [category],
        "SourceType": "CLUSTER_SNAPSHOT" if cluster else "SNAPSHOT",
        "SourceArn": arn,
        "Date": _iso_ms(datetime.now(UTC)),
        "Message": message,
        "SourceIdentifier": identifier,
        "EventID": event_id,
        "Tags": {t["Key"]: t.get("Value", "") for t in (snapshot.tags or [])},
    }
    return [arn], detail


def _snapshot_ready(backend, snapshot, cluster: bool, event: tuple[str, str] | None) -> None:
    snapshot.status = "available"
    if event is None:
        return
    resources, detail = rds_snapshot_event(snapshot, cluster, *event)
    detail_type = "RDS DB Cluster Snapshot Event" if cluster else "RDS DB Snapshot Event"
    put_native_event(backend.account_id, backend.region_name, "aws.rds", detail_type, resources, detail)


def _copy_event(backend, source_id: str) -> tuple[str, str]:
    parts = source_id.split(":")
    source_region = parts[3] if source_id.startswith("arn:") and len(parts) > 6 else backend.region_name
    name = parts[-1]
    if source_region != backend.region_name:
        return "RDS-EVENT-0060", f"Finished copy of snapshot {name} from region {source_region} in 0 minutes."
    return "RDS-EVENT-0197", f"Finished copy of snapshot {name} in region {backend.region_name}."


def _patch_rds() -> None:
    import os

    from moto.rds.models import RDSBackend

    if getattr(RDSBackend, "_platform_ops_events", False):
        return

    def wrap(method: str, cluster: bool, event_for):
        original = getattr(RDSBackend, method)

        def patched(self, *args, **kwargs):
            snapshot = original(self, *args, **kwargs)
            backdated = {t["Key"]: t.get("Value") for t in (snapshot.tags or [])}.get(CREATE_TIME_TAG)
            if backdated:
                snapshot.created = datetime.fromisoformat(backdated.replace("Z", "+00:00"))
            event = event_for(self, args, kwargs)
            seconds = float(os.environ.get(RDS_SNAPSHOT_SECONDS_VAR) or 0)
            if seconds <= 0:
                _snapshot_ready(self, snapshot, cluster, event)
                return snapshot
            snapshot.status = "creating"
            timer = threading.Timer(seconds, _snapshot_ready, args=(self, snapshot, cluster, event))
            timer.daemon = True
            timer.start()
            return snapshot

        setattr(RDSBackend, method, patched)

    def source(args, kwargs, name):
        return kwargs.get(name) or (args[0] if args else "")

    def created(cluster: bool):
        def event(backend, args, kwargs):
            if kwargs.get("snapshot_type") == "automated":
                return ("RDS-EVENT-0169", "Automated cluster snapshot created") if cluster else (
                    "RDS-EVENT-0091", "Automated snapshot created")  # fmt: skip
            return ("RDS-EVENT-0075", "Manual cluster snapshot created") if cluster else (
                "RDS-EVENT-0042", "Manual snapshot created")  # fmt: skip

        return event

    wrap("create_db_snapshot", False, created(False))
    wrap("create_db_cluster_snapshot", True, created(True))
    wrap(
        "copy_db_snapshot",
        False,
        lambda b, a, k: _copy_event(b, source(a, k, "source_db_snapshot_identifier")),
    )
    wrap("copy_db_cluster_snapshot", True, lambda b, a, k: None)
    RDSBackend._platform_ops_events = True


def install() -> None:
    """Patch moto to emit the native events (idempotent). Call after ``patch_moto()``."""
    _patch_stepfunctions()
    _patch_ecs()
    _patch_cloudwatch()
    _patch_rds()
