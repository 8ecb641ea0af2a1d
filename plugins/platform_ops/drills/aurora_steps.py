"""Task bodies of ``dr_aurora_switchover_semiannual`` (and what ``region_loss`` shares with it).

preflight (windows, contract, blast radius, gotchas, steady state), record (marker, writer, lag:
after the approval), switchover (the fault: the call, the writer in us-east-1, writes accepted,
marker readable, replication the other way), rollback (switch home, verify, retry, incident)
and report (RTO, RPO, timeline, trend). Every AWS call goes through the account the spec names.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from platform_ops.drills import aurora
from platform_ops.drills import targets as tg
from platform_ops.drills.spec import DrillRefused, Spec, load_spec, refuse_in_window
from platform_ops.drills.steps import _account, alarm_states, probe_steady_state, run_rollback

log = logging.getLogger(__name__)


def base_plan(spec: Spec, params: dict, logical_date: datetime | None) -> tuple[dict, dict]:
    """Window, account, contract, alarms and the stop watch: ``(plan, contract)``."""
    from platform_ops.aws.access import aws_client

    refuse_in_window(spec, {"the run's logical date": logical_date or datetime.now(UTC)})
    account = _account(spec)
    if account.name not in spec["blast_radius"]["accounts"]:
        raise DrillRefused(f"drill {spec.drill} refused: account {account.name} is outside the blast radius")
    contract = tg.read_contract(spec, aws_client(account, "ssm", spec["targets"]["region"]))
    alarms = {ref: tg.resolve_alarm(contract, ref).as_dict() for ref in spec.alarm_refs()}
    stop_alarms = [{**alarms[ref], "queue_url": tg.event_queue(contract, alarms[ref]["region"])}
                   for ref in spec["stop_conditions"]["alarms"]]  # fmt: skip
    plan = {
        "drill": spec.drill,
        "spec_sha256": spec.sha256,
        "hypothesis": spec["hypothesis"],
        "account": {"name": account.name, "id": account.account_id},
        "alarms": alarms,
        "watch": {
            "stop_alarms": stop_alarms,
            "alarms": alarms,
            "aws_conn_id": account.aws_conn_id,
            "backstop_seconds": spec["stop_conditions"].get("backstop_seconds", 15),
        },  # fmt: skip
        "max_duration_minutes": spec["stop_conditions"]["max_duration_minutes"],
        "objectives": spec["objectives"],
        "dry_run": bool(params.get("dry_run")),
    }
    return plan, contract


def refuse_unless_steady(spec: Spec, plan: dict, checks: list[dict], problems: list[str]) -> None:
    """Gotchas refuse always (also a dry run says so); a steady state that does not hold, unless dry run."""
    if problems:
        raise DrillRefused(f"drill {spec.drill} refused before any change: " + "; ".join(problems))
    failing = [c for c in checks if not c["ok"]]
    if failing and not plan["dry_run"]:
        raise DrillRefused(
            f"drill {spec.drill} refused: not in steady state before the fault: "
            + "; ".join(f"{c['name']}: found {c['found']}, expected {c['expected']}" for c in failing)
        )


def aurora_text(spec: Spec, plan: dict, resolved: dict) -> str:
    clusters = resolved["clusters"]
    return (
        f"account {spec['targets']['account']} ({plan['account']['id']}), Aurora global cluster "
        f"{resolved['global_cluster_id']}: writer {clusters['primary']['cluster_id']} ({clusters['primary']['region']}) "
        f"and {clusters['secondary']['cluster_id']} ({clusters['secondary']['region']}), tagged {spec['blast_radius']['tags']}"
    )


def preflight(spec_name: str, params: dict, logical_date: datetime | None) -> dict:
    spec = load_spec(spec_name)
    plan, contract = base_plan(spec, params, logical_date)
    account = _account(spec)
    resolved = aurora.resolve(spec, contract, account)
    to_role = spec.injection["to"]
    checks = [*probe_steady_state(spec, plan["alarms"]),
              *aurora.steady_state(account, resolved, "primary", spec["aurora"]["max_lag_ms"])]  # fmt: skip
    problems = aurora.gotchas(account, resolved)
    plan.update(
        resolved=resolved,
        blast_radius_text=aurora_text(spec, plan, resolved),
        targets_text=f"{resolved['global_cluster_id']} → {resolved['clusters'][to_role]['cluster_id']}",
        calls={"inject": [aurora.planned_switch(resolved, to_role)], "rollback": [aurora.planned_switch(resolved, "primary")]},
        steady_state=checks,
        gotchas=problems,
    )  # fmt: skip
    for phase, calls in plan["calls"].items():
        for call in calls:
            log.info("%s call: %s", phase, call["cli"])
    refuse_unless_steady(spec, plan, checks, problems)
    return plan


def approval_body(spec: Spec) -> str:
    """Markdown for the approval page (a Jinja template reading the preflight's plan)."""
    steps = "\n".join(f"{i}. **{s['name']}** ({s['action']}): {s.get('description', '')}"
                      for i, s in enumerate(spec["method"], 1))  # fmt: skip
    return (
        f"### {spec['title']}\n\n**Hypothesis:** {spec['hypothesis']}\n\n"
        "**Blast radius:** {{ ti.xcom_pull(task_ids='preflight')['blast_radius_text'] }}\n\n"
        "**Calls:** {% for c in ti.xcom_pull(task_ids='preflight')['calls']['inject'] %}`{{ c.cli }}` {% endfor %}\n\n"
        f"**Method:**\n{steps}\n\n"
        f"**Stop conditions:** alarms {', '.join(spec['stop_conditions']['alarms'])} in ALARM, or "
        f"{spec['stop_conditions']['max_duration_minutes']} minutes passed.\n\n"
        f"**Objectives:** RTO {spec['objectives']['rto_seconds']} s; RPO {spec['objectives']['rpo_seconds']} s "
        f"({spec['objectives'].get('rpo_note', '')}).\n\n"
        f"**Rollback (always runs):** {spec['rollback']['description']} Up to {spec['rollback']['attempts']} attempts.\n\n"
        "No answer means no drill: nothing is changed."
    )


def record(spec_name: str, plan: dict, run_id: str, extra: dict | None = None) -> dict:
    """After the approval: the writer and lag as they are, a marker in the writer, the start notice."""
    from platform_ops.drills import evidence, notices

    spec = load_spec(spec_name)
    account = _account(spec)
    resolved = plan["resolved"]
    before = {
        "members": aurora.member_states(account, resolved),
        "lag_ms": aurora.lag_ms(account, resolved, "secondary"),
        "marker": aurora.write_marker(account, resolved, "primary"),
        **(extra or {}),
    }
    evidence.put_run_object(spec.drill, run_id, "before.json", before)
    notices.start_notice(spec.drill, run_id, plan)
    return {"before": before, "recorded_at": time.time()}


def firing_stop(spec: Spec, plan: dict, step: str) -> dict | None:
    """A stop alarm already in ALARM before the fault, as a stop result; else None."""
    watch = plan["watch"]
    states = alarm_states(spec, watch["stop_alarms"])
    firing = [a for a in watch["stop_alarms"] if states.get(a["name"], {}).get("state") == "ALARM"]
    if not firing:
        return None
    alarm = firing[0]
    return {"ended": "stop", "step": step, "alarm": alarm["name"], "detected_at": time.time(),
            "condition": f"stop alarm {alarm['name']} ({alarm['ref']}) in ALARM before the fault",
            "changed_at": states[alarm["name"]]["updated"]}  # fmt: skip


def promote(
    spec: Spec, plan: dict, record_: dict, step: dict, calls: list[dict], allow_data_loss: bool = False
) -> dict:
    """Switch to ``step['to']``, measure RTO (call → write accepted), check marker and reverse replication."""
    account = _account(spec)
    resolved = plan["resolved"]
    poll = spec["aurora"].get("poll_seconds", 2)
    to_role = step["to"]
    switched = aurora.switch(
        account, resolved, to_role, calls, step["timeout_seconds"], poll, allow_data_loss
    )
    found = aurora.marker_readable(account, resolved, to_role, record_["before"]["marker"]["id"])
    reverse = "primary" if to_role == "secondary" else "secondary"
    members = aurora.member_states(account, resolved)
    replication = {"synchronization": members[reverse].get("synchronization"),
                   "lag_ms": aurora.lag_ms(account, resolved, reverse)}  # fmt: skip
    probes = [
        {"name": f"writer in {resolved['clusters'][to_role]['region']}", "alarm": resolved["clusters"][to_role]["cluster_id"], "state": "writer"},
        {"name": "marker readable on the new writer", "alarm": record_["before"]["marker"]["id"], "state": str(found)},
    ]  # fmt: skip
    return {
        "step": step["name"],
        "ended": "recovered",
        "changed_at": switched["accepted_at"],
        "detected_at": switched["accepted_at"],
        "probes": probes,
        "switch": switched,
        "marker_found": found,
        "reverse_replication": replication,
        "rpo": aurora.rpo(found, record_["before"]["lag_ms"]),
    }


def switchover(spec_name: str, plan: dict, record_: dict) -> dict:
    """The fault of the half-yearly drill: the switchover, unless a stop alarm already fires."""
    spec = load_spec(spec_name)
    watch = dict(plan["watch"])
    stop = firing_stop(spec, plan, spec.injection["name"])
    if stop:
        return {"fault_injected_at": None, "calls": [], "watch": watch, "stopped": stop}
    calls: list[dict] = []
    started = time.time()
    watch["deadline"] = started + 60 * plan["max_duration_minutes"]
    result = promote(spec, plan, record_, spec.injection, calls)
    return {"fault_started_at": started, "fault_injected_at": result["switch"]["called_at"], "calls": calls,
            "watch": watch, "recovered": result}  # fmt: skip


def switch_home(spec: Spec, plan: dict, calls: list[dict]) -> dict:
    """Writer home (a switchover when it is not), writes accepted there, the other member synchronized."""
    account = _account(spec)
    resolved = plan["resolved"]
    poll = spec["aurora"].get("poll_seconds", 2)
    timeout = spec["rollback"]["steady_state_timeout_seconds"]
    _await_synchronized(account, resolved, timeout, poll)  # after a data-loss failover: the rejoin
    members = aurora.member_states(account, resolved)
    if members["status"]["status"] != "available" or not members["primary"].get("is_writer"):
        if members["status"]["status"] == "available":
            aurora.switch(account, resolved, "primary", calls, timeout, poll)
        else:  # a switch still running (the drill's own, cut short): let it end, then come home
            aurora.rds(account, resolved["clusters"]["secondary"]["region"]).wait_for_writer(
                resolved["global_cluster_id"], calls[-1]["params"]["TargetDbClusterIdentifier"] if calls else
                resolved["clusters"]["secondary"]["cluster_arn"], timeout=timeout, poll=poll)  # fmt: skip
            return switch_home(spec, plan, calls)
    writes = aurora.await_writes(account, resolved, "primary", timeout, poll)
    _await_synchronized(account, resolved, timeout, poll)
    return writes


def _await_synchronized(account, resolved: dict, timeout: float, poll: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        members = aurora.member_states(account, resolved)
        if all(members[r].get("synchronization") in (None, "connected") for r in aurora.ROLES):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the members are not synchronized: {members}")
        time.sleep(poll)


def rollback(spec_name: str, plan: dict, run_id: str, ti) -> dict:
    spec = load_spec(spec_name)
    return run_rollback(spec, plan, run_id, ti, lambda calls: switch_home(spec, plan, calls))


def finish(spec: Spec, run_id: str, ti, evidence: dict, recovered: dict | None) -> dict:
    """RPO, the trend across stored runs, the page, ``latest.json`` and the end notice."""
    from platform_ops.aws.artifacts import ArtifactStore
    from platform_ops.drills import evidence as store
    from platform_ops.drills import notices, trend
    from platform_ops.drills import report as rep
    from platform_ops.notify import FailureAlreadyNotified

    measured = evidence["measured"]
    rpo = (recovered or {}).get("rpo") or {}
    measured["rpo_seconds"] = rpo.get("rpo_seconds")
    measured["rpo_marker_found"] = rpo.get("marker_found")
    measured["lag_before_ms"] = rpo.get("lag_before_ms")
    objective = spec["objectives"]["rpo_seconds"]
    measured["rpo_met"] = (
        None if measured["rpo_seconds"] is None or objective is None else measured["rpo_seconds"] <= objective
    )
    if evidence["verdict"] == "passed" and measured["rpo_met"] is False:
        evidence["verdict"], evidence["summary"] = (
            "objective_missed",
            "Recovered, but more data was lost than the RPO.",
        )
    current = {"rto_seconds": measured["rto_seconds"], "rpo_seconds": measured["rpo_seconds"]}
    compared = trend.compare(current, trend.earlier_runs(ArtifactStore(), spec.drill, run_id))
    compared["sentence"] = trend.sentence(compared, current)
    compared["svg"] = trend.svg(compared, current, run_id, spec["objectives"]["rto_seconds"])
    evidence["trend"] = compared
    pointer = store.publish(spec.drill, run_id, evidence, rep.render_html(evidence))
    notices.end_notice(spec.drill, run_id, evidence, pointer["report"])
    log.info("drill %s: %s; report %s", spec.drill, evidence["verdict"], pointer["report"])
    if evidence["verdict"] != "passed":
        raise FailureAlreadyNotified(f"drill {spec.drill}: {evidence['verdict']}: {evidence['summary']}")
    return pointer


def timeline_extra(recovered: dict | None) -> list[dict]:
    """The switch's own transitions: the call, each state seen, writer available, first write accepted."""
    if not recovered:
        return []
    switched = recovered["switch"]
    out = [{"event": "failover decision: switch called", "at": switched["called_at"]}]
    out += [{"event": f"global cluster {s['status']} ({s['failover_state'] or 'done'})", "at": s["at"]}
            for s in switched["states"][1:-1]]  # fmt: skip
    out += [{"event": "writer available in the new Region", "at": switched["writer_available_at"]},
            {"event": "first write accepted", "at": switched["accepted_at"]}]  # fmt: skip
    return out


def add_timeline(evidence: dict, events: list[dict]) -> None:
    from platform_ops.drills.report import _iso

    merged = [*evidence["timeline"], *({**e, "iso": _iso(e["at"])} for e in events if e.get("at"))]
    evidence["timeline"] = sorted(merged, key=lambda t: t["at"])


def report(spec_name: str, run_id: str, ti, fault_task: str, wait_tasks: list[str]) -> dict:
    from airflow.sdk.exceptions import AirflowSkipException

    from platform_ops.drills import report as rep

    spec = load_spec(spec_name)
    record_ = ti.xcom_pull(task_ids="record_state")
    if not record_:
        raise AirflowSkipException("no drill ran (refused, dry run or not approved): nothing was changed")
    plan = ti.xcom_pull(task_ids="preflight")
    fault = ti.xcom_pull(task_ids=fault_task) or {}
    recovered = fault.get("recovered")
    steps = [r for r in [recovered, *(ti.xcom_pull(task_ids=t) for t in wait_tasks)] if r]
    rollback_ = ti.xcom_pull(task_ids="rollback", key="rollback")
    evidence = rep.build_evidence(
        spec, plan, ti.xcom_pull(task_ids="approve"), record_, fault, steps, rollback_, run_id
    )
    add_timeline(evidence, timeline_extra(recovered))
    return finish(spec, run_id, ti, evidence, recovered)
