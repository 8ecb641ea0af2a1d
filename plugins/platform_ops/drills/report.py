"""The drill's record and its page: a verdict, a timeline of measured timestamps, RTO/RPO.

``build_evidence`` turns what the tasks returned into the JSON record (spec hash, resolved
targets, every call with its request id, timeline, outcome, approver). ``render_html`` draws a
self-contained page: the timeline is an inline SVG written here, so the page needs no script, no
network and no new dependency (a plotting library would add a dependency and an image for a
dozen markers on one axis).
"""

from __future__ import annotations

import html
from datetime import UTC, datetime

VERDICTS = {
    "passed": "Hypothesis held: recovered within the RTO, rolled back and verified.",
    "objective_missed": "Recovered, but slower than the RTO objective.",
    "refuted": "Hypothesis refuted: recovery or the return to steady state was not observed in time.",
    "aborted": "Aborted by a stop condition; the rollback ran.",
    "rollback_failed": "The rollback FAILED: targets are not as recorded before the drill (incident).",
}
COLOURS = {"passed": "#1a7f37", "objective_missed": "#9a6700", "refuted": "#cf222e", "aborted": "#bc4c00",
           "rollback_failed": "#a40e26"}  # fmt: skip


def _iso(epoch: float | None) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")


def _approver(approval: dict | None) -> dict | None:
    if not approval:
        return None
    user = approval.get("responded_by_user") or approval.get("responded_by") or {}
    return {"chosen": approval.get("chosen_options"), "by": user}


def build_evidence(spec, plan: dict, approval: dict | None, record: dict, fault: dict | None,
                   steps: list[dict], rollback: dict | None, run_id: str) -> dict:  # fmt: skip
    fault = fault or {}
    rollback = rollback or {}
    timeline: list[dict] = [{"event": "drill started (state recorded)", "at": record.get("recorded_at")}]
    if fault.get("fault_injected_at"):
        timeline.append({"event": "fault injected", "at": fault["fault_injected_at"]})
    stop = fault.get("stopped") or next(
        (s for s in steps if s.get("ended") in {"stop", "deadline", "timeout"}), None
    )
    recovered = next((s for s in steps if s.get("ended") == "recovered"), None)
    alarm_times = []
    if recovered:
        alarm_times.append(recovered.get("changed_at"))
        timeline.append({"event": "recovery observed", "at": recovered.get("detected_at"),
                         "note": "; ".join(f"{p['alarm']} {p['state']}" for p in recovered.get("probes", []))})  # fmt: skip
    if stop:
        if stop.get("changed_at"):
            alarm_times.append(stop["changed_at"])
            timeline.append({"event": f"stop alarm {stop.get('alarm')} in ALARM", "at": stop["changed_at"]})
        timeline.append(
            {"event": f"stop condition seen: {stop.get('condition')}", "at": stop.get("detected_at")}
        )
    first_alarm = min((t for t in alarm_times if t), default=None)
    if first_alarm:
        timeline.append({"event": "first alarm", "at": first_alarm})
    if rollback.get("started_at"):
        timeline.append({"event": "rollback started", "at": rollback["started_at"]})
    if rollback.get("verified_at"):
        timeline.append({"event": "rollback verified", "at": rollback["verified_at"]})
    if rollback.get("steady_state_regained_at"):
        timeline.append({"event": "steady state regained", "at": rollback["steady_state_regained_at"]})
    timeline = sorted((t for t in timeline if t.get("at")), key=lambda t: t["at"])
    for entry in timeline:
        entry["iso"] = _iso(entry["at"])

    injected = fault.get("fault_injected_at")
    rto = None
    if recovered and injected:
        rto = max(0.0, (recovered.get("changed_at") or recovered["detected_at"]) - injected)
    objectives = spec["objectives"]
    if rollback.get("verified") is False or not rollback:
        verdict = "rollback_failed"
    elif stop and stop.get("ended") in {"stop", "deadline"}:
        verdict = "aborted"
    elif stop or not recovered or rollback.get("steady_state_regained_at") is None:
        verdict = "refuted"
    elif rto is not None and rto > objectives["rto_seconds"]:
        verdict = "objective_missed"
    else:
        verdict = "passed"
    calls = [*fault.get("calls", []), *rollback.get("calls", [])]
    return {
        "format": "platform-ops/drill-evidence/v1",
        "drill": spec.drill,
        "title": spec["title"],
        "run_id": run_id,
        "spec_sha256": spec.sha256,
        "hypothesis": spec["hypothesis"],
        "verdict": verdict,
        "summary": VERDICTS[verdict],
        "blast_radius": plan["blast_radius_text"],
        "targets": plan["resolved"],
        "approved": _approver(approval),
        "stop_condition": stop,
        "steps": steps,
        "calls": calls,
        "rollback": {k: v for k, v in rollback.items() if k not in {"calls", "planned"}},
        "steady_state_before": plan["steady_state"],
        "timeline": timeline,
        "objectives": objectives,
        "measured": {
            "rto_seconds": None if rto is None else round(rto, 3),
            "rto_met": None if rto is None else rto <= objectives["rto_seconds"],
            "rpo_seconds": None,
            "rpo_note": objectives.get("rpo_note", ""),
            "detection_seconds": None if not (first_alarm and injected) else round(first_alarm - injected, 3),
        },
    }


def _svg(evidence: dict) -> str:
    events = evidence["timeline"]
    if not events:
        return "<p>No timestamps were recorded.</p>"
    start, end = events[0]["at"], events[-1]["at"]
    span = max(end - start, 1.0)
    width, left, right, row = 900, 20, 20, 26
    height = 70 + row * len(events)

    def x(t: float) -> float:
        return left + (width - left - right) * (t - start) / span

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="drill timeline" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
             f'<line x1="{left}" y1="40" x2="{width - right}" y2="40" stroke="#57606a" stroke-width="2"/>']  # fmt: skip
    injected = next((e["at"] for e in events if e["event"] == "fault injected"), None)
    if injected is not None:
        budget = injected + evidence["objectives"]["rto_seconds"]
        parts.append(f'<rect x="{x(injected):.1f}" y="30" width="{max(1.0, min(x(budget), width - right) - x(injected)):.1f}" '
                     'height="20" fill="#ddf4ff" stroke="#54aeff"><title>RTO objective</title></rect>')  # fmt: skip
        parts.append(
            f'<text x="{x(injected):.1f}" y="24" fill="#0969da">RTO objective {evidence["objectives"]["rto_seconds"]} s</text>'
        )
    for i, event in enumerate(events):
        px, py = x(event["at"]), 70 + row * i
        offset = event["at"] - start
        parts.append(
            f'<line x1="{px:.1f}" y1="40" x2="{px:.1f}" y2="{py - 4}" stroke="#8c959f" stroke-dasharray="3,3"/>'
        )
        parts.append(f'<circle cx="{px:.1f}" cy="40" r="5" fill="#0969da"/>')
        anchor = "end" if px > width / 2 else "start"
        parts.append(
            f'<text x="{px:.1f}" y="{py}" text-anchor="{anchor}">+{offset:.1f} s {html.escape(event["event"])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} s"


def _trend(evidence: dict) -> str:
    """The RTO/RPO trend across the stored runs (``trend``: see ``drills.trend``), when there is one."""
    trend = evidence.get("trend")
    if not trend:
        return ""
    return f"<h2>Trend across runs</h2><p>{html.escape(trend['sentence'])}</p>{trend['svg']}"


def render_html(evidence: dict) -> str:
    e = evidence
    esc = html.escape
    measured = e["measured"]
    rto = measured["rto_seconds"]
    rto_text = "not observed" if rto is None else f"{rto:.1f} s"
    rto_mark = "n/a" if measured["rto_met"] is None else ("met" if measured["rto_met"] else "MISSED")
    rows = "".join(
        f"<tr><td>{esc(t['iso'])}</td><td>{esc(t['event'])}</td><td>{esc(t.get('note', ''))}</td></tr>"
        for t in e["timeline"]
    )
    calls = "".join(
        f"<tr><td>{esc(c['action'])}</td><td><code>{esc(str(c['params']))}</code></td><td>{esc(str(c.get('request_id')))}</td></tr>"
        for c in e["calls"]
    )
    stop = e["stop_condition"]
    stop_text = (
        "none fired" if not stop else f"{stop.get('condition')} (seen by {stop.get('seen_by', 'describe')})"
    )
    rollback = e["rollback"]
    rollback_text = (
        f"verified after {rollback.get('attempts')} attempt(s)" if rollback.get("verified")
        else f"FAILED after {rollback.get('attempts')} attempt(s): {rollback.get('error')}"
    )  # fmt: skip
    diffs = "".join(f"<li><code>{esc(d)}</code></li>" for d in rollback.get("differences") or [])
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(e["title"])}: {esc(e["verdict"])}</title>
<style>body{{font-family:sans-serif;max-width:960px;margin:2em auto;color:#1f2328}}
table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}}
.verdict{{color:#fff;background:{COLOURS[e["verdict"]]};padding:.5em 1em;border-radius:6px}}</style></head>
<body><h1>{esc(e["title"])}</h1>
<p class="verdict"><strong>{esc(e["verdict"].replace("_", " ").upper())}</strong>: {esc(e["summary"])}</p>
<p><strong>Hypothesis.</strong> {esc(e["hypothesis"])}</p>
<h2>Objectives</h2><table><tr><th></th><th>Objective</th><th>Measured</th><th></th></tr>
<tr><td>RTO</td><td>{e["objectives"]["rto_seconds"]} s</td><td>{esc(rto_text)}</td><td>{rto_mark}</td></tr>
<tr><td>RPO</td><td>{esc(str(e["objectives"]["rpo_seconds"] if e["objectives"]["rpo_seconds"] is not None else "n/a"))}</td>
<td>{esc(_seconds(measured.get("rpo_seconds")))}</td><td>{esc(measured["rpo_note"])}</td></tr></table>
{_trend(e)}<h2>Timeline</h2>{_svg(e)}
<table><tr><th>UTC</th><th>Event</th><th>Detail</th></tr>{rows}</table>
<h2>Stop conditions</h2><p>{esc(stop_text)}</p>
<h2>Rollback</h2><p>{esc(rollback_text)}</p>{f"<ul>{diffs}</ul>" if diffs else ""}
<h2>Blast radius</h2><p>{esc(e["blast_radius"])}</p>
<h2>Calls made</h2><table><tr><th>Action</th><th>Parameters</th><th>Request id</th></tr>{calls}</table>
<p>Run {esc(e["run_id"])}; spec SHA-256 <code>{esc(e["spec_sha256"])}</code>; approved: {esc(str(e["approved"]))}.</p>
</body></html>
"""
