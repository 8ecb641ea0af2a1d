"""``sox_pg01_monthly`` runs that fail: verification (no data, tampering), container exit 1, no DB path.

``dag.test()`` against the local AWS (patched moto); ``SOX_DOUBLE_SCENARIO`` (through the config's
``container_environment``) tells the container double what to play, ``MOTO_EXIT_CODE`` the exit
code of a task.
"""

from __future__ import annotations

from platform_ops.local.seed import read_notifications

from tests.dagrun import run_dag, task_states
from tests.dags.sox_helpers import (
    DAG_ID,
    SHORT_ITEMS,
    Evidence,
    assert_no_secret,
    company_prefix,
    ecs_tasks,
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

    notices = {n["subject"]: n["message"] for n in read_notifications(endpoint)}
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

    notices = {n["subject"]: n["message"] for n in read_notifications(endpoint)}
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
    notices = {n["subject"]: n["message"] for n in read_notifications(endpoint)}
    message = notices["[INCIDENT] SOX PG-01 2026-04: step preflight failed"]
    assert "no database path" in message and "TCP Provider: Timeout error" in message
