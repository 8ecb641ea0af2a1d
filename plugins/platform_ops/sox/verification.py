"""The PG-01 verification checklist, over the files of one run.

The checks: exit code 0; ``result.json`` parses with status SUCCESS or WARNING, no errors, and the
requested cutoff and company; every item sourced from ``Live Database``; quality reports PASS (or
allow-listed) and CR_04 and the target components with rows; one evidence package (folder + ZIP)
per item with its required files; package integrity recomputed; the business outcome recorded.

Exit code 0 does not mean success: without a database the job exits 0 with every source
"No Data". This module judges a run from what the wrapper uploaded: ``result.json``, ``run.json``
and the evidence packages (``evidence/<ITEM>_<CC>_<YYYYMM>_<ts>/`` plus the sibling ZIP). It
returns a report with every failure found (not just the first), the business outcome (which is
never a failure) and the control gaps an auditor should know about.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from platform_ops.evidence.writer import sha256_hex
from platform_ops.sox.catalog import LIVE_SOURCE, non_empty_required
from platform_ops.sox.layout import EVIDENCE_DIR, RESULT, WRAPPER_RECORD

ACCEPTED_STATUSES = ("SUCCESS", "WARNING")
REQUIRED_FILES = (
    "00_system_context.json",
    "execution_metadata.json",
    "01_executed_query.sql",
    "02_query_parameters.json",
    "03_data_snapshot.csv",
    "04_data_summary.json",
    "05_integrity_hash.json",
    "05_integrity_hash.sha256",
    "06_validation_results.json",
    "09_execution_log.json",
)
CONTRACT_FILES = ("07_schema_validation.json", "08_transformations_log.json")
EXECUTION_LOG = "09_execution_log.json"


@dataclass(frozen=True)
class Expectation:
    """What the DAG asked for; the run must echo it."""

    company: str
    cutoff: str
    period_label: str
    items: list[str]
    container_exit_code: int | None = 0
    quality_allow_list: list[str] = field(default_factory=list)
    contract_items: list[str] = field(default_factory=list)


@dataclass
class VerificationReport:
    company: str
    passed: bool
    failures: list[str]
    items: dict[str, dict[str, Any]]
    outcome: dict[str, Any]
    control_gaps: list[str]
    result_status: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def package_integrity(files: Mapping[str, bytes]) -> str:
    """SHA-256 over the raw bytes of every file but 09, concatenated in file-name order."""
    return sha256_hex(b"".join(files[name] for name in sorted(files) if name != EXECUTION_LOG))


def _json(raw: bytes | None, what: str, failures: list[str]) -> Any:
    if raw is None:
        failures.append(f"{what} is missing")
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        failures.append(f"{what} is not valid JSON: {err}")
        return None


def _packages(
    objects: Mapping[str, bytes], item: str, label: str
) -> tuple[dict[str, dict[str, bytes]], list[str]]:
    """Evidence directories (name → files) and ZIP keys of ``item`` for the period ``label``."""
    name = rf"{re.escape(item)}_[A-Z]{{2}}_{label}_[0-9]{{8}}_[0-9]{{6}}"
    in_dir = re.compile(rf"^{EVIDENCE_DIR}({name})/([^/]+)$")
    as_zip = re.compile(rf"^{EVIDENCE_DIR}({name})_evidence\.zip$")
    dirs: dict[str, dict[str, bytes]] = {}
    zips: list[str] = []
    for key in objects:
        if match := in_dir.match(key):
            dirs.setdefault(match.group(1), {})[match.group(2)] = objects[key]
        elif as_zip.match(key):
            zips.append(key)
    return dirs, sorted(zips)


def _check_package(
    item: str, files: dict[str, bytes], zip_bytes: bytes | None, needs_contract: bool, failures: list[str]
) -> dict[str, Any]:
    info: dict[str, Any] = {}
    missing = [name for name in REQUIRED_FILES if name not in files]
    contract = [name for name in CONTRACT_FILES if name in files]
    if needs_contract and len(contract) < len(CONTRACT_FILES):
        missing += [name for name in CONTRACT_FILES if name not in files]
    elif contract and len(contract) < len(CONTRACT_FILES):
        failures.append(f"{item}: schema-contract files come in pairs, found only {contract}")
    if missing:
        failures.append(f"{item}: evidence package lacks {', '.join(missing)}")
    validation = _json(files.get("06_validation_results.json"), f"{item}: 06_validation_results.json", [])
    if validation is not None:
        status = validation.get("validation_results", {}).get("overall_status")
        info["overall_status"] = status
        info["sox_compliance"] = validation.get("sox_compliance", {})
        if status != "SUCCESS":
            failures.append(f"{item}: 06 validation overall_status is {status!r}, expected 'SUCCESS'")
    log = _json(files.get(EXECUTION_LOG), f"{item}: {EXECUTION_LOG}", [])
    if log is not None:
        recorded, recomputed = log.get("package_integrity"), package_integrity(files)
        info["package_integrity"] = recomputed
        if recorded != recomputed:
            failures.append(
                f"{item}: package_integrity mismatch: 09 records {recorded}, the files give {recomputed} "
                "(a file changed after the package was sealed)"
            )
    summary = _json(files.get("04_data_summary.json"), f"{item}: 04_data_summary.json", [])
    hashed = _json(files.get("05_integrity_hash.json"), f"{item}: 05_integrity_hash.json", [])
    if summary is not None and hashed is not None:
        info["total_rows"] = summary.get("total_rows")
        info["data_hash"] = hashed.get("hash")
        if hashed.get("data_rows") != summary.get("total_rows"):
            failures.append(
                f"{item}: row counts disagree: 05 data_rows={hashed.get('data_rows')} but "
                f"04 total_rows={summary.get('total_rows')}"
            )
        sidecar = files.get("05_integrity_hash.sha256", b"").decode(errors="replace").split()
        if sidecar and sidecar[0] != hashed.get("hash"):
            failures.append(f"{item}: 05_integrity_hash.sha256 ({sidecar[0]}) differs from 05 json hash")
        if validation is not None and validation.get("data_integrity_hash") not in (None, hashed.get("hash")):
            failures.append(f"{item}: 06 data_integrity_hash differs from the 05 data hash")
    if zip_bytes is not None:
        _check_zip(item, files, zip_bytes, failures)
    return info


def _check_zip(item: str, files: dict[str, bytes], zip_bytes: bytes, failures: list[str]) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
            members = {
                name.rsplit("/", 1)[-1]: archive.read(name)
                for name in archive.namelist()
                if not name.endswith("/")
            }
    except zipfile.BadZipFile as err:
        failures.append(f"{item}: evidence ZIP is unreadable: {err}")
        return
    if set(members) != set(files):
        failures.append(
            f"{item}: evidence ZIP and folder list different files "
            f"(only in ZIP: {sorted(set(members) - set(files))}, only in folder: {sorted(set(files) - set(members))})"
        )
    changed = sorted(n for n in set(members) & set(files) if sha256_hex(members[n]) != sha256_hex(files[n]))
    if changed:
        failures.append(f"{item}: evidence ZIP and folder differ in {', '.join(changed)}")


def _check_uploads(objects: Mapping[str, bytes], record: dict[str, Any], failures: list[str]) -> None:
    """Every object the wrapper uploaded is still there with the bytes it hashed."""
    for upload in record.get("uploaded", []):
        data = objects.get(upload["key"])
        if data is None:
            failures.append(f"{upload['key']}: uploaded by the wrapper but no longer in S3")
        elif sha256_hex(data) != upload["sha256"]:
            failures.append(f"{upload['key']}: changed in S3 after upload (sha256 differs from run.json)")


def _quality_status(report: Any) -> str | None:
    return report.get("status") if isinstance(report, dict) else report


def _outcome(result: dict[str, Any]) -> dict[str, Any]:
    rec = result.get("reconciliation") or {}
    bridges = result.get("bridges") or {}
    return {
        "status": rec.get("status"),
        "is_reconciled": rec.get("is_reconciled"),
        "actuals": rec.get("actuals"),
        "target_values": rec.get("target_values"),
        "variance": rec.get("variance"),
        "abs_variance": rec.get("abs_variance"),
        "threshold": rec.get("threshold"),
        "component_totals": rec.get("component_totals") or {},
        "bridge_amounts": {
            name: (value.get("amount") if isinstance(value, dict) else value)
            for name, value in bridges.items()
        },
    }


def verify_run(objects: Mapping[str, bytes], expect: Expectation) -> VerificationReport:
    """Run the checklist over one run's objects (keys relative to the run prefix)."""
    failures: list[str] = []
    gaps: list[str] = []
    items: dict[str, dict[str, Any]] = {}

    if expect.container_exit_code != 0:
        failures.append(f"the container exited with code {expect.container_exit_code}, expected 0")
    record = _json(objects.get(WRAPPER_RECORD), WRAPPER_RECORD, failures)
    if isinstance(record, dict):
        if record.get("cli_exit_code") != 0:
            failures.append(f"run.json: the CLI exited with {record.get('cli_exit_code')}, expected 0")
        _check_uploads(objects, record, failures)

    result = _json(objects.get(RESULT), RESULT, failures)
    if not isinstance(result, dict):
        return VerificationReport(expect.company, False, failures, items, {}, gaps, None)
    status = result.get("status")
    if status not in ACCEPTED_STATUSES:
        failures.append(f"result status is {status!r}, expected one of {list(ACCEPTED_STATUSES)}")
    if result.get("errors"):
        failures.append(f"result has errors: {result['errors']}")
    params = result.get("params") or {}
    for name, wanted in (("cutoff_date", expect.cutoff), ("company", expect.company)):
        if params.get(name) != wanted:
            failures.append(f"params.{name} is {params.get(name)!r}, the DAG asked for {wanted!r}")

    sources = result.get("data_sources") or {}
    quality = result.get("quality_reports") or {}
    summaries = result.get("dataframe_summaries") or {}
    must_have_rows = non_empty_required(expect.items)
    untested: list[str] = []
    for item in expect.items:
        info: dict[str, Any] = {"source": sources.get(item)}
        items[item] = info
        if sources.get(item) != LIVE_SOURCE:
            failures.append(f"{item}: data source is {sources.get(item)!r}, expected {LIVE_SOURCE!r}")
        info["quality"] = _quality_status(quality.get(item))
        if info["quality"] != "PASS" and item not in expect.quality_allow_list:
            failures.append(f"{item}: quality report is {info['quality']!r}, expected 'PASS'")
        info["row_count"] = (summaries.get(item) or {}).get("row_count")
        if item in must_have_rows and not (info["row_count"] or 0) > 0:
            failures.append(f"{item}: row_count is {info['row_count']!r}; the actuals and targets need rows")

        dirs, zips = _packages(objects, item, expect.period_label)
        if len(dirs) != 1 or len(zips) != 1:
            failures.append(
                f"{item}: expected exactly one evidence folder and one ZIP for {expect.period_label}, "
                f"found {len(dirs)} folder(s) and {len(zips)} ZIP(s)"
            )
        if len(dirs) == 1:
            ((name, files),) = dirs.items()
            zip_bytes = objects[zips[0]] if len(zips) == 1 else None
            info["evidence_dir"] = f"{EVIDENCE_DIR}{name}/"
            info.update(_check_package(item, files, zip_bytes, item in expect.contract_items, failures))
            total = info.get("total_rows")
            if isinstance(total, int) and isinstance(info["row_count"], int) and info["row_count"] > total:
                failures.append(
                    f"{item}: {info['row_count']} rows after the company filter but only {total} extracted"
                )
            compliance = info.get("sox_compliance") or {}
            if compliance and not (
                compliance.get("completeness_test") and compliance.get("accuracy_test_positive")
            ):
                untested.append(item)

    if untested:
        gaps.append(
            "SOX completeness/accuracy tests were not executed by the job (06 flags false) for "
            + ", ".join(untested)
        )
    return VerificationReport(
        company=expect.company,
        passed=not failures,
        failures=failures,
        items=items,
        outcome=_outcome(result),
        control_gaps=gaps,
        result_status=status,
    )
