"""Task bodies of a drill DAG: preflight, approval text, record, inject, rollback, report.

Every AWS call goes through ``platform_ops.aws.access`` on the account the spec's targets live in.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from platform_ops.aws.access import aws_client
from platform_ops.drills import nat
from platform_ops.drills import targets as tg
from platform_ops.drills.spec import DrillRefused, Spec, load_spec, refuse_in_window
from platform_ops.registry import registry

log = logging.getLogger(__name__)


def _account(spec: Spec):
    return registry().account(spec["targets"]["account"])


def alarm_states(spec: Spec, alarms: list[dict]) -> dict[str, dict]:
    """``{alarm name: {"state", "updated"}}`` by DescribeAlarms, per Region."""
    out: dict[str, dict] = {}
    for region in sorted({a["region"] for a in alarms}):
        names = [a["name"] for a in alarms if a["region"] == region]
        response = aws_client(_account(spec), "cloudwatch", region).describe_alarms(AlarmNames=names)
        for alarm in response.get("MetricAlarms", []):
            out[alarm["AlarmName"]] = {
                "state": alarm["StateValue"],
                "updated": alarm["StateUpdatedTimestamp"].timestamp(),
            }
    return out


def probe_steady_state(spec: Spec, alarms: dict[str, dict]) -> list[dict]:
    """Each steady-state probe with what it found (``ok`` when the alarm is in the expected state)."""
    states = alarm_states(spec, [alarms[p["alarm"]] for p in spec["steady_state"]])
    results = []
    for probe in spec["steady_state"]:
        name = alarms[probe["alarm"]]["name"]
        found = states.get(name, {}).get("state", "MISSING")
        results.append(
            {
                "name": probe["name"],
                "alarm": name,
                "expected": probe["state"],
                "found": found,
                "ok": found == probe["state"],
            }
        )
    return results


def blast_radius_text(spec: Spec, account_id: str, resolved: dict) -> str:
    return (
        f"account {spec['targets']['account']} ({account_id}), Region {resolved['region']}, "
        f"NAT gateway {resolved['nat_gateway_id']} ({resolved['availability_zone']}), "
        f"{len(resolved['route_table_ids'])} of at most {spec['blast_radius']['max_targets']} route tables "
        f"tagged {spec['blast_radius']['tags']}"
    )


def preflight(spec_name: str, params: dict, logical_date: datetime | None) -> dict:
    """Windows, contract, blast radius, targets, alarms and steady state; the plan, or ``DrillRefused``."""
    spec = load_spec(spec_name)
    # The moment the run is for: its schedule time, or when a manual run was triggered.
    refuse_in_window(spec, {"the run's logical date": logical_date or datetime.now(UTC)})
    account = _account(spec)
    if account.name not in spec["blast_radius"]["accounts"]:
        raise DrillRefused(f"drill {spec.drill} refused: account {account.name} is outside the blast radius")
    source = spec["targets"]
    contract = tg.read_contract(spec, aws_client(account, "ssm", source["region"]))
    step = spec.injection
    network_region = (contract.get("network") or {}).get(step["network"], {}).get("region", "?")
    tg.check_blast_radius(spec, contract, account.account_id, network_region)
    ec2 = aws_client(account, "ec2", network_region)
    resolved = nat.resolve(spec, contract, ec2, step["network"], params.get("nat_gateway_id") or None)
    alarms = {ref: tg.resolve_alarm(contract, ref).as_dict() for ref in spec.alarm_refs()}
    stop_alarms = [
        {**alarms[ref], "queue_url": tg.event_queue(contract, alarms[ref]["region"])}
        for ref in spec["stop_conditions"]["alarms"]
    ]
    steady = probe_steady_state(spec, alarms)
    plan = {
        "drill": spec.drill,
        "spec_sha256": spec.sha256,
        "hypothesis": spec["hypothesis"],
        "account": {"name": account.name, "id": account.account_id},
        "resolved": resolved,
        "blast_radius_text": blast_radius_text(spec, account.account_id, resolved),
        "calls": nat.planned_calls(resolved),
        "alarms": alarms,
        "watch": {
            "stop_alarms": stop_alarms,
            "alarms": alarms,
            "aws_conn_id": account.aws_conn_id,
            "backstop_seconds": spec["stop_conditions"].get("backstop_seconds", 15),
        },
        "max_duration_minutes": spec["stop_conditions"]["max_duration_minutes"],
        "steady_state": steady,
        "objectives": spec["objectives"],
        "dry_run": bool(params.get("dry_run")),
    }
    log.info("blast radius: %s", plan["blast_radius_text"])
    for phase in ("inject", "rollback"):
        for call in plan["calls"][phase]:
            log.info(
                "%s call: %s %s %s %s", phase, call["service"], call["region"], call["action"], call["params"]
            )
    not_steady = [p for p in steady if not p["ok"]]
    if not_steady and not plan["dry_run"]:
        raise DrillRefused(
            f"drill {spec.drill} refused: not in steady state before the fault: "
            + "; ".join(
                f"{p['name']}: {p['alarm']} is {p['found']}, expected {p['expected']}" for p in not_steady
            )
        )
    return plan


def approval_body(spec: Spec) -> str:
    """Markdown for the approval page (a Jinja template reading the preflight's plan)."""
    steps = "\n".join(
        f"{i}. **{s['name']}** ({s['action']}): {s.get('description', '')}"
        for i, s in enumerate(spec["method"], 1)
    )
    return (
        f"### {spec['title']}\n\n**Hypothesis:** {spec['hypothesis']}\n\n"
        "**Blast radius:** {{ ti.xcom_pull(task_ids='preflight')['blast_radius_text'] }}\n\n"
        "**Calls (fault):** {% for c in ti.xcom_pull(task_ids='preflight')['calls']['inject'] %}"
        "`{{ c.action }} {{ c.params.RouteTableId }} {{ c.params.DestinationCidrBlock }}` {% endfor %}\n\n"
        f"**Method:**\n{steps}\n\n"
        f"**Stop conditions:** alarms {', '.join(spec['stop_conditions']['alarms'])} in ALARM, or "
        f"{spec['stop_conditions']['max_duration_minutes']} minutes passed.\n\n"
        f"**Objectives:** RTO {spec['objectives']['rto_seconds']} s; RPO "
        f"{spec['objectives']['rpo_seconds'] if spec['objectives']['rpo_seconds'] is not None else 'n/a'}"
        f"{' (' + spec['objectives']['rpo_note'] + ')' if spec['objectives'].get('rpo_note') else ''}.\n\n"
        f"**Rollback (always runs):** {spec['rollback']['description']} Up to {spec['rollback']['attempts']} attempts.\n\n"
        "No answer means no drill: nothing is changed."
    )


def record_state(spec_name: str, plan: dict, run_id: str) -> dict:
    """The targets exactly as they are before the change (the rollback restores this), and the start notice."""
    from platform_ops.drills import evidence, notices

    spec = load_spec(spec_name)
    resolved = plan["resolved"]
    ec2 = aws_client(_account(spec), "ec2", resolved["region"])
    before = nat.describe_tables(ec2, resolved["route_table_ids"])
    evidence.put_run_object(spec.drill, run_id, "before.json", before)
    notices.start_notice(spec.drill, run_id, plan)
    return {"before": before, "recorded_at": time.time()}


def inject(spec_name: str, plan: dict, record: dict) -> dict:
    """The fault, unless a stop alarm is already in ALARM; returns the watch for the method steps."""
    spec = load_spec(spec_name)
    resolved = plan["resolved"]
    watch = dict(plan["watch"])
    states = alarm_states(spec, watch["stop_alarms"])
    firing = [a for a in watch["stop_alarms"] if states.get(a["name"], {}).get("state") == "ALARM"]
    if firing:
        alarm = firing[0]
        return {"fault_injected_at": None, "calls": [], "watch": watch, "stopped": {
            "ended": "stop", "step": spec.injection["name"], "condition": f"stop alarm {alarm['name']} ({alarm['ref']}) in ALARM before the fault",
            "alarm": alarm["name"], "changed_at": states[alarm["name"]]["updated"], "detected_at": time.time()}}  # fmt: skip
    calls: list[dict] = []
    started = time.time()
    ec2 = aws_client(_account(spec), "ec2", resolved["region"])
    nat.inject(ec2, resolved, record["before"], calls)
    injected = time.time()
    watch["deadline"] = started + 60 * plan["max_duration_minutes"]
    return {"fault_started_at": started, "fault_injected_at": injected, "calls": calls, "watch": watch}


class NotRestored(RuntimeError):
    """A restore ran but the state read back still differs from what was recorded."""


def rollback(spec_name: str, plan: dict, record: dict, run_id: str, ti) -> dict:
    """Put the recorded routes back and verify them attribute for attribute (``run_rollback``)."""
    spec = load_spec(spec_name)
    before = record["before"]
    ec2 = aws_client(_account(spec), "ec2", plan["resolved"]["region"])

    def differences() -> list[str]:
        return nat.differences(before, nat.describe_tables(ec2, list(before)))

    def restore(calls: list) -> None:
        nat.restore(ec2, before, calls)
        if diffs := differences():
            raise NotRestored(f"{len(diffs)} differences after restore")

    return run_rollback(spec, plan, run_id, ti, restore, differences)


def run_rollback(spec: Spec, plan: dict, run_id: str, ti, restore, differences=None) -> dict:
    """Every drill's rollback: ``restore(calls)`` retried as the spec says, then steady state awaited.

    ``restore`` raises when the state is not back; its return value is kept as ``verified_state``.
    When every attempt failed, ``differences()`` (if given) says what still differs; an incident
    notice is sent and the task fails.
    """
    from platform_ops.drills import notices
    from platform_ops.notify import FailureAlreadyNotified

    policy = spec["rollback"]
    result: dict = {
        "started_at": time.time(),
        "attempts": 0,
        "calls": [],
        "errors": [],
        "planned": plan["calls"]["rollback"],
    }
    for attempt in range(1, policy["attempts"] + 1):
        result["attempts"] = attempt
        try:
            result["verified_state"] = restore(result["calls"])
            result.update(verified=True, verified_at=time.time(), differences=[])
            break
        except Exception as err:  # noqa: BLE001 - every failure is retried, then reported
            code = (
                getattr(err, "response", {}).get("Error", {}).get("Code")
                if hasattr(err, "response")
                else None
            )
            result["errors"].append(
                {"attempt": attempt, "error": f"{code or type(err).__name__}: {err}", "at": time.time()}
            )
            log.warning("rollback attempt %s of %s failed: %s", attempt, policy["attempts"], err)
        if attempt < policy["attempts"]:
            time.sleep(policy["retry_delay_seconds"])
    else:
        result.update(verified=False, error=result["errors"][-1]["error"])
        result["differences"] = _still_different(differences, result)
        result["incident_message_id"] = notices.incident_notice(spec.drill, run_id, result)
        ti.xcom_push(key="rollback", value=result)
        raise FailureAlreadyNotified(
            f"rollback of drill {spec.drill} failed: {result['error']} (incident notice sent)"
        )
    result["steady_state"], result["steady_state_regained_at"] = _await_steady_state(spec, plan, policy)
    result["stop_alarms_at_end"] = alarm_states(spec, plan["watch"]["stop_alarms"])
    ti.xcom_push(key="rollback", value=result)
    return result


def _still_different(differences, result: dict) -> list[str]:
    if differences is None:
        return [f"not restored: {e['error']}" for e in result["errors"][-1:]]
    try:
        return differences()
    except Exception as err:  # noqa: BLE001 - the incident notice says it could not be read
        return [f"could not read the state back: {err}"]


def _await_steady_state(spec: Spec, plan: dict, policy: dict) -> tuple[list[dict], float | None]:
    deadline = time.monotonic() + policy["steady_state_timeout_seconds"]
    while True:
        probes = probe_steady_state(spec, plan["alarms"])
        if all(p["ok"] for p in probes):
            return probes, time.time()
        if time.monotonic() > deadline:
            return probes, None
        time.sleep(2)


def report(spec_name: str, run_id: str, ti, method_tasks: list[str]) -> dict:
    """The record and the page in S3, ``latest.json``, the end notice; fails the run unless the drill passed."""
    from airflow.sdk.exceptions import AirflowSkipException

    from platform_ops.drills import evidence as store
    from platform_ops.drills import notices
    from platform_ops.drills import report as rep
    from platform_ops.notify import FailureAlreadyNotified

    spec = load_spec(spec_name)
    record = ti.xcom_pull(task_ids="record_state")
    if not record:
        raise AirflowSkipException("no drill ran (refused, dry run or not approved): nothing was changed")
    plan = ti.xcom_pull(task_ids="preflight")
    fault = ti.xcom_pull(task_ids=method_tasks[0])
    steps = [r for r in (ti.xcom_pull(task_ids=t) for t in method_tasks[1:]) if r]
    rollback = ti.xcom_pull(task_ids="rollback", key="rollback")
    approval = ti.xcom_pull(task_ids="approve")
    evidence = rep.build_evidence(spec, plan, approval, record, fault, steps, rollback, run_id)
    pointer = store.publish(spec.drill, run_id, evidence, rep.render_html(evidence))
    notices.end_notice(spec.drill, run_id, evidence, pointer["report"])
    log.info("drill %s: %s; report %s", spec.drill, evidence["verdict"], pointer["report"])
    if evidence["verdict"] != "passed":
        raise FailureAlreadyNotified(f"drill {spec.drill}: {evidence['verdict']}: {evidence['summary']}")
    return pointer
