"""Notices for people: failures (incident), per-company success summary, variance (business).

A variance is the control doing its job, not a failed run: it goes out with its own subject so
the accounting team can route it apart from platform incidents. Builders only; the DAG publishes.
"""

from __future__ import annotations

from typing import Any

_SUBJECT_MAX = 100


def _subject(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SUBJECT_MAX else text[: _SUBJECT_MAX - 1] + "…"


def _money(value: Any) -> str:
    return f"{value:,.2f}" if isinstance(value, int | float) else str(value)


def failure_notice(
    *,
    step: str,
    company: str | None,
    period: str | None,
    reason: str,
    log_locations: list[str],
    refused: bool = False,
) -> tuple[str, str]:
    """The incident notice of one failed step; company and period only when known.

    ``refused``: the run was refused before it started anything (e.g. too early in the month).
    """
    known = [f"Period: {period}"] if period else []
    known += [f"Company: {company}"] if company else []
    scope = " ".join(part for part in ("SOX PG-01", period, company) if part)
    what = "refused the run" if refused else "failed"
    lines = [
        f"SOX PG-01 reconciliation {'refused' if refused else 'failed'} at step '{step}'.",
        *(["  ".join(known)] if known else []),
        "",
        "Why:",
        reason.strip() or "(no message)",
        "",
        "Logs:",
        *[f"  {where}" for where in log_locations],
        "",
        "Nothing was started or written for this run."
        if refused
        else "Evidence already uploaded is kept; latest.json was not moved for this run.",
    ]
    return _subject(f"[INCIDENT] {scope}: step {step} {what}"), "\n".join(lines)


def success_notice(period: str, summaries: list[dict[str, Any]], not_verified: list[str]) -> tuple[str, str]:
    """One message for the run: each verified company's outcome and where its evidence is."""
    subject = _subject(
        f"SOX PG-01 {period}: {len(summaries)} compan{'y' if len(summaries) == 1 else 'ies'} verified"
    )
    lines = [f"SOX PG-01 reconciliation for {period}: evidence verified and archived.", ""]
    for s in summaries:
        outcome = s.get("outcome", {})
        lines += [
            f"{s['company']}: {outcome.get('status')} variance={_money(outcome.get('variance'))} "
            f"(threshold {_money(outcome.get('threshold'))})",
            "  components: "
            + ", ".join(
                f"{k}={_money(v)}" for k, v in sorted((outcome.get("component_totals") or {}).items())
            ),
            "  bridges: "
            + (
                ", ".join(
                    f"{k}={_money(v)}" for k, v in sorted((outcome.get("bridge_amounts") or {}).items())
                )
                or "none"
            ),
            f"  evidence: {s['run_uri']}  manifest sha256 {s['manifest_sha256']}",
        ]
        if s.get("control_gaps"):
            lines.append("  known control gaps: " + "; ".join(s["control_gaps"]))
    if not_verified:
        lines += ["", "Not verified (see the incident notices): " + ", ".join(not_verified)]
    return subject, "\n".join(lines)


def variance_notice(period: str, summary: dict[str, Any]) -> tuple[str, str]:
    """Business notice for accounting: the reconciliation found a difference above the threshold."""
    outcome = summary.get("outcome", {})
    subject = _subject(f"[BUSINESS] SOX PG-01 {period} {summary['company']}: variance detected")
    lines = [
        f"The PG-01 reconciliation of {summary['company']} for {period} found a variance above the threshold.",
        "This is a business finding for the accounting team, not a platform incident.",
        "",
        f"Actuals (CR_04): {_money(outcome.get('actuals'))}",
        f"Target values:   {_money(outcome.get('target_values'))}",
        f"Variance:        {_money(outcome.get('variance'))} (threshold {_money(outcome.get('threshold'))})",
        "Components: "
        + ", ".join(f"{k}={_money(v)}" for k, v in sorted((outcome.get("component_totals") or {}).items())),
        "Bridges: "
        + (
            ", ".join(f"{k}={_money(v)}" for k, v in sorted((outcome.get("bridge_amounts") or {}).items()))
            or "none"
        ),
        f"Evidence: {summary['run_uri']}",
    ]
    return subject, "\n".join(lines)
