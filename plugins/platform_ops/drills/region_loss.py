"""Task bodies of ``dr_region_loss_yearly``: lose eu-west-1, see DNS switch, promote Aurora, fail back.

The fault inverts the primary ingress's Route 53 health check (it stands in for the primary ALB
being off: Route 53 then sees the primary unhealthy and answers the secondary). Inverting, never
disabling: a disabled health check counts as healthy and DNS keeps routing to it. What is not
simulated (latency: no hook for it yet) is in the spec and in the report. DNS is confirmed by
``TestDNSAnswer`` (what Route 53 itself answers), timed from the fault. Aurora is promoted by a
switchover by default (the primary is really healthy; RPO 0); a failover with ``AllowDataLoss``
forces a rebuild of the old primary and runs only with the param *and* its second approval.
The rollback restores the health check as recorded, waits until DNS answers the primary again,
and switches Aurora home (after a data-loss failover, once the old primary has rejoined).
"""

from __future__ import annotations

import time
from datetime import datetime

from platform_ops.aws.route53_health import Route53HealthHook
from platform_ops.drills import aurora, aurora_steps
from platform_ops.drills import targets as tg
from platform_ops.drills.spec import DrillRefused, Spec, load_spec
from platform_ops.drills.steps import _account, alarm_states, probe_steady_state, run_rollback

DATA_LOSS_APPROVAL = "approve_data_loss"


def route53(account) -> Route53HealthHook:
    return aurora._cached(Route53HealthHook, account, "us-east-1")


def resolve_dns(spec: Spec, contract: dict, account) -> dict:
    """The failover record and both health checks from the contract, checked live."""
    dns = contract.get("route53") or {}
    hook = route53(account)
    checks = {}
    for role in aurora.ROLES:
        check_id = dns["health_check_ids"][role]
        tags = hook.conn.list_tags_for_resource(ResourceType="healthcheck", ResourceId=check_id)[
            "ResourceTagSet"
        ]
        tg.refuse_untagged(spec, "Route 53 health check", check_id, {"Tags": tags.get("Tags", [])})
        checks[role] = {"id": check_id, **hook.health_check_config(check_id)}
    if checks["primary"]["disabled"]:
        raise DrillRefused(
            f"drill {spec.drill} refused: the primary health check {checks['primary']['id']} is disabled; "
            "Route 53 treats a disabled health check as healthy, so the fault would change nothing"
        )
    return {"zone_id": dns["zone_id"], "record_name": dns["record_name"], "record_type": dns["record_type"],
            "targets": dns["targets"], "health_checks": checks}  # fmt: skip


def answers(account, dns: dict) -> list[str]:
    return route53(account).dns_answer(dns["zone_id"], dns["record_name"], dns["record_type"])["values"]


def health_check_call(dns: dict, role: str, inverted: bool) -> dict:
    check = dns["health_checks"][role]["id"]
    return {"service": "route53", "region": "us-east-1", "action": "UpdateHealthCheck",
            "params": {"HealthCheckId": check, "Inverted": inverted},
            "cli": f"aws route53 update-health-check --health-check-id {check} "
                   f"--{'' if inverted else 'no-'}inverted"}  # fmt: skip


def preflight(spec_name: str, params: dict, logical_date: datetime | None) -> dict:
    spec = load_spec(spec_name)
    plan, contract = aurora_steps.base_plan(spec, params, logical_date)
    account = _account(spec)
    resolved = aurora.resolve(spec, contract, account)
    dns = resolve_dns(spec, contract, account)
    resolved["dns"] = dns
    allow = bool(params.get("allow_data_loss"))
    now = answers(account, dns)
    checks = [*probe_steady_state(spec, plan["alarms"]),
              *aurora.steady_state(account, resolved, "primary", spec["aurora"]["max_lag_ms"]),
              {"name": "DNS answers the primary", "expected": [dns["targets"]["primary"]], "found": now,
               "ok": now == [dns["targets"]["primary"]]},
              {"name": "primary health check not inverted", "expected": False,
               "found": dns["health_checks"]["primary"]["inverted"], "ok": not dns["health_checks"]["primary"]["inverted"]}]  # fmt: skip
    problems = aurora.gotchas(account, resolved)
    plan.update(
        resolved=resolved,
        allow_data_loss=allow,
        blast_radius_text=aurora_steps.aurora_text(spec, plan, resolved)
        + f"; Route 53 health check {dns['health_checks']['primary']['id']} of {dns['record_name']}",
        targets_text=f"{dns['record_name']} → {dns['targets']['secondary']}; {resolved['global_cluster_id']} → us-east-1",
        calls={"inject": [health_check_call(dns, "primary", True), aurora.planned_switch(resolved, "secondary", allow)],
               "rollback": [health_check_call(dns, "primary", dns["health_checks"]["primary"]["inverted"]),
                            aurora.planned_switch(resolved, "primary")]},
        steady_state=checks,
        gotchas=problems,
        simulated=spec.injection["simulated"],
        not_simulated=spec.injection["not_simulated"],
    )  # fmt: skip
    aurora_steps.refuse_unless_steady(spec, plan, checks, problems)
    return plan


def record(spec_name: str, plan: dict, run_id: str) -> dict:
    return aurora_steps.record(
        spec_name, plan, run_id, {"health_checks": plan["resolved"]["dns"]["health_checks"]}
    )


def lose_region(spec_name: str, plan: dict) -> dict:
    """The fault: invert the primary health check, unless a stop alarm already fires."""
    spec = load_spec(spec_name)
    watch = dict(plan["watch"])
    stop = aurora_steps.firing_stop(spec, plan, spec.injection["name"])
    if stop:
        return {"fault_injected_at": None, "calls": [], "watch": watch, "stopped": stop}
    dns = plan["resolved"]["dns"]
    started = time.time()
    watch["deadline"] = started + 60 * plan["max_duration_minutes"]
    changed = route53(_account(spec)).set_inverted(dns["health_checks"]["primary"]["id"], True)
    call = health_check_call(dns, "primary", True)
    calls = [
        {
            **{k: call[k] for k in ("service", "region", "action", "params")},
            "request_id": changed["request_id"],
        }
    ]
    return {"fault_started_at": started, "fault_injected_at": time.time(), "calls": calls, "watch": watch,
            "simulated": plan["simulated"], "not_simulated": plan["not_simulated"]}  # fmt: skip


def await_dns(spec_name: str, plan: dict, fault: dict, step: dict) -> dict:
    """Until Route 53 answers the secondary; when the primary's health-check alarm fired."""
    spec = load_spec(spec_name)
    account = _account(spec)
    dns = plan["resolved"]["dns"]
    deadline = time.monotonic() + step["timeout_seconds"]
    alarm = plan["alarms"]["health_check.primary"]
    result = {"step": step["name"], "started_at": time.time()}
    while True:
        found = answers(account, dns)
        if found == [dns["targets"]["secondary"]]:
            result.update(ended="dns_switched", dns_switched_at=time.time(), answer=found)
            break
        if time.monotonic() > deadline:
            result.update(ended="timeout", condition=f"DNS still answers {found}", detected_at=time.time())
            return result
        time.sleep(spec["aurora"].get("poll_seconds", 2))
    while time.monotonic() < deadline:  # the alarm's own time, for the timeline (detection)
        state = alarm_states(spec, [alarm]).get(alarm["name"], {})
        if state.get("state") == "ALARM":
            result["alarm_fired_at"] = state["updated"]
            break
        time.sleep(spec["aurora"].get("poll_seconds", 2))
    return result


def promote(spec_name: str, plan: dict, record_: dict, fault: dict, approval: dict | None) -> dict:
    """Switchover (default) or, with the param and its second approval, failover with data loss."""
    spec = load_spec(spec_name)
    step = next(s for s in spec["method"] if s["action"] == "promote_aurora")
    allow = plan["allow_data_loss"]
    if allow and not (approval and approval.get("chosen_options") == ["Approve"]):
        raise DrillRefused(
            f"drill {spec.drill} refused: a failover with AllowDataLoss needs its own second approval "
            f"({DATA_LOSS_APPROVAL}), which was not given"
        )
    calls: list[dict] = []
    result = aurora_steps.promote(spec, plan, record_, step, calls, allow_data_loss=allow)
    return {**result, "calls": calls}


def fail_back(spec: Spec, plan: dict, record_: dict, calls: list[dict]) -> dict:
    """Health check as recorded, DNS on the primary, Aurora home: each verified."""
    account = _account(spec)
    dns = plan["resolved"]["dns"]
    hook = route53(account)
    recorded = record_["before"]["health_checks"]["primary"]
    if hook.health_check_config(recorded["id"])["inverted"] != recorded["inverted"]:
        changed = hook.set_inverted(recorded["id"], recorded["inverted"])
        call = health_check_call(dns, "primary", recorded["inverted"])
        calls.append(
            {
                **{k: call[k] for k in ("service", "region", "action", "params")},
                "request_id": changed["request_id"],
            }
        )
    deadline = time.monotonic() + spec["rollback"]["steady_state_timeout_seconds"]
    while answers(account, dns) != [dns["targets"]["primary"]]:
        if time.monotonic() > deadline:
            raise TimeoutError(f"DNS does not answer the primary {dns['targets']['primary']} again")
        time.sleep(spec["aurora"].get("poll_seconds", 2))
    dns_back = time.time()
    writes = aurora_steps.switch_home(spec, plan, calls)
    return {"dns_back_at": dns_back, **writes}


def rollback(spec_name: str, plan: dict, record_: dict, run_id: str, ti) -> dict:
    spec = load_spec(spec_name)
    return run_rollback(
        spec, plan, run_id, ti, lambda calls: fail_back(spec, plan, record_, calls)
    )


def report(spec_name: str, run_id: str, ti, method: list[str]) -> dict:
    from airflow.sdk.exceptions import AirflowSkipException

    from platform_ops.drills import report as rep

    spec = load_spec(spec_name)
    record_ = ti.xcom_pull(task_ids="record_state")
    if not record_:
        raise AirflowSkipException("no drill ran (refused, dry run or not approved): nothing was changed")
    plan = ti.xcom_pull(task_ids="preflight")
    fault = ti.xcom_pull(task_ids=method[0]) or {}
    dns_step, promoted, held = (ti.xcom_pull(task_ids=t) for t in method[1:])
    fault = {**fault, "calls": [*fault.get("calls", []), *((promoted or {}).get("calls", []))]}
    steps = [s for s in (dns_step, promoted, held) if s]
    rollback_ = ti.xcom_pull(task_ids="rollback", key="rollback")
    approval = ti.xcom_pull(task_ids="approve")
    evidence = rep.build_evidence(spec, plan, approval, record_, fault, steps, rollback_, run_id)
    evidence["simulated"], evidence["not_simulated"] = plan["simulated"], plan["not_simulated"]
    events = aurora_steps.timeline_extra(promoted)
    if dns_step:
        events += [{"event": "alarm fired: primary health check", "at": dns_step.get("alarm_fired_at")},
                   {"event": "DNS switched to the secondary", "at": dns_step.get("dns_switched_at")}]  # fmt: skip
    rolled = (rollback_ or {}).get("verified_state") or {}
    events += [{"event": "DNS answers the primary again", "at": rolled.get("dns_back_at")},
               {"event": "alarms back to OK", "at": (rollback_ or {}).get("steady_state_regained_at")}]  # fmt: skip
    aurora_steps.add_timeline(evidence, events)
    if dns_step and dns_step.get("dns_switched_at") and fault.get("fault_injected_at"):
        evidence["measured"]["dns_switch_seconds"] = round(
            dns_step["dns_switched_at"] - fault["fault_injected_at"], 3
        )
    return aurora_steps.finish(spec, run_id, ti, evidence, promoted)
