"""Match AWS's native EventBridge events, as SQS delivers them, to one wait (no Airflow import).

An EventBridge rule with an SQS target puts the event itself, as JSON, in the message body. Three
event types end a platform wait, each matched on the fields AWS documents for it:

- ``aws.states`` "Step Functions Execution Status Change": ``detail.executionArn`` and a
  terminal ``detail.status``. ``detail.startDate`` (epoch milliseconds) must not be earlier than
  the start of the execution waited for: SQS delivers at least once and out of order, so a late
  event of an earlier execution with the same name (same ARN) never completes a newer wait.
- ``aws.ecs`` "ECS Task State Change": ``detail.taskArn`` and ``detail.lastStatus`` STOPPED (task
  ARNs are unique, so no time check is needed).
- ``aws.cloudwatch`` "CloudWatch Alarm State Change": ``detail.alarmName`` in the set waited for,
  ``detail.state.value`` the state sought, and the change (``detail.state.timestamp``, else the
  event ``time``) not earlier than the wait's start.

- ``aws.rds`` "RDS DB Snapshot Event" / "RDS DB Cluster Snapshot Event": ``detail.SourceArn`` is
  the snapshot and ``detail.EventID`` says it is ready (manual snapshot created: RDS-EVENT-0042,
  cluster: RDS-EVENT-0075; copy finished: RDS-EVENT-0060 cross-Region, RDS-EVENT-0197 in-Region)
  or cancelled (RDS-EVENT-0061, RDS-EVENT-0190), with ``detail.Date`` not earlier than the wait's
  start (a snapshot name can be reused after a delete). AWS documents no copy-finished event for
  cluster snapshots: their copies end on the Describe backstop.

The "AWS API Call via CloudTrail" events of the same services are different events and never match.
The same module turns Describe answers into the same ``Outcome`` (the backstop path).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

SFN_SOURCE, SFN_DETAIL_TYPE = "aws.states", "Step Functions Execution Status Change"
ECS_SOURCE, ECS_DETAIL_TYPE = "aws.ecs", "ECS Task State Change"
ALARM_SOURCE, ALARM_DETAIL_TYPE = "aws.cloudwatch", "CloudWatch Alarm State Change"

SFN_TERMINAL = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})
ECS_TERMINAL = "STOPPED"
ALARM_STATES = frozenset({"OK", "ALARM", "INSUFFICIENT_DATA"})

RDS_SOURCE = "aws.rds"
RDS_SNAPSHOT_DETAIL_TYPES = ("RDS DB Snapshot Event", "RDS DB Cluster Snapshot Event")
RDS_SNAPSHOT_READY = frozenset({"RDS-EVENT-0042", "RDS-EVENT-0075", "RDS-EVENT-0060", "RDS-EVENT-0197"})
RDS_SNAPSHOT_CANCELLED = frozenset({"RDS-EVENT-0061", "RDS-EVENT-0190"})
RDS_SNAPSHOT_FAILED_STATUSES = frozenset({"failed", "error", "deleted", "deleting"})

KINDS = ("sfn", "ecs", "alarm", "rds_snapshot")

# The EventBridge patterns of terraform/modules/native-events (there also narrowed to the given
# machines, clusters and alarms); the local AWS wiring of tests and the bench uses them as they are.
RULE_PATTERNS: dict[str, dict] = {
    "sfn": {
        "source": [SFN_SOURCE],
        "detail-type": [SFN_DETAIL_TYPE],
        "detail": {"status": sorted(SFN_TERMINAL)},
    },
    "ecs": {"source": [ECS_SOURCE], "detail-type": [ECS_DETAIL_TYPE], "detail": {"lastStatus": [ECS_TERMINAL]}},
    "alarm": {"source": [ALARM_SOURCE], "detail-type": [ALARM_DETAIL_TYPE]},
    "rds_snapshot": {
        "source": [RDS_SOURCE],
        "detail-type": list(RDS_SNAPSHOT_DETAIL_TYPES),
        "detail": {"EventID": sorted(RDS_SNAPSHOT_READY | RDS_SNAPSHOT_CANCELLED)},
    },
}


@dataclass(frozen=True)
class Outcome:
    """What ended a wait: the resource, its final status and where it was seen."""

    resource: str
    status: str
    source: str  # "event" or "describe"
    detail: dict[str, Any] = field(default_factory=dict)
    changed_at: float | None = None  # epoch seconds of the change itself (stopDate, stoppedAt, state time)

    def as_dict(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "status": self.status,
            "source": self.source,
            "detail": self.detail,
            "changed_at": self.changed_at,
        }


def parse_envelope(body: str) -> dict[str, Any] | None:
    """The EventBridge event in an SQS message body, or None if the body is not one.

    Also unwraps an SNS notification (``{"Type": "Notification", "Message": "<event json>"}``) for
    queues fed through a topic.
    """
    try:
        event = json.loads(body)
    except (TypeError, ValueError):
        return None
    if (
        isinstance(event, dict)
        and event.get("Type") == "Notification"
        and isinstance(event.get("Message"), str)
    ):
        return parse_envelope(event["Message"])
    if not isinstance(event, dict) or not isinstance(event.get("detail"), dict):
        return None
    if not isinstance(event.get("source"), str) or not isinstance(event.get("detail-type"), str):
        return None
    return event


def to_epoch(value: Any) -> float | None:
    """Epoch seconds of an AWS timestamp: epoch milliseconds (int), epoch seconds (float) or ISO 8601.

    ISO forms seen in these events: ``2019-10-02T17:04:40Z``, ``2020-01-23T17:57:34.402Z`` and
    ``2019-10-02T17:04:40.989+0000``.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    if isinstance(value, int):
        return value / 1000.0 if value > 10**11 else float(value)
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit() and text[-3] != ":":
            text = f"{text[:-2]}:{text[-2:]}"  # +0000 -> +00:00
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
    return None


def _is(event: dict[str, Any], source: str, detail_type: str) -> bool:
    return event.get("source") == source and event.get("detail-type") == detail_type


def execution_started_ms(since: float | None) -> int | None:
    return None if since is None else int(round(since * 1000))


def is_sfn_event_for(event: dict[str, Any], execution_arn: str) -> bool:
    """The event is about this execution ARN (whatever its status or age)."""
    return _is(event, SFN_SOURCE, SFN_DETAIL_TYPE) and event["detail"].get("executionArn") == execution_arn


def match_sfn_execution(event: dict[str, Any], execution_arn: str, since: float | None) -> Outcome | None:
    """The terminal outcome of ``execution_arn`` in ``event``, or None.

    ``since``: the start (epoch seconds) of the execution waited for; an event whose
    ``detail.startDate`` is earlier belongs to an earlier execution of the same name.
    """
    if not is_sfn_event_for(event, execution_arn):
        return None
    detail = event["detail"]
    status = detail.get("status")
    if status not in SFN_TERMINAL:
        return None
    if since is not None:
        started = detail.get("startDate")
        if not isinstance(started, int | float) or started < execution_started_ms(since) - 1:
            return None
    return Outcome(execution_arn, status, "event", detail, to_epoch(detail.get("stopDate")))


def is_ecs_event_for(event: dict[str, Any], task_arn: str) -> bool:
    return _is(event, ECS_SOURCE, ECS_DETAIL_TYPE) and event["detail"].get("taskArn") == task_arn


def match_ecs_task(event: dict[str, Any], task_arn: str) -> Outcome | None:
    """``STOPPED`` for ``task_arn`` in ``event``, or None."""
    if not is_ecs_event_for(event, task_arn):
        return None
    detail = event["detail"]
    if detail.get("lastStatus") != ECS_TERMINAL:
        return None
    return Outcome(task_arn, ECS_TERMINAL, "event", detail, to_epoch(detail.get("stoppedAt")))


def is_alarm_event_for(event: dict[str, Any], alarm_names: set[str] | frozenset[str]) -> bool:
    return _is(event, ALARM_SOURCE, ALARM_DETAIL_TYPE) and event["detail"].get("alarmName") in alarm_names


def alarm_event_time(event: dict[str, Any]) -> float | None:
    state = event["detail"].get("state") or {}
    return to_epoch(state.get("timestamp")) or to_epoch(event.get("time"))


def match_alarm(
    event: dict[str, Any], alarm_names: set[str] | frozenset[str], state: str, since: float | None
) -> Outcome | None:
    """The first of ``alarm_names`` entering ``state`` in ``event`` (not before ``since``), or None."""
    if not is_alarm_event_for(event, alarm_names):
        return None
    detail = event["detail"]
    if (detail.get("state") or {}).get("value") != state:
        return None
    changed = alarm_event_time(event)
    if since is not None and (changed is None or changed < since):
        return None
    return Outcome(detail["alarmName"], state, "event", detail, changed)


def is_rds_snapshot_event_for(event: dict[str, Any], snapshot_arn: str) -> bool:
    return (
        event.get("source") == RDS_SOURCE
        and event.get("detail-type") in RDS_SNAPSHOT_DETAIL_TYPES
        and event["detail"].get("SourceArn") == snapshot_arn
    )


def match_rds_snapshot(event: dict[str, Any], snapshot_arn: str, since: float | None) -> Outcome | None:
    """``available`` (or ``cancelled``) for ``snapshot_arn`` in ``event``, or None."""
    if not is_rds_snapshot_event_for(event, snapshot_arn):
        return None
    detail = event["detail"]
    event_id = detail.get("EventID")
    if event_id not in RDS_SNAPSHOT_READY | RDS_SNAPSHOT_CANCELLED:
        return None
    at = to_epoch(detail.get("Date")) or to_epoch(event.get("time"))
    if since is not None and (at is None or at < since - 1):
        return None
    status = "available" if event_id in RDS_SNAPSHOT_READY else "cancelled"
    return Outcome(snapshot_arn, status, "event", detail, at)


# --- Describe answers (the backstop) -------------------------------------------------------------


def sfn_describe_outcome(response: dict[str, Any]) -> Outcome | None:
    """DescribeExecution: the outcome if the execution has ended."""
    status = response.get("status")
    if status not in SFN_TERMINAL:
        return None
    detail = {
        key: (
            int(to_epoch(value) * 1000) if isinstance(value, datetime) else value
        )  # epoch ms, as in the event
        for key, value in response.items()
        if key
        in {
            "executionArn",
            "stateMachineArn",
            "name",
            "status",
            "startDate",
            "stopDate",
            "output",
            "error",
            "cause",
        }
    }
    return Outcome(response["executionArn"], status, "describe", detail, to_epoch(response.get("stopDate")))


def ecs_describe_outcome(response: dict[str, Any], task_arn: str) -> Outcome | None:
    """DescribeTasks: STOPPED, or MISSING when ECS no longer knows the task (it keeps stopped tasks ~1 h)."""
    for task in response.get("tasks", []):
        if task.get("taskArn") == task_arn and task.get("lastStatus") == ECS_TERMINAL:
            detail = {
                "taskArn": task_arn,
                "clusterArn": task.get("clusterArn"),
                "lastStatus": task.get("lastStatus"),
                "stopCode": task.get("stopCode"),
                "stoppedReason": task.get("stoppedReason"),
                "containers": [
                    {"name": c.get("name"), "exitCode": c.get("exitCode"), "lastStatus": c.get("lastStatus")}
                    for c in task.get("containers", [])
                ],
            }
            return Outcome(task_arn, ECS_TERMINAL, "describe", detail, to_epoch(task.get("stoppedAt")))
    for failure in response.get("failures", []):
        if failure.get("arn") == task_arn and failure.get("reason") == "MISSING":
            return Outcome(task_arn, "MISSING", "describe", dict(failure), None)
    return None


def alarm_describe_outcome(
    response: dict[str, Any], alarm_names: set[str] | frozenset[str], state: str
) -> Outcome | None:
    """DescribeAlarms: the first named alarm that is in ``state`` now (whenever it got there)."""
    alarms = [*response.get("MetricAlarms", []), *response.get("CompositeAlarms", [])]
    for alarm in sorted(alarms, key=lambda a: str(a.get("StateUpdatedTimestamp", ""))):
        if alarm.get("AlarmName") in alarm_names and alarm.get("StateValue") == state:
            detail = {
                "alarmName": alarm["AlarmName"],
                "state": {
                    "value": state,
                    "reason": alarm.get("StateReason"),
                    "timestamp": str(alarm.get("StateUpdatedTimestamp")),
                },
            }
            return Outcome(
                alarm["AlarmName"], state, "describe", detail, to_epoch(alarm.get("StateUpdatedTimestamp"))
            )
    return None


def rds_snapshot_describe_outcome(response: dict[str, Any], snapshot_arn: str) -> Outcome | None:
    """DescribeDBSnapshots / DescribeDBClusterSnapshots: ``available``, a failed status, or MISSING."""
    items = [*response.get("DBSnapshots", []), *response.get("DBClusterSnapshots", [])]
    for item in items:
        arn = item.get("DBSnapshotArn") or item.get("DBClusterSnapshotArn")
        if arn != snapshot_arn:
            continue
        status = item.get("Status")
        if status == "available" or status in RDS_SNAPSHOT_FAILED_STATUSES:
            detail = {"SourceArn": arn, "Status": status, "PercentProgress": item.get("PercentProgress")}
            return Outcome(snapshot_arn, status, "describe", detail, to_epoch(item.get("SnapshotCreateTime")))
        return None
    return Outcome(snapshot_arn, "MISSING", "describe", {"SourceArn": snapshot_arn}, None)
