"""The drill's notices (start, abort, end, rollback incident), through ``platform_ops.notify``."""

from __future__ import annotations

from platform_ops.notify import send_notice


def start_notice(drill: str, run_id: str, plan: dict) -> str:
    resolved = plan["resolved"]
    return send_notice(
        f"[DRILL] {drill} started",
        f"Drill {drill} (run {run_id}) starts now: {plan['blast_radius_text']}\n"
        f"Stop conditions: {', '.join(a['name'] for a in plan['watch']['stop_alarms'])}; "
        f"maximum {plan['max_duration_minutes']} min.\nTargets: "
        f"{plan.get('targets_text') or ', '.join(resolved.get('route_table_ids', []))}",
    )


def abort_notice(drill: str, run_id: str, result: dict) -> str:
    return send_notice(
        f"[DRILL] {drill} aborted: {result.get('ended')}",
        f"Drill {drill} (run {run_id}) aborted in step {result.get('step')}: {result.get('condition')}.\n"
        "No further method step starts; the rollback runs now.",
    )


def incident_notice(drill: str, run_id: str, rollback: dict) -> str:
    return send_notice(
        f"[INCIDENT] {drill}: rollback failed, targets NOT restored",
        f"Drill {drill} (run {run_id}): the rollback failed after {rollback['attempts']} attempts.\n"
        f"Last error: {rollback.get('error')}\nDifferences still present:\n"
        + "\n".join(rollback.get("differences") or ["(not verified)"])
        + "\nRestore by hand: "
        + "; ".join(
            c.get("cli")
            or f"aws ec2 create-route --route-table-id {c['params']['RouteTableId']} "
            f"--destination-cidr-block {c['params']['DestinationCidrBlock']} --nat-gateway-id {c['params']['NatGatewayId']} "
            f"--region {c['region']}"
            for c in rollback.get("planned", [])
        ),
    )


def end_notice(drill: str, run_id: str, evidence: dict, where: str) -> str:
    rto = evidence["measured"].get("rto_seconds")
    return send_notice(
        f"[DRILL] {drill} {evidence['verdict']}",
        f"Drill {drill} (run {run_id}): {evidence['verdict']}. {evidence['summary']}\n"
        f"RTO measured: {'n/a' if rto is None else f'{rto:.1f} s'} (objective {evidence['objectives']['rto_seconds']} s).\n"
        + (f"Trend: {evidence['trend']['sentence']}\n" if evidence.get("trend") else "")
        + f"Report: {where}",
    )
