"""Entry point of the local AWS: moto's server with the patches the platform DAGs need.

Run as ``python -m platform_ops.local.moto_patched -H 127.0.0.1 -p PORT``.

Stock moto 5.2 leaves ECS containers PENDING forever and never creates awslogs streams, so
``EcsRunTaskOperator`` can never succeed against it. The patch below makes a task's containers
stop with an exit code (``MOTO_EXIT_CODE`` in the container overrides' environment, default 0)
and creates the log stream ECS would create, with the lines given in ``MOTO_LOG_LINES``.

Container doubles: every ``module:function`` named in ``PLATFORM_OPS_MOTO_HOOKS`` (comma
separated) is imported at start and called with the moto ``Task`` when it stops. That is how the
local AWS plays a container's side effects (e.g. the SOX job writing its evidence to S3).

Also installed: native events (``moto_events``), Step Functions tasks that act in the account of
the role they run as (``moto_sfn_credentials``) and restores from a snapshot another account
shared (``moto_rds_sharing``), CloudFront invalidations that complete later (``moto_cloudfront``),
Aurora Global switchover/failover (``moto_aurora_global``) and Route 53 health and DNS failover
(``moto_route53_health``).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

from platform_ops.local import (
    drill_double,
    moto_aurora_global,
    moto_cloudfront,
    moto_events,
    moto_rds_rename,
    moto_rds_sharing,
    moto_route53_health,
    moto_sfn_credentials,
    moto_sfn_validate,
    refresh_double,
)

ECS_TASK_HOOKS: list[Callable[[object], None]] = []


def load_hooks(spec: str) -> None:
    """Import the ``module:function`` hooks named in ``spec`` (comma separated)."""
    import importlib

    for item in filter(None, (part.strip() for part in spec.split(","))):
        module_name, _, function_name = item.partition(":")
        ECS_TASK_HOOKS.append(getattr(importlib.import_module(module_name), function_name))


def _container_env(task, name: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for override in (task.overrides or {}).get("containerOverrides", []):
        if override.get("name") == name:
            env.update({e["name"]: e["value"] for e in override.get("environment", [])})
    return env


def _write_awslogs(task, container_definitions) -> None:
    from moto.logs.models import logs_backends

    logs = logs_backends[task._account_id][task.region_name]
    for definition in container_definitions:
        config = definition.get("logConfiguration") or {}
        options = config.get("options") or {}
        if config.get("logDriver") != "awslogs" or "awslogs-group" not in options:
            continue
        group = options["awslogs-group"]
        stream = f"{options.get('awslogs-stream-prefix', 'ecs')}/{definition['name']}/{task.id}"
        if group not in logs.groups:
            logs.create_log_group(group, {})
        logs.create_log_stream(group, stream)
        env = _container_env(task, definition["name"])
        lines = env.get("MOTO_LOG_LINES", f"moto: {definition['name']} exited").split("\\n")
        now = int(time.time() * 1000)
        events = [{"timestamp": now + i, "message": line} for i, line in enumerate(lines)]
        logs.put_log_events(group, stream, events)


def patch_moto() -> None:
    """Make ECS tasks finish like real Fargate tasks do (idempotent)."""
    import moto.ecs.models as ecs_models

    if getattr(ecs_models.Task, "_platform_ops_patched", False):
        return
    original_advance = ecs_models.Task.advance

    def advance(self):
        original_advance(self)
        if self.last_status != "STOPPED" or getattr(self, "_platform_ops_done", False):
            return
        self._platform_ops_done = True
        self.desired_status = "STOPPED"  # as ECS does; reattach must not pick a stopped task
        for container in self.containers:
            env = _container_env(self, container.name)
            container.last_status = "STOPPED"
            container.exitCode = int(env.get("MOTO_EXIT_CODE", "0"))
        definition = self._backend.describe_task_definition(self.task_definition_arn)
        _write_awslogs(self, definition.container_definitions)
        for hook in ECS_TASK_HOOKS:
            hook(self)

    ecs_models.Task.advance = advance
    ecs_models.Task._platform_ops_patched = True


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    port = argv[argv.index("-p") + 1] if "-p" in argv else "5000"
    # aws-sdk tasks inside moto's Step Functions call back to localhost:$MOTO_PORT; an inherited
    # value would misroute them, so it is always this server's own port.
    os.environ["MOTO_PORT"] = port
    os.environ.pop("MOTO_ACCOUNT_ID", None)
    patch_moto()
    moto_events.install()
    moto_cloudfront.install()
    moto_sfn_credentials.install()
    moto_rds_sharing.install()
    moto_sfn_validate.install()  # ValidateStateMachineDefinition, which terraform plan calls
    drill_double.install()  # the platform's answer to a NAT drill's route changes
    moto_aurora_global.install()  # Aurora Global switchover/failover, marker writes, lag metrics
    moto_route53_health.install()  # health checks inverted/disabled, TestDNSAnswer, their alarms
    refresh_double.install()  # the refresh's run_sql Lambda (masking scripts), played locally
    moto_rds_rename.install()  # a renamed Aurora cluster keeps its instances
    load_hooks(os.environ.get("PLATFORM_OPS_MOTO_HOOKS", ""))
    from moto.server import main as moto_main

    return moto_main(argv) or 0


if __name__ == "__main__":
    sys.exit(main())
