"""The derived image's wrapper, run as a real process against a fake SOXauto app and the local S3.

The fake app has the two scripts the wrapper calls, at the same paths as in the image: the
headless CLI writes the documented outputs (``sox_double.build_run_outputs``) into its working
directory, and the connectivity probe exits with a chosen code.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from platform_ops.sox import contract
from platform_ops.sox.verification import Expectation, verify_run

REPO = Path(__file__).resolve().parents[2]
WRAPPER = REPO / "terraform" / "modules" / "sox-pg01" / "image" / "sox_pg01_wrapper.py"
BUCKET = "wrapper-test-evidence"
ITEMS = ["CR_04", "IPE_07", "IPE_31"]

FAKE_CLI = """
import argparse, json, os, sys
from pathlib import Path
from platform_ops.local.sox_double import build_run_outputs
parser = argparse.ArgumentParser()
parser.add_argument("--cutoff-date", required=True)
parser.add_argument("--company", required=True)
parser.add_argument("--output", required=True)
parser.add_argument("--ipes", default="CR_04,IPE_07,IPE_31")
parser.add_argument("--no-bridges", action="store_true")
parser.add_argument("--summary-only", action="store_true")
args = parser.parse_args()
outputs = build_run_outputs(args.company, args.cutoff_date, args.ipes.split(","), os.environ.get("FAKE_SCENARIO", "ok"))
empty = os.environ.get("FAKE_NO_DATA_ITEM")
if empty:  # the close is not loaded: that item comes back empty
    result = json.loads(outputs["result.json"])
    result["data_sources"][empty] = "No Data"
    result["dataframe_summaries"][empty]["row_count"] = 0
    outputs["result.json"] = json.dumps(result).encode()
for key, data in outputs.items():
    target = Path(args.output) if key == "result.json" else Path.cwd() / key
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
Path("outputs").mkdir(exist_ok=True)
Path("outputs/invocation.json").write_text(json.dumps({"cwd": os.getcwd(), "argv": sys.argv[1:],
    "has_secret": "DB_CONNECTION_STRING" in os.environ}))
sys.exit(int(os.environ.get("FAKE_EXIT", "0")))
"""
FAKE_CHECK = (
    "import os, sys\nprint('SELECT @@VERSION')\nsys.exit(int(os.environ.get('FAKE_CHECK_EXIT', '0')))\n"
)


@pytest.fixture
def fake_app(tmp_path: Path) -> Path:
    app = tmp_path / "app"
    (app / "scripts").mkdir(parents=True)
    (app / "scripts" / "run_headless_test.py").write_text(FAKE_CLI)
    (app / "scripts" / "check_mssql_connection.py").write_text(FAKE_CHECK)
    return app


@pytest.fixture
def s3(aws):
    client = boto3.client("s3", endpoint_url=aws, region_name="eu-west-1")
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    return client


def run_wrapper(app: Path, tmp_path: Path, endpoint: str, mode: str | None = "reconcile", **env: str):
    environment = {
        "PATH": os.environ["PATH"],
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "SOX_APP_DIR": str(app),
        "SOX_WORK_ROOT": str(tmp_path / "work"),
        "DB_CONNECTION_STRING": "DRIVER={ODBC Driver 17 for SQL Server};UID=u;PWD=never-uploaded",
        contract.ENV_COMPANY: "EC_NG",
        contract.ENV_CUTOFF: "2026-04-30",
        contract.ENV_IPES: ",".join(ITEMS),
        contract.ENV_EVIDENCE_URI: f"s3://{BUCKET}/pg01/period=2026-04/company=EC_NG/run=r1-try1/",
        **env,
    }
    argv = [sys.executable, str(WRAPPER)] + ([mode] if mode else [])
    return subprocess.run(argv, env=environment, cwd=app, capture_output=True, text=True, timeout=300)


def objects(s3, prefix="pg01/period=2026-04/company=EC_NG/run=r1-try1/") -> dict[str, bytes]:
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])]
    return {k[len(prefix) :]: s3.get_object(Bucket=BUCKET, Key=k)["Body"].read() for k in keys}


def test_uploads_everything_from_a_writable_directory_and_passes_verification(fake_app, tmp_path, s3, aws):
    done = run_wrapper(fake_app, tmp_path, aws)
    assert done.returncode == 0, done.stderr
    uploaded = objects(s3)
    record = json.loads(uploaded["run.json"])
    assert record["cli_exit_code"] == 0 and record["upload_errors"] == []
    assert {u["key"] for u in record["uploaded"]} == set(uploaded) - {"run.json"}
    for item in record["uploaded"]:
        assert hashlib.sha256(uploaded[item["key"]]).hexdigest() == item["sha256"]
    assert any(k.startswith("evidence/IPE_07_EC_202604_") and k.endswith("_evidence.zip") for k in uploaded)
    invocation = json.loads(uploaded["outputs/invocation.json"])
    assert Path(invocation["cwd"]).parent == tmp_path / "work"  # not the read-only app directory
    assert invocation["argv"][:4] == ["--cutoff-date", "2026-04-30", "--company", "EC_NG"]
    assert "--output" in invocation["argv"] and invocation["has_secret"]
    assert b"never-uploaded" not in b"".join(uploaded.values())
    report = verify_run(
        uploaded, Expectation(company="EC_NG", cutoff="2026-04-30", period_label="202604", items=ITEMS)
    )
    assert report.passed, report.failures


def test_uploads_even_when_the_cli_fails_and_exits_with_its_code(fake_app, tmp_path, s3, aws):
    done = run_wrapper(fake_app, tmp_path, aws, FAKE_SCENARIO="exit1", FAKE_EXIT="1")
    assert done.returncode == 1
    uploaded = objects(s3)
    assert json.loads(uploaded["result.json"])["status"] == "ERROR"
    assert json.loads(uploaded["run.json"])["cli_exit_code"] == 1
    assert any(k.startswith("evidence/") for k in uploaded)


def test_a_failed_upload_turns_success_into_a_retryable_exit(fake_app, tmp_path, aws):
    done = run_wrapper(fake_app, tmp_path, aws, **{contract.ENV_EVIDENCE_URI: "s3://no-such-bucket-pg01/x/"})
    assert done.returncode == contract.EXIT_UPLOAD_FAILED
    assert "upload failed" in done.stderr


@pytest.mark.parametrize("check_exit", [2, 4])
def test_preflight_passes_the_connectivity_code_through(fake_app, tmp_path, aws, check_exit):
    done = run_wrapper(fake_app, tmp_path, aws, mode="preflight", FAKE_CHECK_EXIT=str(check_exit))
    assert done.returncode == check_exit
    assert not (tmp_path / "work").exists() or not list((tmp_path / "work").rglob("readiness.json"))


def test_preflight_checks_that_cr04_has_live_rows_for_the_cutoff(fake_app, tmp_path, aws):
    ready = run_wrapper(fake_app, tmp_path, aws, mode="preflight")
    assert ready.returncode == 0, ready.stderr
    assert "ready: CR_04 has" in ready.stderr and "--ipes CR_04 --no-bridges --summary-only" in ready.stderr
    not_ready = run_wrapper(fake_app, tmp_path, aws, mode="preflight", FAKE_NO_DATA_ITEM="CR_04")
    assert not_ready.returncode == contract.EXIT_NOT_READY, not_ready.stderr
    assert "not ready: CR_04 source='No Data' rows=0" in not_ready.stderr


def test_missing_environment_or_mode_is_a_usage_error(fake_app, tmp_path, aws):
    assert run_wrapper(fake_app, tmp_path, aws, **{contract.ENV_EVIDENCE_URI: ""}).returncode == 64
    assert run_wrapper(fake_app, tmp_path, aws, mode="serve").returncode == 64


def test_wrapper_and_dag_share_one_contract():
    spec = importlib.util.spec_from_file_location("sox_pg01_wrapper", WRAPPER)
    wrapper = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(wrapper)
    names = [n for n in dir(contract) if n.startswith(("ENV_", "MODE_", "EXIT_"))]
    assert len(names) >= 12
    for name in names:
        assert getattr(wrapper, name) == getattr(contract, name), name


def test_dockerfile_runs_the_wrapper_on_a_pinned_base():
    dockerfile = (WRAPPER.parent / "Dockerfile").read_text()
    assert "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n" in dockerfile  # no default: the build must name a digest
    (copy,) = [line for line in dockerfile.splitlines() if line.startswith("COPY ")]
    target = copy.split()[-1]
    assert copy.split()[-2] == WRAPPER.name
    assert f'ENTRYPOINT ["python", "{target}"]' in dockerfile
    assert f'CMD ["{contract.MODE_RECONCILE}"]' in dockerfile
    assert "USER 1000:1000" in dockerfile
    pinned = re.search(r'"boto3==([0-9.]+)"', dockerfile).group(1)
    assert f'"boto3=={pinned}"' in (REPO / "pyproject.toml").read_text(), "same boto3 as the project"
