"""checkov over terraform/: no failed check, and every skipped check says why.

checkov runs from its own venv (``.venv-checkov`` at the repo root, made by ``make test``):
installed next to Airflow it would downgrade boto3, botocore and packaging. ``--skip-download``
keeps it offline (no Prisma Cloud calls). Frameworks: terraform (misconfigurations) and secrets
(hard-coded credentials in any file under terraform/).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"
NO_REASON = {"", "No comment provided"}


@pytest.fixture(scope="module")
def report() -> dict[str, dict]:
    """checkov's JSON report by framework (``check_type``)."""
    if not CHECKOV.exists():
        pytest.fail("run make test (it installs checkov into .venv-checkov)")
    cmd = [
        str(CHECKOV),
        "--directory", "terraform",
        "--skip-download",
        "--framework", "terraform", "secrets",
        "--skip-path", r"\.terraform/",
        "--output", "json",
        "--compact",
    ]  # fmt: skip
    result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode in (0, 1), f"checkov crashed (rc {result.returncode}):\n{result.stderr[-3000:]}"
    parsed = json.loads(result.stdout)
    runs = parsed if isinstance(parsed, list) else [parsed]
    return {run["check_type"]: run for run in runs if "check_type" in run}


def test_checkov_scanned_the_terraform_tree(report):
    summary = report["terraform"]["summary"]
    assert summary["parsing_errors"] == 0
    assert summary["resource_count"] > 100, "checkov found almost nothing to scan: is terraform/ there?"
    assert summary["passed"] > 0


def test_no_failed_checks(report):
    failures = [
        f"{c['check_id']} {c['resource']} {c['file_path']}:{c['file_line_range'][0]} - {c['check_name']}"
        for run in report.values()
        for c in run["results"]["failed_checks"]
    ]
    assert not failures, "checkov findings (fix them, or skip inline with a reason):\n" + "\n".join(failures)


def test_every_skip_has_a_reason(report):
    skips = [c for run in report.values() for c in run["results"]["skipped_checks"]]
    assert skips, "expected the inline skips of terraform/ to be reported"
    unexplained = [
        f"{c['check_id']} {c['resource']} {c['file_path']}"
        for c in skips
        if (c.get("check_result", {}).get("suppress_comment") or "").strip() in NO_REASON
    ]
    assert not unexplained, "skips need `# checkov:skip=ID:reason`:\n" + "\n".join(unexplained)
