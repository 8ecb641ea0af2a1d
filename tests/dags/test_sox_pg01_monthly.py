"""``sox_pg01_monthly`` runs that succeed or stop early: happy path and re-run, dry run, bad params.

``dag.test()`` against the local AWS (patched moto). The ECS task is played by
``platform_ops.local.sox_double`` inside the moto server: it writes a realistic result JSON and
evidence package to the prefix the DAG put in the container overrides, driven by
``SOX_DOUBLE_SCENARIO`` (set through the config's ``container_environment``).
"""

from __future__ import annotations

import hashlib

import pytest
from platform_ops.local.clients import account_client
from platform_ops.local.seed import read_notifications
from platform_ops.local.sox_seed import LOCAL_IMAGE_DIGEST
from platform_ops.sox.config import load_config

from tests.dagrun import assert_refused_before_a_run_exists, run_dag, task_states
from tests.dags.sox_helpers import (
    DAG_ID,
    FIRST_OF_JUNE_0900,
    SHORT_ITEMS,
    EcsWaits,
    Evidence,
    assert_no_secret,
    auditor_reverifies,
    company_prefix,
    ecs_tasks,
    map_labels,
    run_at,
)


def test_happy_path_two_companies_then_rerun_keeps_the_first_run(sox_aws, sox_config, capfd, monkeypatch):
    endpoint = sox_aws
    ev = Evidence(endpoint)
    sox_config({"SOX_DOUBLE_SCENARIO": "JD_GH=variance"})  # a business finding, not a failure
    waits = EcsWaits(monkeypatch)
    first = run_dag(DAG_ID, conf={"period": "2026-04", "companies": ["EC_NG", "JD_GH"]})
    states = task_states(first)
    assert str(first.state) == "success", states
    # pre-flight + two companies: each wait ended on the STOPPED event, after the one DescribeTasks
    # at its start; the run record and the exit-code check read the event, not DescribeTasks again
    waits.assert_ended_on_events(tasks=3)
    assert states["run_outcome"] == "skipped"
    labels = map_labels(first)
    assert labels["reconcile.run_job"] == labels["reconcile.publish"] == ["EC_NG", "JD_GH"]

    for company in ("EC_NG", "JD_GH"):
        (run_dir,) = ev.run_dirs(company)
        assert run_dir.endswith("-try1")
        prefix = f"{company_prefix(company)}{run_dir}/"
        keys = ev.keys(prefix)
        names = {k[len(prefix) :] for k in keys}
        assert {"result.json", "run.json", "verification.json", "manifest.json"} <= names
        assert any(n.startswith("evidence/IPE_07_") and n.endswith("_evidence.zip") for n in names)
        assert any(n.startswith("outputs/") for n in names)

        manifest_bytes = ev.bytes(prefix + "manifest.json")
        manifest = ev.json(prefix + "manifest.json")
        assert manifest["airflow"]["dag_run_id"] == first.run_id
        assert manifest["airflow"]["try_number"] == 1
        assert (manifest["airflow"]["run_type"], manifest["airflow"]["triggered_by"]) == (
            "manual",
            "dag_test",
        )
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

        pointer = ev.json(company_prefix(company) + "latest.json")
        assert pointer["run_prefix"] == prefix
        assert pointer["manifest_sha256"] == hashlib.sha256(manifest_bytes).hexdigest()
        assert (
            pointer["reconciliation_status"] == {"EC_NG": "RECONCILED", "JD_GH": "VARIANCE_DETECTED"}[company]
        )

    captured = auditor_reverifies(endpoint, ev, "EC_NG", monkeypatch, capfd)

    notices = {n["subject"]: n["message"] for n in read_notifications(endpoint)}
    assert set(notices) == {
        "SOX PG-01 2026-04: 2 companies verified",
        "[BUSINESS] SOX PG-01 2026-04 JD_GH: variance detected",
    }, notices
    summary = notices["SOX PG-01 2026-04: 2 companies verified"]
    assert "EC_NG: RECONCILED" in summary and "JD_GH: VARIANCE_DETECTED variance=15,250.75" in summary
    assert "not a platform incident" in notices["[BUSINESS] SOX PG-01 2026-04 JD_GH: variance detected"]

    first_objects = {k: ev.bytes(k) for k in ev.keys(company_prefix("EC_NG")) if "/run=" in k}
    first_prefix = ev.json(company_prefix("EC_NG") + "latest.json")["run_prefix"]
    jd_gh_pointer = ev.bytes(company_prefix("JD_GH") + "latest.json")

    second = run_dag(DAG_ID, conf={"period": "2026-04", "companies": ["EC_NG"], "ipes": SHORT_ITEMS})
    assert str(second.state) == "success", task_states(second)
    runs = ev.run_dirs("EC_NG")
    assert len(runs) == 2, runs
    for key, data in first_objects.items():
        assert ev.bytes(key) == data, f"{key} changed on the re-run"
    pointer = ev.json(company_prefix("EC_NG") + "latest.json")
    assert pointer["dag_run_id"] == second.run_id
    assert pointer["replaces"] == first_prefix != pointer["run_prefix"]
    assert ev.bytes(company_prefix("JD_GH") + "latest.json") == jd_gh_pointer

    out, err = capfd.readouterr()
    assert_no_secret(first, endpoint, captured + out + err)
    assert_no_secret(second, endpoint, captured + out + err)


def test_dry_run_starts_no_ecs_task(sox_aws):
    endpoint = sox_aws
    ev = Evidence(endpoint)
    dag_run = run_dag(DAG_ID, conf={"period": "2026-04", "companies": ["EC_NG", "JM_EG"], "dry_run": True})
    states = task_states(dag_run)
    assert str(dag_run.state) == "success", states
    assert states["dry_run_gate"] == "success"
    assert states["preflight"] == "skipped" and states["notify"] == "skipped"
    assert ecs_tasks(endpoint) == []
    assert ev.keys(load_config().prefix) == []
    assert read_notifications(endpoint) == []


def test_dry_run_on_the_first_says_a_real_run_would_be_refused_and_succeeds(sox_aws, monkeypatch, caplog):
    endpoint = sox_aws
    network = load_config().ecs["network"]["ssm_parameter"]  # the stack is not applied yet either
    account_client(endpoint, "production", "ssm").delete_parameter(Name=network)
    moment = FIRST_OF_JUNE_0900.replace(minute=5)  # not the refusal test's run id
    dag_run = run_at(moment, {"dry_run": True}, monkeypatch)
    states = task_states(dag_run)
    assert str(dag_run.state) == "success", states
    assert states["resolve_period"] == states["dry_run_gate"] == "success"
    assert states["preflight"] == "skipped" and states["run_outcome"] == "skipped"
    assert ecs_tasks(endpoint) == [] and read_notifications(endpoint) == []

    logged = [r.getMessage() for r in caplog.records]
    companies = load_config().scheduled_companies  # what a real run would do: pre-flight + one a company
    assert sum("would start ECS task" in m for m in logged) == 1 + len(companies)
    (refusal,) = [m for m in logged if "a real run of SOX PG-01" in m]
    assert "2026-05 now would be refused: too early: IPE_12" in refusal  # and why it would not
    assert "the ECS network configuration cannot be read" in refusal and "ParameterNotFound" in refusal
    assert not any("run refused" in m for m in logged)


@pytest.mark.parametrize(
    "conf",
    [{"period": "2026-13"}, {"companies": ["NG"]}, {"ipes": ["IPE_99"]}, {"dry_run": "yes"}],
    ids=["month-13", "country-code-not-company", "unknown-item", "dry-run-not-boolean"],
)
def test_bad_params_are_refused_before_a_run_exists(airflow_db, sox_config, conf):
    assert_refused_before_a_run_exists(DAG_ID, conf)
