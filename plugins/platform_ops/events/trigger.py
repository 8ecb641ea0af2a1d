"""One hybrid trigger for every long wait: AWS's own event through SQS, Describe as the backstop.

``ResourceEventTrigger`` waits for one resource's terminal state: a Step Functions execution
(``kind="sfn"``), an ECS task (``"ecs"``), any of a set of CloudWatch alarms entering a state
(``"alarm"``) or an RDS DB or cluster snapshot becoming available (``"rds_snapshot"``). It

1. calls Describe once at start (DescribeExecution / DescribeTasks / DescribeAlarms /
   DescribeDBSnapshots or DescribeDBClusterSnapshots), which
   catches an end that came before the wait began;
2. long-polls the queue the native-events Terraform module feeds (``WaitTimeSeconds`` 20: a
   ``ReceiveMessage`` returns as soon as a message arrives, so an event ends the wait at once and
   an idle wait costs 3 receives a minute);
3. calls Describe again every ``backstop_interval`` seconds (default 300, i.e. 12 an hour), which
   catches events that were never sent (Step Functions events are "best effort"), lost, or
   dead-lettered.

Several waits share one queue, and SQS gives a message to one receiver only. So:

- **One poll per queue per triggerer.** The waits of one event loop (one triggerer) register with
  one ``_QueuePoller`` per queue, which long-polls and hands each message to the wait it belongs
  to. No wait in a triggerer is ever held up by another's message, and N idle waits on a queue
  cost 3 receives a minute in all, not 3N. A poll in flight is never abandoned: the poller stops
  only after its current receive returned and was settled (an abandoned long poll still takes the
  next message, which then stays invisible for the receive's visibility timeout: measured 5 s).
- **Release, then hide.** A message no local wait owns (the owner may be in another triggerer,
  or not deferred yet) is made visible again at once (``ChangeMessageVisibility`` 0) for its first
  ``release_receives`` receives. After that it is treated as an orphan and hidden for an
  exponentially growing time (1 s, 2 s, 4 s ... up to ``max_hide`` seconds), keyed on SQS's own
  ``ApproximateReceiveCount``. With ``VisibilityTimeout`` 0 alone, one orphan makes every waiter
  receive it in a hot loop (measured: 141 receives in 6 s); with this rule the orphan's receives
  are bounded by the number of doublings, whatever the number of waits or triggerers. The
  queue's redrive policy eventually moves it to the dead-letter queue.
- **Consume only your own.** A wait deletes exactly the messages about its resource: the event
  that ended it, its duplicates, and stale events of an earlier execution with the same name
  (which never complete it, see ``matching``).

Every receive asks for a short ``visibility_timeout`` (5 s), so messages a crashed triggerer had
in hand come back quickly. The trigger holds no state that matters between runs: a fresh
instance built from ``serialize()`` (a triggerer restart) starts again at step 1.

Events (``TriggerEvent.payload``): ``status`` is ``"success"`` when the resource reached the
state waited for, ``"failed"`` when it ended otherwise (FAILED, TIMED_OUT, ABORTED, a task that
ECS no longer knows). ``outcome`` is ``matching.Outcome.as_dict()``, plus ``kind``, ``task_arn``
and ``cluster`` (ECS, the shape the provider's ``EcsRunTaskOperator.execute_complete`` reads).
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from platform_ops.events import matching

log = logging.getLogger(__name__)

# One poller per (event loop, queue, connection): every wait of a triggerer on that queue shares it.
_POLLERS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple, _QueuePoller]] = (
    weakref.WeakKeyDictionary()
)


class _QueuePoller:
    """Long-polls one queue for the waits of one event loop and hands each message to its wait."""

    def __init__(self, key: tuple, hook, template: ResourceEventTrigger):
        self.key = key
        self.hook = hook
        self.queue_url = template.queue_url
        self.wait_time_seconds = template.wait_time_seconds
        self.visibility_timeout = template.visibility_timeout
        self.release_receives = template.release_receives
        self.max_hide = template.max_hide
        self.waits: dict[int, ResourceEventTrigger] = {}
        self.stats = {"receives": 0, "deleted": 0, "released": 0, "hidden": 0, "errors": 0}
        self.task: asyncio.Task | None = None
        self.closing = False

    @classmethod
    def join(cls, wait: ResourceEventTrigger, hook) -> _QueuePoller:
        pollers = _POLLERS.setdefault(asyncio.get_running_loop(), {})
        key = (
            wait.queue_url,
            wait.queue_conn_id or wait.aws_conn_id,
            wait.queue_region_name or wait.region_name,
        )
        poller = pollers.get(key)
        if poller is None or poller.closing:
            poller = pollers[key] = cls(key, hook, wait)
        poller.waits[id(wait)] = wait
        if poller.task is None:
            poller.task = asyncio.ensure_future(poller._run())
        return poller

    def leave(self, wait: ResourceEventTrigger) -> None:
        self.waits.pop(id(wait), None)

    def _hide_seconds(self, receive_count: int) -> int:
        """0 (release) for the first receives, then 1, 2, 4 ... seconds up to ``max_hide``."""
        if receive_count <= self.release_receives:
            return 0
        return min(self.max_hide, 2 ** (receive_count - self.release_receives - 1))

    async def _run(self) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        errors = 0
        try:
            async with await self.hook.get_async_conn() as sqs:
                while self.waits:
                    try:
                        await self._poll(sqs)
                        errors = 0
                    except (BotoCoreError, ClientError, OSError) as err:
                        errors += 1
                        self.stats["errors"] += 1
                        pause = min(30.0, 2.0**errors)
                        log.warning(
                            "receive from %s failed (%s); retrying in %.0f s", self.queue_url, err, pause
                        )
                        await asyncio.sleep(pause)
                self._retire()
        except Exception as err:  # the waits fall back to their Describe backstop
            log.exception("poller of %s stopped", self.queue_url)
            for wait in list(self.waits.values()):
                wait._poller_failed(err)
        finally:
            self._retire()

    def _retire(self) -> None:
        """No new wait joins this poller from now on (a new one starts for them)."""
        self.closing = True
        pollers = _POLLERS.get(asyncio.get_running_loop(), {})
        if pollers.get(self.key) is self:
            del pollers[self.key]

    async def _poll(self, sqs) -> None:
        self.stats["receives"] += 1
        response = await sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=self.wait_time_seconds,
            VisibilityTimeout=self.visibility_timeout,
            AttributeNames=["ApproximateReceiveCount"],
        )
        consumed, foreign, offers = [], [], []
        for message in response.get("Messages", []):
            event = matching.parse_envelope(message.get("Body", ""))
            # Every local wait the event is about gets it (two drills may watch the same alarm).
            owners = [w for w in list(self.waits.values()) if event is not None and w.owns(event)]
            if not owners:
                foreign.append(message)
                continue
            consumed.append(message)
            offers += [(owner, event) for owner in owners]
        if consumed:
            # Deleted before any wait is told: a wait that ends may take its event loop (and this
            # poller) with it, and an undeleted message would come back as an orphan.
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(consumed)]
            for start in range(0, len(entries), 10):
                await sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries[start : start + 10])
            self.stats["deleted"] += len(entries)
        for owner, event in offers:
            owner._offer(event)
        if foreign:
            entries = []
            for i, message in enumerate(foreign):
                count = int((message.get("Attributes") or {}).get("ApproximateReceiveCount", "1"))
                hide = self._hide_seconds(count)
                self.stats["released" if hide == 0 else "hidden"] += 1
                entries.append(
                    {"Id": str(i), "ReceiptHandle": message["ReceiptHandle"], "VisibilityTimeout": hide}
                )
            for start in range(0, len(entries), 10):
                await sqs.change_message_visibility_batch(
                    QueueUrl=self.queue_url, Entries=entries[start : start + 10]
                )


class ResourceEventTrigger(BaseTrigger):
    """Wait for one resource's terminal event on an SQS queue, with a Describe backstop.

    :param kind: ``"sfn"``, ``"ecs"`` or ``"alarm"``.
    :param resource: the execution ARN or task ARN (unused for alarms).
    :param queue_url: the queue the EventBridge rules deliver to.
    :param since: epoch seconds; for ``sfn`` the execution's start (older events of the same name
        are stale), for ``alarm`` the wait's start (older state changes do not count).
    :param alarm_names: ``alarm`` only: any of these entering ``alarm_state`` ends the wait.
    :param cluster: ``ecs`` only: the task's cluster (DescribeTasks needs it).
    :param aws_conn_id: connection of the resource's account (Describe).
    :param queue_conn_id: connection of the queue's account; defaults to ``aws_conn_id``.
    """

    def __init__(
        self,
        *,
        kind: str,
        queue_url: str,
        resource: str = "",
        since: float | None = None,
        alarm_names: list[str] | None = None,
        alarm_state: str = "ALARM",
        cluster: str | None = None,
        aws_conn_id: str | None = "aws_default",
        region_name: str | None = None,
        queue_conn_id: str | None = None,
        queue_region_name: str | None = None,
        backstop_interval: float = 300.0,
        wait_time_seconds: int = 20,
        visibility_timeout: int = 5,
        release_receives: int = 2,
        max_hide: int = 120,
    ):
        super().__init__()
        if kind not in matching.KINDS:
            raise ValueError(f"kind must be one of {matching.KINDS}, not {kind!r}")
        if kind == "alarm" and not alarm_names:
            raise ValueError("an alarm wait needs alarm_names")
        if kind == "alarm" and alarm_state not in matching.ALARM_STATES:
            raise ValueError(f"alarm_state must be one of {sorted(matching.ALARM_STATES)}")
        if kind != "alarm" and not resource:
            raise ValueError(f"a {kind} wait needs the resource ARN")
        if kind == "ecs" and not cluster:
            raise ValueError("an ECS wait needs the cluster")
        if not 1 <= wait_time_seconds <= 20:
            raise ValueError("wait_time_seconds must be 1..20 (SQS long polling)")
        if backstop_interval <= 0:
            raise ValueError("backstop_interval must be positive")
        self.kind = kind
        self.queue_url = queue_url
        self.resource = resource
        self.since = since
        self.alarm_names = sorted(alarm_names or [])
        self.alarm_state = alarm_state
        self.cluster = cluster
        self.aws_conn_id = aws_conn_id
        self.region_name = region_name
        self.queue_conn_id = queue_conn_id
        self.queue_region_name = queue_region_name
        self.backstop_interval = float(backstop_interval)
        self.wait_time_seconds = int(wait_time_seconds)
        self.visibility_timeout = int(visibility_timeout)
        self.release_receives = int(release_receives)
        self.max_hide = int(max_hide)
        # Counters of this run (tests, the benchmark); not serialized.
        self.stats = {"describes": 0, "consumed": 0}
        self.poller_stats: dict[str, int] = {}  # the shared poller's counters (receives, hidden ...)
        self._outcome: asyncio.Future | None = None

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "kind": self.kind,
                "queue_url": self.queue_url,
                "resource": self.resource,
                "since": self.since,
                "alarm_names": list(self.alarm_names),
                "alarm_state": self.alarm_state,
                "cluster": self.cluster,
                "aws_conn_id": self.aws_conn_id,
                "region_name": self.region_name,
                "queue_conn_id": self.queue_conn_id,
                "queue_region_name": self.queue_region_name,
                "backstop_interval": self.backstop_interval,
                "wait_time_seconds": self.wait_time_seconds,
                "visibility_timeout": self.visibility_timeout,
                "release_receives": self.release_receives,
                "max_hide": self.max_hide,
            },
        )

    # --- matching --------------------------------------------------------------------------------

    def owns(self, event: dict[str, Any]) -> bool:
        """The event is about this wait's resource (a match, a duplicate, a stale or non-terminal one)."""
        if self.kind == "sfn":
            return matching.is_sfn_event_for(event, self.resource)
        if self.kind == "ecs":
            return matching.is_ecs_event_for(event, self.resource)
        if self.kind == "rds_snapshot":
            return matching.is_rds_snapshot_event_for(event, self.resource)
        return matching.is_alarm_event_for(event, frozenset(self.alarm_names))

    def match(self, event: dict[str, Any]) -> matching.Outcome | None:
        if self.kind == "sfn":
            return matching.match_sfn_execution(event, self.resource, self.since)
        if self.kind == "ecs":
            return matching.match_ecs_task(event, self.resource)
        if self.kind == "rds_snapshot":
            return matching.match_rds_snapshot(event, self.resource, self.since)
        return matching.match_alarm(event, frozenset(self.alarm_names), self.alarm_state, self.since)

    def _event(self, outcome: matching.Outcome) -> TriggerEvent:
        wanted = {
            "sfn": "SUCCEEDED",
            "ecs": matching.ECS_TERMINAL,
            "alarm": self.alarm_state,
            "rds_snapshot": "available",
        }[self.kind]
        payload: dict[str, Any] = {
            "status": "success" if outcome.status == wanted else "failed",
            "kind": self.kind,
            "outcome": outcome.as_dict(),
            "detected_at": time.time(),
        }
        if self.kind == "ecs":
            payload.update(task_arn=self.resource, cluster=self.cluster)
        return TriggerEvent(payload)

    # --- AWS ---------------------------------------------------------------------------------------

    def _hooks(self):
        from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook
        from airflow.providers.amazon.aws.hooks.sqs import SqsHook

        client_type = {"sfn": "stepfunctions", "ecs": "ecs", "alarm": "cloudwatch", "rds_snapshot": "rds"}[
            self.kind
        ]
        describe = AwsBaseHook(
            aws_conn_id=self.aws_conn_id, region_name=self.region_name, client_type=client_type
        )
        queue = SqsHook(
            aws_conn_id=self.queue_conn_id or self.aws_conn_id,
            region_name=self.queue_region_name or self.region_name,
        )
        return describe, queue

    async def describe(self, client) -> matching.Outcome | None:
        self.stats["describes"] += 1
        if self.kind == "sfn":
            response = await client.describe_execution(executionArn=self.resource)
            return matching.sfn_describe_outcome(response)
        if self.kind == "ecs":
            response = await client.describe_tasks(cluster=self.cluster, tasks=[self.resource])
            return matching.ecs_describe_outcome(response, self.resource)
        if self.kind == "rds_snapshot":
            return await self._describe_snapshot(client)
        response = await client.describe_alarms(AlarmNames=list(self.alarm_names))
        return matching.alarm_describe_outcome(response, frozenset(self.alarm_names), self.alarm_state)

    async def _describe_snapshot(self, client) -> matching.Outcome | None:
        """DescribeDBSnapshots or DescribeDBClusterSnapshots by the name in the snapshot ARN."""
        from botocore.exceptions import ClientError

        # arn:aws:rds:<region>:<account>:snapshot:<name> (or cluster-snapshot:<name>)
        resource_type, name = self.resource.split(":", 6)[5:7]
        try:
            if resource_type == "cluster-snapshot":
                response = await client.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=name)
            else:
                response = await client.describe_db_snapshots(DBSnapshotIdentifier=name)
        except ClientError as err:
            missing = {"DBSnapshotNotFound", "DBClusterSnapshotNotFoundFault"}
            if err.response.get("Error", {}).get("Code") not in missing:
                raise
            response = {}
        return matching.rds_snapshot_describe_outcome(response, self.resource)

    def _offer(self, event: dict[str, Any]) -> None:
        """The poller hands over one event about this wait's resource (already deleted from the queue)."""
        self.stats["consumed"] += 1
        outcome = self.match(event)
        if outcome is None:
            log.info(
                "%s wait on %s: consumed a non-final or stale event %s",
                self.kind,
                self._what(),
                event.get("id"),
            )
            return
        if self._outcome is not None and not self._outcome.done():
            self._outcome.set_result(outcome)

    def _poller_failed(self, err: BaseException) -> None:
        log.warning(
            "%s wait on %s: queue unavailable (%s); Describe every backstop interval only",
            self.kind,
            self._what(),
            err,
        )

    def _what(self) -> str:
        return self.resource or ",".join(self.alarm_names)

    async def run(self) -> AsyncIterator[TriggerEvent]:
        describe_hook, queue_hook = self._hooks()
        self._outcome = asyncio.get_running_loop().create_future()
        async with await describe_hook.get_async_conn() as describe_client:
            outcome = await self.describe(describe_client)
            poller = None
            try:
                if outcome is None:
                    poller = _QueuePoller.join(self, queue_hook)
                    self.poller_stats = poller.stats
                while outcome is None:
                    try:
                        outcome = await asyncio.wait_for(
                            asyncio.shield(self._outcome), self.backstop_interval
                        )
                    except TimeoutError:
                        outcome = await self.describe(describe_client)
                        if outcome is None and poller.closing:  # its poller died: start a new one
                            poller.leave(self)
                            poller = _QueuePoller.join(self, queue_hook)
                            self.poller_stats = poller.stats
            finally:
                if poller is not None:
                    poller.leave(self)
        log.info("%s wait on %s ended: %s (%s)", self.kind, self._what(), outcome.status, outcome.source)
        yield self._event(outcome)
