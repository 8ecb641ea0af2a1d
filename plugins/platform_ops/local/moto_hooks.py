"""Container doubles the local AWS plays when an ECS task stops (see moto_patched).

``DOUBLES`` is the one list of doubles: task definition family → the function that plays the
container. A feature's double lives in ``local/<feature>_double.py`` and is added here by name.
(The DR drills' double, ``drill_double``, is a service patch, not a container: ``moto_patched``
installs it.) A family with no double just stops with its ``MOTO_EXIT_CODE``. ``local/`` imports the features, never the reverse.
"""

from __future__ import annotations

from collections.abc import Callable

from platform_ops.local import sox_double

DOUBLES: dict[str, Callable[[object], None]] = {
    sox_double.FAMILY: sox_double.play_sox_container,
}


def _family(task) -> str:
    # arn:aws:ecs:region:account:task-definition/family:revision
    return task.task_definition_arn.rsplit("/", 1)[-1].split(":", 1)[0]


def on_task_stopped(task) -> None:
    double = DOUBLES.get(_family(task))
    if double is not None:
        double(task)
