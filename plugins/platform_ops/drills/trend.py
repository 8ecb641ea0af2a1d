"""RTO and RPO across runs of one drill: read from the stored reports, compared, drawn.

The earlier runs are the ``evidence.json`` records under ``drills/<drill>/runs/`` in the
artifacts bucket (the reports themselves: no second store to keep in step). ``compare`` says for
each figure whether this run is better, worse or the same as the previous run that measured it;
``svg`` draws every run's RTO as a bar against the objective (inline SVG, like the timeline).
"""

from __future__ import annotations

import html
import json

from platform_ops.drills.evidence import run_prefix

RUNS_KEPT = 8


def earlier_runs(store, drill: str, run_id: str) -> list[dict]:
    """``[{"run_id", "started_at", "rto_seconds", "rpo_seconds", "verdict"}]`` of the stored runs, oldest first."""
    prefix = run_prefix(drill, "x").rsplit("/", 2)[0] + "/"
    own = run_prefix(drill, run_id)
    keys = [k for k in (store.hook.list_keys(bucket_name=store.bucket, prefix=prefix) or [])
            if k.endswith("/evidence.json") and not k.startswith(own)]  # fmt: skip
    runs = []
    for key in keys:
        record = json.loads(store.hook.read_key(key, bucket_name=store.bucket))
        timeline = record.get("timeline") or [{}]
        runs.append({
            "run_id": record["run_id"], "started_at": timeline[0].get("at"), "verdict": record["verdict"],
            "rto_seconds": record["measured"].get("rto_seconds"), "rpo_seconds": record["measured"].get("rpo_seconds"),
        })  # fmt: skip
    runs.sort(key=lambda r: r["started_at"] or 0)
    return runs[-RUNS_KEPT:]


def _direction(now: float | None, before: float | None) -> str | None:
    if now is None or before is None:
        return None
    return "same" if abs(now - before) < 0.05 else ("better" if now < before else "worse")


def compare(current: dict, runs: list[dict]) -> dict:
    """This run's RTO/RPO against the previous run that measured each (lower is better)."""
    out = {"runs": runs, "previous": {}, "direction": {}}
    for figure in ("rto_seconds", "rpo_seconds"):
        previous = next((r for r in reversed(runs) if r.get(figure) is not None), None)
        out["previous"][figure] = (
            None if previous is None else {"run_id": previous["run_id"], "value": previous[figure]}
        )
        out["direction"][figure] = _direction(current.get(figure), previous and previous[figure])
    return out


def sentence(trend: dict, current: dict) -> str:
    """One line for the notice: each figure, its previous value and whether it got better or worse."""
    parts = []
    for figure, label in (("rto_seconds", "RTO"), ("rpo_seconds", "RPO")):
        value, previous = current.get(figure), trend["previous"].get(figure)
        if value is None:
            parts.append(f"{label} not measured")
        elif previous is None:
            parts.append(f"{label} {value:.1f} s (first measured run)")
        else:
            word = {"better": "better than", "worse": "worse than", "same": "the same as"}[
                trend["direction"][figure]
            ]
            parts.append(f"{label} {value:.1f} s, {word} the previous run's {previous['value']:.1f} s")
    return "; ".join(parts) + "."


def svg(trend: dict, current: dict, run_id: str, objective: float) -> str:
    """Bars of RTO per run (this run last, highlighted) with the objective as a line."""
    runs = [*trend["runs"], {"run_id": run_id, **current}]
    values = [r.get("rto_seconds") or 0.0 for r in runs]
    top = max([objective, *values]) * 1.15 or 1.0
    width, height, left, bottom = 900, 220, 60, 40
    slot = (width - left - 20) / len(runs)

    def y(v: float) -> float:
        return height - bottom - (height - bottom - 20) * v / top

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="RTO trend" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
             f'<line x1="{left}" y1="{y(objective):.1f}" x2="{width - 20}" y2="{y(objective):.1f}" stroke="#cf222e" '
             f'stroke-dasharray="6,4"/><text x="4" y="{y(objective) + 4:.1f}" fill="#cf222e">RTO {objective:g} s</text>']  # fmt: skip
    for i, (run, value) in enumerate(zip(runs, values, strict=True)):
        x = left + i * slot + slot * 0.15
        colour = "#0969da" if i == len(runs) - 1 else "#8c959f"
        measured = run.get("rto_seconds")
        label = "n/a" if measured is None else f"{measured:.1f} s"
        parts.append(f'<rect x="{x:.1f}" y="{y(value):.1f}" width="{slot * 0.7:.1f}" height="{y(0) - y(value):.1f}" '
                     f'fill="{colour}"><title>{html.escape(run["run_id"])}</title></rect>')  # fmt: skip
        parts.append(f'<text x="{x:.1f}" y="{y(value) - 4:.1f}">{label}</text>')
        rpo = run.get("rpo_seconds")
        parts.append(
            f'<text x="{x:.1f}" y="{height - 22}">RPO {"n/a" if rpo is None else f"{rpo:g} s"}</text>'
        )
        parts.append(f'<text x="{x:.1f}" y="{height - 8}">{html.escape(run["run_id"][-19:])}</text>')
    parts.append("</svg>")
    return "".join(parts)
