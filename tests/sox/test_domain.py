"""Plain-function tests of the PG-01 domain: periods, config, layout, verification, notices."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from platform_ops.evidence.writer import sha256_hex
from platform_ops.local.sox_double import build_run_outputs, evidence_package, wrapper_record
from platform_ops.sox.config import SoxConfigError, load_config
from platform_ops.sox.contract import container_overrides, explain_exit, redact
from platform_ops.sox.layout import RunLocation, parse_uri, safe_run_id
from platform_ops.sox.notifications import failure_notice, success_notice, variance_notice
from platform_ops.sox.period import Period, PeriodError, readiness
from platform_ops.sox.verification import Expectation, verify_run

ITEMS = ["CR_04", "IPE_07", "IPE_31", "IPE_12"]
NOW = datetime(2026, 5, 3, 6, 0)


def run_objects(company="EC_NG", scenario="ok", items=ITEMS, exit_code=0) -> dict[str, bytes]:
    outputs = build_run_outputs(company, "2026-04-30", items, scenario, now=NOW)
    outputs["run.json"] = wrapper_record(outputs, company, "2026-04-30", exit_code)
    return outputs


def expect(company="EC_NG", **kwargs) -> Expectation:
    return Expectation(company=company, cutoff="2026-04-30", period_label="202604", items=ITEMS, **kwargs)


def reseal(objects: dict[str, bytes], folder: str) -> None:
    """Recompute 09 and the ZIP of one folder after a deliberate edit, and fix run.json's hashes."""
    import io
    import zipfile

    prefix = f"evidence/{folder}/"
    files = {k[len(prefix) :]: v for k, v in objects.items() if k.startswith(prefix)}
    log = json.loads(files["09_execution_log.json"])
    log["package_integrity"] = sha256_hex(
        b"".join(files[n] for n in sorted(files) if n != "09_execution_log.json")
    )
    objects[prefix + "09_execution_log.json"] = files["09_execution_log.json"] = json.dumps(log).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            archive.writestr(name, files[name])
    objects[f"evidence/{folder}_evidence.zip"] = buffer.getvalue()
    del objects["run.json"]
    objects["run.json"] = wrapper_record(objects, "EC_NG", "2026-04-30", 0)


def folder_of(objects: dict[str, bytes], item: str) -> str:
    return next(k.split("/")[1] for k in objects if k.startswith(f"evidence/{item}_") and k.count("/") == 2)


# -- period --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "cutoff"), [("2026-04", "2026-04-30"), ("2024-02", "2024-02-29"), ("2025-12", "2025-12-31")]
)
def test_cutoff_is_the_last_calendar_day(text, cutoff):
    assert Period.parse(text).cutoff.isoformat() == cutoff


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-4", "26-04", "2026-04-30", None])
def test_bad_periods_are_refused(text):
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_default_period_is_the_month_that_just_closed():
    assert Period.closed_before(date(2026, 5, 3)).text == "2026-04"
    assert Period.closed_before(date(2026, 1, 1)).text == "2025-12"


def test_readiness_refuses_open_periods_and_ipe12_before_the_3rd():
    assert readiness(Period(2026, 5), NOW, 3, ITEMS).blocking  # May is not closed on May 3rd
    early = readiness(Period(2026, 4), datetime(2026, 5, 2), 3, ITEMS)
    assert early.blocking and "IPE_12" in early.blocking[0]
    assert readiness(Period(2026, 4), datetime(2026, 5, 2), 3, ["CR_04"]).blocking == []
    on_time = readiness(Period(2026, 4), NOW, 3, ITEMS)
    assert on_time.blocking == [] and on_time.known_gaps == []


def test_a_backfill_is_allowed_but_records_the_ipe12_gap():
    backfill = readiness(Period(2026, 1), NOW, 3, ITEMS)
    assert backfill.blocking == [] and "IPE_12" in backfill.known_gaps[0]


# -- config, layout, contract --------------------------------------------------------------------
def test_packaged_config_is_valid():
    config = load_config()
    assert config.scheduled_companies == ["EC_NG", "JD_GH", "EC_KE", "JM_EG"]
    assert "NG" not in config.company_codes and config.ecs["task_definition"] == "soxauto-pg01"


@pytest.mark.parametrize(
    ("env", "message"),
    [({"DB_CONNECTION_STRING": "x"}, "credential"), ({"SCHEMA_NOTE": "UID=a;PWD=b"}, "credential")],
)
def test_config_refuses_secrets_in_container_overrides(tmp_path, env, message):
    raw = json.loads(load_config().path.read_text())
    raw["ecs"]["container_environment"] = env
    path = tmp_path / "pg01.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(SoxConfigError, match=message):
        load_config(path)


def test_config_refuses_country_codes_as_companies(tmp_path):
    raw = json.loads(load_config().path.read_text())
    raw["companies"][0]["code"] = "NG"
    path = tmp_path / "pg01.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(SoxConfigError, match="companies/0/code"):
        load_config(path)


def test_run_location_keys_every_run_by_company_run_and_try():
    location = RunLocation(
        "b", "sox-automation/pg01", "2026-04", "EC_NG", "manual__2026-05-03T06:00:00+00:00", 2
    )
    assert location.prefix == (
        "sox-automation/pg01/period=2026-04/company=EC_NG/run=manual__2026-05-03T06_00_00_00_00-try2/"
    )
    assert location.pointer_key == "sox-automation/pg01/period=2026-04/company=EC_NG/latest.json"
    assert parse_uri(location.uri) == ("b", location.prefix)
    assert safe_run_id("scheduled__2026-05-03T06:00:00+00:00") == "scheduled__2026-05-03T06_00_00_00_00"


def test_overrides_carry_plain_values_and_the_mode_as_command():
    overrides = container_overrides(
        container_name="soxauto-pg01", mode="reconcile", company="EC_NG", period="2026-04", cutoff="2026-04-30",
        ipes=["CR_04"], evidence_uri="s3://b/p/", dag_run_id="r", try_number=1,
    )  # fmt: skip
    (container,) = overrides["containerOverrides"]
    assert container["command"] == ["reconcile"]
    env = {e["name"]: e["value"] for e in container["environment"]}
    assert env["SOX_COMPANY"] == "EC_NG" and env["SOX_EVIDENCE_URI"] == "s3://b/p/"
    assert not any("CONNECTION" in name for name in env)


def test_exit_codes_say_what_happened_and_whether_to_retry():
    assert (
        explain_exit("preflight", 4).retryable and "no database path" in explain_exit("preflight", 4).reason
    )
    assert not explain_exit("preflight", 2).retryable
    assert not explain_exit("reconcile", 2).retryable and explain_exit("reconcile", 1).retryable
    assert redact("login failed DRIVER={x};UID=u;PWD=hunter2;") == "login failed DRIVER={x};UID=u;PWD=***;"


# -- verification --------------------------------------------------------------------------------
def test_a_complete_live_run_passes_with_its_outcome_and_gaps():
    report = verify_run(run_objects(), expect())
    assert report.passed, report.failures
    assert report.outcome["status"] == "RECONCILED" and set(report.outcome["component_totals"]) == {
        "IPE_07", "IPE_31", "IPE_12"}  # fmt: skip
    assert report.items["IPE_07"]["evidence_dir"].startswith("evidence/IPE_07_EC_202604_")
    assert "completeness/accuracy tests were not executed" in report.control_gaps[0]


def test_exit_zero_with_a_no_data_source_fails():
    report = verify_run(run_objects(scenario="no-data"), expect())
    assert not report.passed
    assert "IPE_31: data source is 'No Data', expected 'Live Database'" in report.failures
    assert "IPE_31: 06 validation overall_status is 'FAILED', expected 'SUCCESS'" in report.failures
    assert any(f.startswith("IPE_31: row_count is 0") for f in report.failures)


def test_a_tampered_file_breaks_package_integrity_and_the_zip():
    report = verify_run(run_objects(scenario="tamper"), expect())
    assert any(f.startswith("IPE_07: package_integrity mismatch") for f in report.failures)
    assert "IPE_07: evidence ZIP and folder differ in 03_data_snapshot.csv" in report.failures


def test_an_object_changed_after_upload_is_detected():
    objects = run_objects()
    objects["result.json"] = objects["result.json"].replace(b'"SUCCESS"', b'"SUCCESS" ')
    report = verify_run(objects, expect())
    assert report.failures == ["result.json: changed in S3 after upload (sha256 differs from run.json)"]


def test_the_run_must_echo_the_requested_company_and_cutoff():
    report = verify_run(run_objects(company="EC_KE"), expect(company="EC_NG"))
    assert "params.company is 'EC_KE', the DAG asked for 'EC_NG'" in report.failures


def test_container_and_cli_exit_codes_are_checked():
    report = verify_run(run_objects(scenario="exit1", exit_code=1), expect(container_exit_code=1))
    assert "the container exited with code 1, expected 0" in report.failures
    assert "run.json: the CLI exited with 1, expected 0" in report.failures
    assert any(f.startswith("result status is 'ERROR'") for f in report.failures)


def test_row_counts_must_agree_between_04_and_05():
    objects = run_objects()
    folder = folder_of(objects, "CR_04")
    key = f"evidence/{folder}/05_integrity_hash.json"
    hashed = json.loads(objects[key])
    hashed["data_rows"] += 1
    objects[key] = json.dumps(hashed).encode()
    reseal(objects, folder)
    report = verify_run(objects, expect())
    assert len(report.failures) == 1 and report.failures[0].startswith("CR_04: row counts disagree")


def test_exactly_one_package_per_item_and_required_files():
    objects = run_objects()
    folder = folder_of(objects, "IPE_07")
    duplicate = folder[:-6] + "999999"
    for key in [k for k in objects if folder in k]:
        objects[key.replace(folder, duplicate)] = objects[key]
    report = verify_run(objects, expect())
    assert any("IPE_07: expected exactly one evidence folder and one ZIP" in f for f in report.failures)

    name, files = evidence_package("CR_04", "EC_NG", "2026-04-30", "202604", "20260503_060000", 10, live=True)
    del files["02_query_parameters.json"]
    objects = run_objects()
    for key in [k for k in objects if k.startswith("evidence/CR_04_")]:
        del objects[key]
    objects.update({f"evidence/{name}/{n}": d for n, d in files.items()})
    objects[f"evidence/{name}_evidence.zip"] = objects[
        f"evidence/{folder_of(run_objects(), 'IPE_07')}_evidence.zip"
    ]
    del objects["run.json"]
    objects["run.json"] = wrapper_record(objects, "EC_NG", "2026-04-30", 0)
    report = verify_run(objects, expect())
    assert any(
        f.startswith("CR_04: evidence package lacks 02_query_parameters.json") for f in report.failures
    )


def test_quality_allow_list_and_schema_contract_files():
    objects = run_objects()
    result = json.loads(objects["result.json"])
    result["quality_reports"]["IPE_12"] = {"status": "FAIL"}
    objects["result.json"] = json.dumps(result).encode()
    del objects["run.json"]
    objects["run.json"] = wrapper_record(objects, "EC_NG", "2026-04-30", 0)
    assert verify_run(objects, expect()).failures == ["IPE_12: quality report is 'FAIL', expected 'PASS'"]
    assert verify_run(objects, expect(quality_allow_list=["IPE_12"])).passed
    contract = verify_run(run_objects(), expect(contract_items=["IPE_07"]))
    assert any("IPE_07: evidence package lacks 07_schema_validation.json" in f for f in contract.failures)


def test_missing_result_json_fails_cleanly():
    objects = run_objects()
    del objects["result.json"]
    report = verify_run(objects, expect())
    assert not report.passed and "result.json is missing" in report.failures


# -- notices ---------------------------------------------------------------------------------------
def test_notices_are_distinct_and_subjects_fit_sns():
    summary = {"company": "JD_GH", "run_uri": "s3://b/p/", "manifest_sha256": "ab" * 32,
               "outcome": {"status": "VARIANCE_DETECTED", "variance": 15250.75, "threshold": 1000,
                           "component_totals": {"IPE_07": 1.0}, "bridge_amounts": {}}}  # fmt: skip
    subject, message = variance_notice("2026-04", summary)
    assert (
        subject.startswith("[BUSINESS]") and "not a platform incident" in message and "15,250.75" in message
    )
    subject, message = success_notice("2026-04", [summary], ["EC_NG"])
    assert "1 company verified" in subject and "Not verified (see the incident notices): EC_NG" in message
    subject, message = failure_notice(
        step="reconcile.run_job", company="EC_NG", period="2026-04", reason="x" * 500, log_locations=["here"]
    )
    assert subject.startswith("[INCIDENT]") and len(subject) <= 100 and "  here" in message


@pytest.mark.parametrize(
    ("company", "period", "subject", "known"),
    [
        ("EC_NG", "2026-04", "[INCIDENT] SOX PG-01 2026-04 EC_NG: step s failed", "Period: 2026-04  Company: EC_NG"),
        (None, "2026-04", "[INCIDENT] SOX PG-01 2026-04: step s failed", "Period: 2026-04"),
        ("EC_NG", None, "[INCIDENT] SOX PG-01 EC_NG: step s failed", "Company: EC_NG"),
        (None, None, "[INCIDENT] SOX PG-01: step s failed", None),
    ],
)
def test_failure_notice_names_company_and_period_only_when_known(company, period, subject, known):
    got_subject, message = failure_notice(step="s", company=company, period=period, reason="r", log_locations=[])
    lines = message.splitlines()
    assert got_subject == subject
    assert [line for line in lines if line.startswith(("Period", "Company"))] == ([known] if known else [])
    assert "unknown" not in message and "latest.json was not moved" in message


def test_a_refusal_notice_says_the_run_was_refused_and_nothing_started():
    subject, message = failure_notice(
        step="resolve_period", company=None, period="2026-05", reason="too early", log_locations=[], refused=True
    )
    assert subject == "[INCIDENT] SOX PG-01 2026-05: step resolve_period refused the run"
    assert "Nothing was started or written for this run." in message and "latest.json" not in message
