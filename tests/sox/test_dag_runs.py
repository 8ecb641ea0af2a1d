"""``sox_pg01_monthly`` end to end with ``dag.test()`` against the local AWS (patched moto).

The ECS task is played by ``platform_ops.local.sox_double`` inside the moto server: it writes a
realistic result JSON and evidence package to the prefix the DAG put in the container overrides,
driven by ``SOX_DOUBLE_SCENARIO`` (set through the config's ``container_environment``). Every run
is also scanned for the database connection string: XCom, task output and ECS overrides.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from platform_ops.local.clients import account_client
from platform_ops.local.seed import read_notifications
from platform_ops.sox.config import load_config
from platform_ops.sox.local_seed import LOCAL_DB_CONNECTION_STRING, LOCAL_DB_PASSWORD, LOCAL_IMAGE_DIGEST

from tests.dagrun import load_dag, run_dag, task_states

DAG_ID = "sox_pg01_monthly"
SHORT_ITEMS = ["CR_04", "IPE_07", "IPE_31", "IPE_12"]


class Evidence:
    """The evidence bucket of one test (one boto3 client: building one costs an STS call)."""

    def __init__(self, endpoint: str):
        self.s3 = account_client(endpoint, "production", "s3")
        self.bucket = load_config().bucket

    def keys(self, prefix: str) -> list[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))

    def bytes(self, key: str) -> bytes:
        return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def json(self, key: str):
        return json.loads(self.bytes(key))

    def run_dirs(self, company: str) -> list[str]:
        prefix = _company_prefix(company)
        rests = [k[len(prefix) :] for k in self.keys(prefix)]
        return sorted({rest.split("/", 1)[0] for rest in rests if rest.startswith("run=")})


def _company_prefix(company: str, period: str = "2026-04") -> str:
    return f"{load_config().prefix}/period={period}/company={company}/"


def _ecs_tasks(endpoint) -> list[dict]:
    ecs = account_client(endpoint, "production", "ecs")
    cluster = load_config().ecs["cluster"]
    arns = [a for status in ("RUNNING", "STOPPED") for a in ecs.list_tasks(cluster=cluster, desiredStatus=status)["taskArns"]]
    return ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"] if arns else []


def _assert_no_secret(dag_run, endpoint, captured: str) -> None:
    """The connection string is only in Secrets Manager: not in XCom, task output or overrides."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(XComModel).filter(XComModel.dag_id == DAG_ID, XComModel.run_id == dag_run.run_id).all()
        xcom_text = " ".join(f"{row.key}={row.value}" for row in rows)
    assert rows, "the run pushed no XCom at all: the scan would prove nothing"
    log_dir = Path(os.environ["AIRFLOW_HOME"]) / "logs"
    file_logs = " ".join(p.read_text(errors="replace") for p in log_dir.rglob("*") if p.is_file()) if log_dir.exists() else ""
    overrides = json.dumps([t.get("overrides") for t in _ecs_tasks(endpoint)])
    assert "DB_CONNECTION_STRING" not in overrides
    for where, text in (("XCom", xcom_text), ("task output", captured + file_logs), ("ECS overrides", overrides)):
        assert LOCAL_DB_PASSWORD not in text, f"the DB password leaked into {where}"
        assert LOCAL_DB_CONNECTION_STRING not in text, f"the connection string leaked into {where}"


def test_happy_path_two_companies_then_rerun_keeps_the_first_run(sox_aws, capfd):
    endpoint = sox_aws
    ev = Evidence(endpoint)
    first = run_dag(DAG_ID, conf={"period": "2026-04", "companies": ["EC_NG", "JD_GH"]})
    states = task_states(first)
    assert str(first.state) == "success", states
    assert states["run_outcome"] == "skipped"

    for company in ("EC_NG", "JD_GH"):
        (run_dir,) = ev.run_dirs(company)
        assert run_dir.endswith("-try1")
        prefix = f"{_company_prefix(company)}{run_dir}/"
        keys = ev.keys(prefix)
        names = {k[len(prefix) :] for k in keys}
        assert {"result.json", "run.json", "verification.json", "manifest.json"} <= names
        assert any(n.startswith("evidence/IPE_07_") and n.endswith("_evidence.zip") for n in names)
        assert any(n.startswith("outputs/") for n in names)

        manifest_bytes = ev.bytes(prefix + "manifest.json")
        manifest = json.loads(manifest_bytes)
        assert manifest["airflow"]["dag_run_id"] == first.run_id
        assert manifest["airflow"]["try_number"] == 1
        assert manifest["company"] == company and manifest["cutoff_date"] == "2026-04-30"
        assert manifest["ecs"]["task_arn"].startswith("arn:aws:ecs:eu-west-1:222222222222:task/")
        assert manifest["ecs"]["image_digest"] == LOCAL_IMAGE_DIGEST
        task_id = manifest["ecs"]["task_arn"].rsplit("/", 1)[-1]
        assert manifest["ecs"]["log_stream"] == f"ecs/soxauto-pg01/{task_id}"
        assert manifest["verification"]["passed"] is True
        assert manifest["verification"]["items"]["CR_04"]["data_source"] == "Live Database"
        listed = {o["key"]: o["sha256"] for o in manifest["objects"]}
        assert set(listed) == set(keys) - {prefix + "manifest.json"}
        for key, digest in listed.items():
            assert hashlib.sha256(ev.bytes(key)).hexdigest() == digest

        pointer = ev.json(_company_prefix(company) + "latest.json")
        assert pointer["run_prefix"] == prefix
        assert pointer["manifest_sha256"] == hashlib.sha256(manifest_bytes).hexdigest()
        assert pointer["reconciliation_status"] == "RECONCILED"

    notices = read_notifications(endpoint)
    assert [n["subject"] for n in notices] == ["SOX PG-01 2026-04: 2 companies verified"], notices
    assert "EC_NG: RECONCILED" in notices[0]["message"] and "JD_GH: RECONCILED" in notices[0]["message"]
    first_objects = {k: ev.bytes(k) for k in ev.keys(_company_prefix("EC_NG")) if "/run=" in k}
    first_prefix = ev.json(_company_prefix("EC_NG") + "latest.json")["run_prefix"]
    jd_gh_pointer = ev.bytes(_company_prefix("JD_GH") + "latest.json")

    second = run_dag(DAG_ID, conf={"period": "2026-04", "companies": ["EC_NG"]})
    assert str(second.state) == "success", task_states(second)
    runs = ev.run_dirs("EC_NG")
    assert len(runs) == 2, runs
    for key, data in first_objects.items():
        assert ev.bytes(key) == data, f"{key} changed on the re-run"
    pointer = ev.json(_company_prefix("EC_NG") + "latest.json")
    assert pointer["dag_run_id"] == second.run_id
    assert pointer["replaces"] == first_prefix != pointer["run_prefix"]
    assert ev.bytes(_company_prefix("JD_GH") + "latest.json") == jd_gh_pointer

    out, err = capfd.readouterr()
    _assert_no_secret(first, endpoint, out + err)
    _assert_no_secret(second, endpoint, out + err)


def test_no_data_and_tampered_evidence_fail_verification_terminally(sox_aws, sox_config, capfd):
    endpoint = sox_aws
    ev = Evidence(endpoint)
    sox_config({"SOX_DOUBLE_SCENARIO": "EC_NG=no-data;JD_GH=tamper"})
    dag_run = run_dag(DAG_ID, conf={"period": "2026-04", "companies": ["EC_NG", "JD_GH"], "ipes": SHORT_ITEMS})
    states = task_states(dag_run)
    assert str(dag_run.state) == "failed", states
    assert states["reconcile.run_job[0]"] == states["reconcile.run_job[1]"] == "success"  # exit 0 is not success
    assert states["reconcile.publish[0]"] == states["reconcile.publish[1]"] == "failed"
    assert states["run_outcome"] == "failed"

    for company, expected in (
        ("EC_NG", "IPE_31: data source is 'No Data', expected 'Live Database'"),
        ("JD_GH", "IPE_07: package_integrity mismatch"),
    ):
        assert not ev.keys(_company_prefix(company) + "latest.json"), f"{company} pointer moved"
        (run_dir,) = ev.run_dirs(company)
        prefix = f"{_company_prefix(company)}{run_dir}/"
        report = ev.json(prefix + "verification.json")
        assert report["passed"] is False
        assert any(f.startswith(expected) for f in report["failures"]), report["failures"]
        manifest = ev.json(prefix + "manifest.json")  # evidence of the failed run is kept
        assert manifest["verification"]["passed"] is False
        assert len(manifest["objects"]) > 10

    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        publish = session.query(TaskInstance).filter_by(run_id=dag_run.run_id, task_id="reconcile.publish").all()
        assert [ti.try_number for ti in publish] == [1, 1], "a verification failure must not be retried"

    notices = {n["subject"]: n["message"] for n in read_notifications(endpoint)}
    incident = notices["[INCIDENT] SOX PG-01 2026-04 JD_GH: step reconcile.publish failed"]
    assert "package_integrity mismatch" in incident and "Airflow task log:" in incident
    assert "IPE_31: data source is 'No Data'" in notices["[INCIDENT] SOX PG-01 2026-04 EC_NG: step reconcile.publish failed"]
    assert not any("verified" in subject for subject in notices)
    out, err = capfd.readouterr()
    _assert_no_secret(dag_run, endpoint, out + err)


def test_container_exit_1_is_retried_then_fails_with_the_log_excerpt(sox_aws, sox_config):
    endpoint = sox_aws
    ev = Evidence(endpoint)
    sox_config({"SOX_DOUBLE_SCENARIO": "exit1"}, retries=1)
    dag_run = run_dag(DAG_ID, conf={"period": "2026-04", "companies": ["EC_KE"], "ipes": SHORT_ITEMS})
    states = task_states(dag_run)
    assert str(dag_run.state) == "failed", states
    assert states["reconcile.run_job[0]"] == "failed"
    assert states["reconcile.verify[0]"] == "upstream_failed"

    runs = ev.run_dirs("EC_KE")
    assert [r.rsplit("-", 1)[1] for r in runs] == ["try1", "try2"], runs  # one ECS task per try, both kept
    assert len(_ecs_tasks(endpoint)) == 3  # pre-flight + two tries
    assert not ev.keys(_company_prefix("EC_KE") + "latest.json")

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
    assert len(_ecs_tasks(endpoint)) == 1
    notices = {n["subject"]: n["message"] for n in read_notifications(endpoint)}
    message = notices["[INCIDENT] SOX PG-01 2026-04: step preflight failed"]
    assert "no database path" in message and "TCP Provider: Timeout error" in message


def test_dry_run_starts_no_ecs_task(sox_aws):
    endpoint = sox_aws
    ev = Evidence(endpoint)
    dag_run = run_dag(DAG_ID, conf={"period": "2026-04", "companies": ["EC_NG", "JM_EG"], "dry_run": True})
    states = task_states(dag_run)
    assert str(dag_run.state) == "success", states
    assert states["dry_run_gate"] == "success"
    assert states["preflight"] == "skipped" and states["notify"] == "skipped"
    assert _ecs_tasks(endpoint) == []
    assert ev.keys(load_config().prefix) == []
    assert read_notifications(endpoint) == []


@pytest.mark.parametrize(
    "conf",
    [{"period": "2026-13"}, {"companies": ["NG"]}, {"ipes": ["IPE_99"]}, {"dry_run": "yes"}],
    ids=["month-13", "country-code-not-company", "unknown-item", "dry-run-not-boolean"],
)
def test_bad_params_are_refused_before_a_run_exists(airflow_db, sox_config, conf):
    from airflow.models.dagrun import DagRun
    from airflow.sdk.exceptions import ParamValidationError
    from airflow.utils.session import create_session

    dag = load_dag(DAG_ID)
    with create_session() as session:
        before = session.query(DagRun).filter(DagRun.dag_id == DAG_ID).count()
    with pytest.raises(ParamValidationError):
        dag.test(run_conf=conf)
    with create_session() as session:
        assert session.query(DagRun).filter(DagRun.dag_id == DAG_ID).count() == before
