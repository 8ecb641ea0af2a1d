"""Apply the dr-platform stack to the local AWS, for the DR drills (``make demo`` runs it in the background).

``python -m platform_ops.local.drill_stack <endpoint>``: the stack's own code with the registry's
variables, Aurora and EKS switched off (the NAT drill needs the networks, health checks, alarms,
event queues and the drill_targets parameters; the Aurora waiters alone take two more minutes).
Until it is done, ``dr_chaos_nat_quarterly``'s preflight says the contract is not there yet.
"""

from __future__ import annotations

import sys
import time

from platform_ops.local.clients import account_session
from platform_ops.registry import registry
from platform_ops.terraform.workspace import AwsCredentials, stack_workspace

STACK = "dr-platform"
DRILL_VARS = {"aurora": {"enabled": False}, "eks": {"enabled": False}}


def apply_for_drills(endpoint: str) -> dict:
    """plan + apply dr-platform in its registry account; returns the outputs."""
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
