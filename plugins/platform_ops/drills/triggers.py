"""The stop-condition watch of one method step: the first of stop alarm, deadline or step end.

``DrillWatchTrigger`` races

- the stop alarms entering ALARM, per Region on ``ResourceEventTrigger`` (the alarm's own
  "CloudWatch Alarm State Change" event from the stack's native-events queue, a DescribeAlarms at
  start and every ``backstop_interval`` seconds, at most 30, as the backstop);
- the drill's deadline (fault injection + the spec's maximum duration);
- the step's own end: ``hold`` until a time, or ``recovery``: every probe alarm in its expected
  state (DescribeAlarms every ``probe_interval`` seconds; a probe is a measurement, not a wait).

The event says which won (``ended``: ``stop``, ``deadline``, ``recovered``, ``held``,
``timeout``), with the alarm and the time of its state change for a stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from platform_ops.events.matching import to_epoch
from platform_ops.events.trigger import ResourceEventTrigger


class DrillWatchTrigger(BaseTrigger):
    """:param stop_alarms: ``[{"ref", "name", "region", "queue_url"}]``.
    :param deadline: epoch seconds: the maximum duration ends here.
    :param until: ``"hold"`` (until ``step_end``) or ``"recovery"`` (until ``probes`` hold, or ``step_end``).
    :param probes: ``[{"name", "alarm": {"name", "region"}, "state"}]`` for ``recovery``.
    :param since: epoch seconds of the watch's start (older alarm events do not count).
    """

    def __init__(
        self,
        *,
        stop_alarms: list[dict],
        deadline: float,
        until: str,
        step_end: float,
        since: float,
        aws_conn_id: str | None,
        probes: list[dict] | None = None,
        probe_interval: float = 5.0,
        backstop_interval: float = 15.0,
    ):
        super().__init__()
        self.stop_alarms = stop_alarms
        self.deadline = deadline
        self.until = until
        self.step_end = step_end
        self.since = since
        self.aws_conn_id = aws_conn_id
        self.probes = probes or []
        self.probe_interval = probe_interval
        self.backstop_interval = min(30.0, backstop_interval)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "stop_alarms": self.stop_alarms,
                "deadline": self.deadline,
                "until": self.until,
                "step_end": self.step_end,
                "since": self.since,
                "aws_conn_id": self.aws_conn_id,
                "probes": self.probes,
                "probe_interval": self.probe_interval,
                "backstop_interval": self.backstop_interval,
            },
        )

    def _stop_waits(self) -> list[ResourceEventTrigger]:
        by_region: dict[tuple[str, str], list[str]] = defaultdict(list)
        for alarm in self.stop_alarms:
            by_region[(alarm["region"], alarm["queue_url"])].append(alarm["name"])
        return [
            ResourceEventTrigger(
                kind="alarm",
                alarm_names=names,
                alarm_state="ALARM",
                queue_url=queue_url,
                aws_conn_id=self.aws_conn_id,
                region_name=region,
                since=self.since,
                backstop_interval=self.backstop_interval,
            )
            for (region, queue_url), names in by_region.items()
        ]

    async def _stop(self, wait: ResourceEventTrigger) -> dict:
        async for event in wait.run():
            outcome = event.payload["outcome"]
            ref = next(a["ref"] for a in self.stop_alarms if a["name"] == outcome["resource"])
            reason = ((outcome.get("detail") or {}).get("state") or {}).get("reason")
            return {
                "ended": "stop",
                "condition": f"stop alarm {outcome['resource']} ({ref}) in ALARM",
                "alarm": outcome["resource"],
                "alarm_ref": ref,
                "reason": reason,
                "changed_at": outcome.get("changed_at"),
                "seen_by": outcome["source"],
                "detected_at": event.payload.get("detected_at", time.time()),
            }
        raise RuntimeError("alarm wait ended without an event")

    async def _sleep_until(self, moment: float, result: dict) -> dict:
        await asyncio.sleep(max(0.0, moment - time.time()))
        return {**result, "detected_at": time.time()}

    async def _recovery(self) -> dict:
        from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

        regions = sorted({p["alarm"]["region"] for p in self.probes})
        async with contextlib.AsyncExitStack() as stack:
            clients = {}
            for region in regions:
                hook = AwsBaseHook(aws_conn_id=self.aws_conn_id, region_name=region, client_type="cloudwatch")
                clients[region] = await stack.enter_async_context(await hook.get_async_conn())
            while True:
                states = {}
                for region, client in clients.items():
                    names = [p["alarm"]["name"] for p in self.probes if p["alarm"]["region"] == region]
                    response = await client.describe_alarms(AlarmNames=names)
                    for alarm in response.get("MetricAlarms", []):
                        states[alarm["AlarmName"]] = alarm
                held = [
                    p
                    for p in self.probes
                    if (states.get(p["alarm"]["name"]) or {}).get("StateValue") == p["state"]
                ]
                if len(held) == len(self.probes):
                    changed = max(
                        to_epoch(states[p["alarm"]["name"]].get("StateUpdatedTimestamp")) or 0 for p in held
                    )
                    return {
                        "ended": "recovered",
                        "probes": [
                            {"name": p["name"], "alarm": p["alarm"]["name"], "state": p["state"]}
                            for p in held
                        ],
                        "changed_at": changed,
                        "detected_at": time.time(),
                    }
                await asyncio.sleep(self.probe_interval)

    async def run(self) -> AsyncIterator[TriggerEvent]:
        racers = [asyncio.ensure_future(self._stop(wait)) for wait in self._stop_waits()]
        racers.append(
            asyncio.ensure_future(
                self._sleep_until(
                    self.deadline, {"ended": "deadline", "condition": "maximum duration passed"}
                )
            )
        )
        if self.until == "recovery":
            racers.append(asyncio.ensure_future(self._recovery()))
            ending = {"ended": "timeout", "condition": "recovery not observed within the step's timeout"}
        else:
            ending = {"ended": "held"}
        if self.step_end < self.deadline:
            racers.append(asyncio.ensure_future(self._sleep_until(self.step_end, ending)))
        try:
            done, _ = await asyncio.wait(racers, return_when=asyncio.FIRST_COMPLETED)
            # a stop beats anything that ended in the same instant
            results = [task.result() for task in done]
            result = next((r for r in results if r["ended"] == "stop"), results[0])
        finally:
            for task in racers:
                task.cancel()
            await asyncio.gather(*racers, return_exceptions=True)
        yield TriggerEvent({**result, "watch_started_at": self.since})
