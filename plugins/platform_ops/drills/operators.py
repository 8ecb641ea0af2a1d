"""``DrillWaitOperator``: one waiting method step, deferred on the stop-condition watch.

A step does not start when an earlier step ended on a stop condition (it is skipped, saying
which); otherwise it defers on ``DrillWatchTrigger`` until its own end, a stop alarm or the
drill's deadline, and returns what ended it. A stop sends the abort notice at once.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowSkipException

from platform_ops.drills.triggers import DrillWatchTrigger

STOPPING = frozenset({"stop", "deadline", "timeout"})


def stopped_by(results: list[dict | None]) -> dict | None:
    """The first earlier step result that ended the method, or None."""
    return next((r for r in results if r and r.get("ended") in STOPPING), None)


class DrillWaitOperator(BaseOperator):
    """:param step: the spec's method step (``await_recovery`` or ``hold``).
    :param fault_task: task id of the fault injection (its XCom: deadline, alarms, connection).
    :param earlier: task ids of the method steps before this one.
    """

    ui_color = "#f7c6c7"

    def __init__(self, *, drill: str, step: dict, fault_task: str, earlier: list[str], **kwargs):
        super().__init__(**kwargs)
        self.drill = drill
        self.step = step
        self.fault_task = fault_task
        self.earlier = list(earlier)

    def execute(self, context):
        ti = context["ti"]
        fault = ti.xcom_pull(task_ids=self.fault_task)
        if not fault or not fault.get("fault_injected_at"):
            raise AirflowSkipException("not started: no fault was injected")
        stop = stopped_by([fault.get("stopped"), *(ti.xcom_pull(task_ids=t) for t in self.earlier)])
        if stop:
            raise AirflowSkipException(f"not started: {stop['condition']}")
        now = time.time()
        watch = fault["watch"]
        if self.step["action"] == "await_recovery":
            until, step_end = "recovery", now + self.step["timeout_seconds"]
        else:
            until, step_end = "hold", now + context["params"].get("hold_seconds", self.step["seconds"])
        self.defer(
            trigger=DrillWatchTrigger(
                stop_alarms=watch["stop_alarms"],
                deadline=watch["deadline"],
                until=until,
                step_end=step_end,
                since=now,
                aws_conn_id=watch["aws_conn_id"],
                probes=[{**p, "alarm": watch["alarms"][p["alarm"]]} for p in self.step.get("probes", [])],
                probe_interval=self.step.get("probe_interval_seconds", 5),
                backstop_interval=watch["backstop_seconds"],
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=max(step_end, watch["deadline"]) - now + 120),
        )

    def execute_complete(self, context, event: dict[str, Any] | None = None) -> dict:
        result = {**(event or {}), "step": self.step["name"]}
        result["started_at"] = result.pop("watch_started_at", None)
        result["ended_at"] = time.time()
        self.log.info("step %s ended: %s", self.step["name"], result)
        if result.get("ended") in STOPPING:
            from platform_ops.drills.notices import abort_notice

            abort_notice(self.drill, context["run_id"], result)
        return result
