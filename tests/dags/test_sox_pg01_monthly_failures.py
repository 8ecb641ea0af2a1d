"""``sox_pg01_monthly`` runs that fail: verification (no data, tampering), container exit 1, no DB path,
and a run refused as too early. Each failure cause sends exactly one notice.

``dag.test()`` against the local AWS (patched moto); ``SOX_DOUBLE_SCENARIO`` (through the config's
``container_environment``) tells the container double what to play, ``MOTO_EXIT_CODE`` the exit
code of a task.
"""

from __future__ import annotations

from platform_ops.local.seed import read_notifications

from tests.dagrun import run_dag, task_states
from tests.dags.sox_helpers import (
    DAG_ID,
    FIRST_OF_JUNE_0900,
    SHORT_ITEMS,
    Evidence,
    assert_no_secret,
    company_prefix,
    ecs_tasks,
    run_at,
    try_numbers,
)


def test_no_data_and_tampered_evidence_fail_verification_terminally(sox_aws, sox_config, capfd):
    endpoint = sox_aws
    ev = Evidence(endpoint)
    sox_config({"SOX_DOUBLE_SCENARIO": "EC_NG=no-data;JD_GH=tamper"})
    dag_run = run_dag(
        DAG_ID, conf={"period": "2026-04", "companies": ["EC_NG", "JD_GH"], "ipes": SHORT_ITEMS}
    )
    states = task_states(dag_run)
    assert str(dag_run.state) == "failed", states
    assert (
        states["reconcile.run_job[0]"] == states["reconcile.run_job[1]"] == "success"
    )  # exit 0 is not success
    assert states["reconcile.publish[0]"] == states["reconcile.publish[1]"] == "failed"
    assert states["run_outcome"] == "failed"
    assert try_numbers(dag_run, "reconcile.publish") == [1, 1], "a verification failure must not be retried"

    for company, expected in (
        ("EC_NG", "IPE_31: data source is 'No Data', expected 'Live Database'"),
        ("JD_GH", "IPE_07: package_integrity mismatch"),
    ):
        assert not ev.keys(company_prefix(company) + "latest.json"), f"{company} pointer moved"
        (run_dir,) = ev.run_dirs(company)
        prefix = f"{company_prefix(company)}{run_dir}/"
        report = ev.json(prefix + "verification.json")
        assert report["passed"] is False
        assert any(f.startswith(expected) for f in report["failures"]), report["failures"]
        manifest = ev.json(prefix + "manifest.json")  # the evidence of the failed run is kept
        assert manifest["verification"]["passed"] is False
        assert len(manifest["objects"]) > 10

    received = read_notifications(endpoint)
    notices = {n["subject"]: n["message"] for n in received}
    assert len(received) == len(notices) == 2, received  # one per failed company, none from run_outcome
    incident = notices["[INCIDENT] SOX PG-01 2026-04 JD_GH: step reconcile.publish failed"]
    assert "package_integrity mismatch" in incident and "Airflow task log:" in incident
    no_data = notices["[INCIDENT] SOX PG-01 2026-04 EC_NG: step reconcile.publish failed"]
    assert "IPE_31: data source is 'No Data'" in no_data and "latest.json not moved" in no_data
    assert not any("verified" in subject for subject in notices)
    out, err = capfd.readouterr()
    assert_no_secret(dag_run, endpoint, out + err)


def test_container_exit_1_is_retried_then_fails_with_the_log_excerpt(sox_aws, sox_config):
    endpoint = sox_aws
    ev = Evidence(endpoint)
    sox_config({"SOX_DOUBLE_SCENARIO": "exit1"}, retries=1)
    dag_run = run_dag(DAG_ID, conf={"period": "2026-04", "companies": ["EC_KE"], "ipes": SHORT_ITEMS})
    states = task_states(dag_run)
    assert str(dag_run.state) == "failed", states
    assert states["reconcile.run_job[0]"] == "failed"
    assert states["reconcile.verify[0]"] == "upstream_failed"
    assert try_numbers(dag_run, "reconcile.run_job") == [2]

    runs = ev.run_dirs("EC_KE")
    assert [r.rsplit("-", 1)[1] for r in runs] == ["try1", "try2"], runs  # one ECS task per try, both kept
    assert len(ecs_tasks(endpoint)) == 3  # the pre-flight and two tries
    assert not ev.keys(company_prefix("EC_KE") + "latest.json")

    received = read_notifications(endpoint)
    assert len(received) == 1, received  # the failed job; not run_outcome, not the retried try
    notices = {n["subject"]: n["message"] for n in received}
    message = notices["[INCIDENT] SOX PG-01 2026-04 EC_KE: step reconcile.run_job failed"]
    assert "exit code 1: the job ended in status ERROR" in message
    assert "IPEConnectionError: [08S01] TCP Provider" in message  # the CloudWatch excerpt
    assert "CloudWatch /ecs/soxauto-pg01 / ecs/soxauto-pg01/" in message


def test_preflight_without_a_database_path_stops_before_any_company(sox_aws, sox_config):
    endpoint = sox_aws
    sox_config({"MOTO_EXIT_CODE": "4"}, retries=0)
    dag_run = run_dag(DAG_ID, conf={"period": "2026-04", "companies": ["EC_NG"], "ipes": SHORT_ITEMS})
    states = task_states(dag_run)
    assert str(dag_run.state) == "failed", states
    assert states["preflight"] == "failed"
    assert all(v == "upstream_failed" for k, v in states.items() if k.startswith("reconcile.")), states
    assert len(ecs_tasks(endpoint)) == 1
    received = read_notifications(endpoint)
    assert len(received) == 1, received
    notices = {n["subject"]: n["message"] for n in received}
    message = notices["[INCIDENT] SOX PG-01 2026-04: step preflight failed"]
    assert "no database path" in message and "TCP Provider: Timeout error" in message
    assert "Period: 2026-04" in message and "Company:" not in message  # no company: the run's pre-flight


def test_a_run_on_the_first_is_refused_with_one_line_and_one_notice(sox_aws, monkeypatch, caplog):
    endpoint = sox_aws
    dag_run = run_at(FIRST_OF_JUNE_0900, {}, monkeypatch)  # the month that just closed: 2026-05
    states = task_states(dag_run)
    assert str(dag_run.state) == "failed", states
    assert states["resolve_period"] == "failed" and states["run_outcome"] == "failed"
    assert states["dry_run_gate"] == states["preflight"] == "upstream_failed"
    assert try_numbers(dag_run, "resolve_period") == [1], "a refusal is not retried"
    assert ecs_tasks(endpoint) == []

    (notice,) = read_notifications(endpoint)  # resolve_period's; run_outcome sends none
    assert notice["subject"] == "[INCIDENT] SOX PG-01 2026-05: step resolve_period refused the run"
    lines = notice["message"].splitlines()
    assert "Period: 2026-05" in lines  # known, so said; no company line: it concerns every company
    assert not any(line.startswith("Company:") or "unknown" in line for line in lines), lines
    why = lines[lines.index("Why:") + 1]
    assert why.startswith("SOX PG-01 2026-05: too early: IPE_12 read the database server clock")
    assert "run on or after 2026-06-03" in why and "RunRefused" not in why
    assert "Nothing was started or written for this run." in lines

    refused = [r for r in caplog.records if "run refused" in r.getMessage()]
    assert len(refused) == 1, refused  # the whole story on one line, logged once
    assert refused[0].levelname == "ERROR" and refused[0].getMessage() == f"run refused: {why}"
    assert refused[0].exc_info is None and "\n" not in why
