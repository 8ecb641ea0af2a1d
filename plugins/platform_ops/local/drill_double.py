"""The platform's reaction to a NAT drill, played by the local AWS (moto has no traffic).

After every route change (CreateRoute, ReplaceRoute, DeleteRoute) in a Region that holds a
``drill_targets`` contract (the dr-platform stack's SSM parameter ``…/drill-targets/<name>/json``),
the double looks at the primary network: when any private route table has lost its default route
to its NAT gateway, the primary has no egress, so after ``DETECTION_SECONDS`` it sets the primary
health-check alarm to ALARM (what Route 53's checkers and the alarm would do, 30-90 s in AWS);
when every route is back, it sets it to OK again. The alarms change through moto's own
``SetAlarmState`` path, so their state-change events reach the stack's native-events queue.

A scenario changes the platform's answer. It is read from the SSM parameter
``/platform-ops/local/drill-double/scenario`` of the same account and Region (a test puts it;
without it: ``failover``), comma-separated flags:

- ``failover``: the above only (the secondary stays healthy: the hypothesis holds);
- ``standby-fails``: the secondary health-check alarm goes to ALARM with the primary's (the
  drill's stop condition fires);
- ``standby-errors``: the secondary ingress error-rate alarm goes to ALARM with the primary's
  health check (the secondary answers its health check but fails the traffic it took over: the
  other stop condition). Without it the error-rate alarms are left alone: a new alarm is OK in
  moto, and they stay OK while the secondary serves;
- ``refuse-restore:<n>`` / ``refuse-restore:always``: the first n (or every) CreateRoute or
  ReplaceRoute that points a default route back at a NAT gateway is refused with
  ``UnauthorizedOperation`` (a rollback that fails).

Installed in the server process by ``moto_patched`` (``moto_hooks.SERVICE_DOUBLES``).
"""

from __future__ import annotations

import json
import logging
import threading
import time

log = logging.getLogger(__name__)

SCENARIO_PARAMETER = "/platform-ops/local/drill-double/scenario"
CONTRACT_PREFIX = "/platform/dr/drill-targets/"
DETECTION_SECONDS = 1.0
DEFAULT_ROUTE = "0.0.0.0/0"
# scenario flag -> the secondary alarm (contract kind) it turns with the primary's health check
STANDBY_FLAGS = {"standby-fails": "health_check", "standby-errors": "error_rate"}

_refused: dict[tuple[str, str], int] = {}


def _ssm(account_id: str, region: str):
    from moto.ssm.models import ssm_backends

    return ssm_backends[account_id][region]


def scenario(account_id: str, region: str) -> set[str]:
    param = _ssm(account_id, region).get_parameter(SCENARIO_PARAMETER)
    return set(filter(None, (param.value if param else "failover").split(",")))


def _contract(account_id: str, region: str) -> dict | None:
    for name, versions in list(_ssm(account_id, region)._parameters.items()):
        if name.startswith(CONTRACT_PREFIX) and name.endswith("/json"):
            return json.loads(versions[-1].value)
    return None


def _egress_cut(ec2_backend, network: dict) -> bool:
    for nat in network.get("nat_gateways", {}).values():
        for rtb in nat["private_route_table_ids"]:
            table = ec2_backend.route_tables.get(rtb)
            routes = table.routes if table else []
            if not any(r.destination_cidr_block == DEFAULT_ROUTE and r.nat_gateway for r in routes):
                return True
    return False


def _set_alarm(account_id: str, region: str, name: str, state: str, reason: str) -> None:
    from moto.cloudwatch.models import cloudwatch_backends

    backend = cloudwatch_backends[account_id][region]
    if name in backend.alarms and backend.alarms[name].state_value != state:
        backend.set_alarm_state(name, reason, None, state)
        log.info("drill double: %s -> %s (%s)", name, state, reason)


def _alarm(contract: dict, kind: str, role: str) -> tuple[str, str]:
    """(Region, name) of the contract's alarm ``kind.role``."""
    alarms = contract["alarms"]
    region = alarms["regions"][kind]
    return (region[role] if isinstance(region, dict) else region), alarms[kind][role]


def _react(ec2_backend) -> None:
    """Answer a route change ``DETECTION_SECONDS`` later, from the routes as they are by then.

    The state is read when the timer fires, under one lock, not when the route changed: a
    rollback's last CreateRoute and the cut's earlier changes start their timers milliseconds
    apart, and on a loaded machine they fire in any order; a state captured at change time could
    leave the alarm in ALARM after every route was back.
    """
    account_id, region = ec2_backend.account_id, ec2_backend.region_name
    contract = _contract(account_id, region)
    if not contract or contract.get("regions", {}).get("primary") != region:
        return
    timer = threading.Timer(DETECTION_SECONDS, _apply, (ec2_backend, contract))
    timer.daemon = True
    timer.start()


_answer_lock = threading.Lock()


def _read_while_requests_change_it(read, attempts: int = 5):
    """``read()``, again when a request thread changed a moto dict while it was being copied."""
    for attempt in range(attempts):
        try:
            return read()
        except RuntimeError:  # "dictionary changed size during iteration"
            if attempt == attempts - 1:
                raise
            time.sleep(0.05)
    return None


def _apply(ec2_backend, contract: dict) -> None:
    account_id, region = ec2_backend.account_id, ec2_backend.region_name
    with _answer_lock:
        cut = _read_while_requests_change_it(lambda: _egress_cut(ec2_backend, contract["network"]["primary"]))
        flags = scenario(account_id, region)
        state = "ALARM" if cut else "OK"
        reason = "drill double: primary egress cut" if cut else "drill double: primary egress restored"
        # The standby's alarms change first: once the primary is seen unhealthy, a failing
        # standby is already visible, so a probe never sees a failover that did not happen.
        changes = [
            _alarm(contract, kind, "secondary") for flag, kind in STANDBY_FLAGS.items() if flag in flags
        ]
        changes.append(_alarm(contract, "health_check", "primary"))
        for alarm_region, name in changes:
            _set_alarm(account_id, alarm_region, name, state, reason)


def _refuse_restore(ec2_backend, nat_gateway_id: str | None, destination: str | None) -> None:
    from moto.ec2.exceptions import EC2ClientError

    if not nat_gateway_id or destination != DEFAULT_ROUTE:
        return
    key = (ec2_backend.account_id, ec2_backend.region_name)
    for flag in scenario(*key):
        if not flag.startswith("refuse-restore:"):
            continue
        limit = flag.split(":", 1)[1]
        if limit == "always" or _refused.get(key, 0) < int(limit):
            _refused[key] = _refused.get(key, 0) + 1
            raise EC2ClientError(
                "UnauthorizedOperation", "You are not authorized to perform this operation. (drill double)"
            )


def install() -> None:
    """Patch moto's route calls (idempotent)."""
    from moto.ec2.models.route_tables import RouteBackend

    if getattr(RouteBackend, "_platform_ops_drill_double", False):
        return
    original = {
        name: getattr(RouteBackend, name) for name in ("create_route", "replace_route", "delete_route")
    }

    def create_route(self, route_table_id, destination_cidr_block, *args, **kwargs):
        _refuse_restore(self, kwargs.get("nat_gateway_id"), destination_cidr_block)
        route = original["create_route"](self, route_table_id, destination_cidr_block, *args, **kwargs)
        if not kwargs.get("local"):
            _react(self)
        return route

    def replace_route(self, route_table_id, destination_cidr_block, *args, **kwargs):
        _refuse_restore(self, kwargs.get("nat_gateway_id"), destination_cidr_block)
        route = original["replace_route"](self, route_table_id, destination_cidr_block, *args, **kwargs)
        _react(self)
        return route

    def delete_route(self, *args, **kwargs):
        route = original["delete_route"](self, *args, **kwargs)
        _react(self)
        return route

    RouteBackend.create_route = create_route
    RouteBackend.replace_route = replace_route
    RouteBackend.delete_route = delete_route
    RouteBackend._platform_ops_drill_double = True
