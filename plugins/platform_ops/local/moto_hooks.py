"""Container doubles the local AWS plays when an ECS task stops (see moto_patched).

``on_task_stopped`` dispatches on the task definition family; each feature registers its double
in ``DOUBLES``. A family with no double just stops with its ``MOTO_EXIT_CODE``.
"""

from __future__ import annotations

from collections.abc import Callable

DOUBLES: dict[str, Callable[[object], None]] = {}


def _family(task) -> str:
    # arn:aws:ecs:region:account:task-definition/family:revision
    return task.task_definition_arn.rsplit("/", 1)[-1].split(":", 1)[0]


def on_task_stopped(task) -> None:
    double = DOUBLES.get(_family(task))
    if double is not None:
        double(task)
import platform_ops.local.sox_double  # noqa: E402, F401
