"""Apply the dr-platform stack to the local AWS, for the DR drills (``make demo`` runs it in the background).

``python -m platform_ops.local.drill_stack <endpoint>``: the stack's own code with the registry's
variables, Aurora and EKS switched off (the NAT drill needs the networks, health checks, alarms,
event queues and the drill_targets parameters; the Aurora waiters alone take two more minutes).
Until it is done, ``dr_chaos_nat_quarterly``'s preflight says the contract is not there yet.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable

from platform_ops.local.clients import account_session
from platform_ops.local.server import is_cut_short_conflict
from platform_ops.registry import registry
from platform_ops.terraform.cli import TerraformError
from platform_ops.terraform.workspace import AwsCredentials, stack_workspace

STACK = "dr-platform"
DRILL_VARS = {"aurora": {"enabled": False}, "eks": {"enabled": False}}
log = logging.getLogger(__name__)


def apply_for_drills(endpoint: str, start_over: Callable[[], None] | None = None) -> dict:
    """plan + apply dr-platform in its registry account; returns the outputs.

    ``start_over`` (reset and seed the local AWS again) lets one apply that failed with a sign of
    a cut-short response run once more from a clean local AWS; any other failure is raised.
    """
    try:
        return _apply(endpoint)
    except TerraformError as err:
        if start_over is None or not is_cut_short_conflict(err):
            raise
        log.warning("dr-platform apply hit a retried create of the local AWS (%s); starting over once", err)
        start_over()
        return _apply(endpoint)


def _apply(endpoint: str) -> dict:
    stack = registry().stack(STACK)
    frozen = account_session(endpoint, stack.account.name).get_credentials().get_frozen_credentials()
    credentials = AwsCredentials(frozen.access_key, frozen.secret_key, frozen.token)
    with stack_workspace(stack, credentials, endpoint) as tf:
        tf.plan("tfplan", variables={**(stack.vars or {}), **DRILL_VARS})
        tf.apply_plan("tfplan")
        return tf.output()


def main(argv: list[str] | None = None) -> int:
    endpoint = (argv if argv is not None else sys.argv[1:])[0]
    started = time.monotonic()
    print(f"applying {STACK} (Aurora and EKS off) to {endpoint} for the DR drills...", flush=True)
    outputs = apply_for_drills(endpoint)
    print(f"{STACK} applied in {time.monotonic() - started:.0f} s; drill targets under "
          f"{outputs.get('drill_targets_ssm_path')}", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
