#!/usr/bin/env python3
"""Entry point of the derived SOXauto PG-01 image: run the job, upload everything, keep its exit code.

The upstream image writes its results to the working directory only (which vanishes with the
Fargate task), its ``/app`` is not writable by uid 1000 and its default command is dead. This
wrapper:

* ``reconcile`` (default): runs ``scripts/run_headless_test.py --output`` in a fresh writable
  directory, then uploads ``result.json``, ``evidence/`` (folders and ZIPs) and ``outputs/`` to
  ``$SOX_EVIDENCE_URI`` **even when the CLI failed**, then ``run.json`` (exit code and the SHA-256
  of every uploaded object), and exits with the CLI's code (75 if the CLI succeeded but an upload
  failed, so the orchestrator retries).
* ``preflight``: runs ``scripts/check_mssql_connection.py`` (exit codes 2-5 pass through: no
  database path) and then a CR_04-only run for the cutoff; exits 10 if CR_04 has no live rows
  (the month-end close is not loaded yet).

Inputs are plain environment variables set by the DAG (``SOX_*``); the database connection
string arrives as ``DB_CONNECTION_STRING`` from the task definition's secrets and is never
printed or uploaded. Standard library + boto3 only.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

MODE_RECONCILE = "reconcile"
MODE_PREFLIGHT = "preflight"
ENV_COMPANY = "SOX_COMPANY"
ENV_PERIOD = "SOX_PERIOD"
ENV_CUTOFF = "SOX_CUTOFF_DATE"
ENV_IPES = "SOX_IPES"
ENV_EVIDENCE_URI = "SOX_EVIDENCE_URI"
ENV_DAG_RUN_ID = "SOX_DAG_RUN_ID"
ENV_TRY_NUMBER = "SOX_TRY_NUMBER"
EXIT_NOT_READY = 10
EXIT_WRAPPER_USAGE = 64
EXIT_UPLOAD_FAILED = 75
WRAPPER_VERSION = "1"
UPLOADED_DIRS = ("evidence", "outputs")
READINESS_ITEM = "CR_04"
LIVE_SOURCE = "Live Database"

_child: subprocess.Popen | None = None


def log(message: str) -> None:
    print(f"sox-pg01-wrapper: {message}", file=sys.stderr, flush=True)


def app_dir() -> Path:
    return Path(os.environ.get("SOX_APP_DIR", "/app"))


def work_dir() -> Path:
    """A fresh directory on the writable volume (the image's /app belongs to root)."""
    root = Path(os.environ.get("SOX_WORK_ROOT", tempfile.gettempdir()))
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="pg01-", dir=root))


def _forward_sigterm(signum, frame) -> None:  # ECS stops a task with SIGTERM, then SIGKILL
    log("SIGTERM received: stopping the job, outputs so far will still be uploaded")
    if _child and _child.poll() is None:
        _child.terminate()


def run(argv: list[str], cwd: Path) -> int:
    """Run a job script with the app on PYTHONPATH; its stdout/stderr go to the container log."""
    global _child
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(app_dir()), env.get("PYTHONPATH", "")]))
    log(f"running {' '.join(argv[1:])} in {cwd}")
    _child = subprocess.Popen(argv, cwd=cwd, env=env)
    code = _child.wait()
    _child = None
    return code


def cli_argv(output: Path, company: str, cutoff: str, ipes: list[str], *extra: str) -> list[str]:
    argv = [sys.executable, str(app_dir() / "scripts" / "run_headless_test.py"),
            "--cutoff-date", cutoff, "--company", company, "--output", str(output)]  # fmt: skip
    if ipes:
        argv += ["--ipes", ",".join(ipes)]
    return argv + list(extra)


def parse_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://") or not uri.endswith("/") or "/" not in uri[5:]:
        raise ValueError(f"{ENV_EVIDENCE_URI}={uri!r} must look like s3://bucket/prefix/")
    bucket, prefix = uri[5:].split("/", 1)
    return bucket, prefix


def files_to_upload(directory: Path) -> list[tuple[str, Path]]:
    """``result.json`` then every file under ``evidence/`` and ``outputs/`` (relative key, path)."""
    found = []
    if (directory / "result.json").is_file():
        found.append(("result.json", directory / "result.json"))
    for name in UPLOADED_DIRS:
        base = directory / name
        if base.is_dir():
            found += [
                (path.relative_to(directory).as_posix(), path)
                for path in sorted(base.rglob("*"))
                if path.is_file()
            ]
    return found


def upload(s3, bucket: str, prefix: str, directory: Path) -> tuple[list[dict], list[str]]:
    uploaded, errors = [], []
    for key, path in files_to_upload(directory):
        data = path.read_bytes()
        try:
            s3.put_object(Bucket=bucket, Key=prefix + key, Body=data)
        except Exception as err:  # keep going: upload as much evidence as possible
            errors.append(f"{key}: {type(err).__name__}: {err}")
            continue
        uploaded.append({"key": key, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
    return uploaded, errors


def required_env(*names: str) -> dict[str, str] | None:
    values = {name: os.environ.get(name, "") for name in names}
    missing = [name for name, value in values.items() if not value]
    if missing:
        log(f"missing environment: {', '.join(missing)}")
        return None
    return values


def reconcile() -> int:
    env = required_env(ENV_COMPANY, ENV_CUTOFF, ENV_EVIDENCE_URI)
    if env is None:
        return EXIT_WRAPPER_USAGE
    try:
        bucket, prefix = parse_uri(env[ENV_EVIDENCE_URI])
    except ValueError as err:
        log(str(err))
        return EXIT_WRAPPER_USAGE
    import boto3

    directory = work_dir()
    ipes = [item for item in os.environ.get(ENV_IPES, "").split(",") if item]
    argv = cli_argv(directory / "result.json", env[ENV_COMPANY], env[ENV_CUTOFF], ipes)
    started = datetime.now(UTC).isoformat()
    code = run(argv, directory)
    finished = datetime.now(UTC).isoformat()
    log(f"the CLI exited with {code}; uploading to s3://{bucket}/{prefix}")
    s3 = boto3.client("s3")
    uploaded, errors = upload(s3, bucket, prefix, directory)
    record = {
        "wrapper_version": WRAPPER_VERSION,
        "mode": MODE_RECONCILE,
        "company": env[ENV_COMPANY],
        "period": os.environ.get(ENV_PERIOD),
        "cutoff_date": env[ENV_CUTOFF],
        "dag_run_id": os.environ.get(ENV_DAG_RUN_ID),
        "try_number": os.environ.get(ENV_TRY_NUMBER),
        "cli_argv": [
            Path(argv[1]).name,
            *[a if a != str(directory / "result.json") else "result.json" for a in argv[2:]],
        ],
        "cli_exit_code": code,
        "started_at": started,
        "finished_at": finished,
        "hostname": socket.gethostname(),
        "python": platform.python_version(),
        "uploaded": uploaded,
        "upload_errors": errors,
    }
    try:
        s3.put_object(
            Bucket=bucket, Key=prefix + "run.json", Body=json.dumps(record, indent=2, sort_keys=True).encode()
        )
    except Exception as err:
        errors.append(f"run.json: {type(err).__name__}: {err}")
    for error in errors:
        log(f"upload failed: {error}")
    log(f"uploaded {len(uploaded)} objects, {len(errors)} errors")
    if code == 0 and errors:
        return EXIT_UPLOAD_FAILED
    return code


def preflight() -> int:
    directory = work_dir()
    code = run([sys.executable, str(app_dir() / "scripts" / "check_mssql_connection.py")], directory)
    if code != 0:
        log(
            f"connectivity check failed with exit code {code} (2 config, 3 driver, 4 network/credentials, 5 other)"
        )
        return code
    env = required_env(ENV_COMPANY, ENV_CUTOFF)
    if env is None:
        return EXIT_WRAPPER_USAGE
    output = directory / "readiness.json"
    code = run(
        cli_argv(
            output, env[ENV_COMPANY], env[ENV_CUTOFF], [READINESS_ITEM], "--no-bridges", "--summary-only"
        ),
        directory,
    )
    if code != 0:
        log(f"the {READINESS_ITEM} readiness run exited with {code}")
        return code
    result = json.loads(output.read_text())
    source = (result.get("data_sources") or {}).get(READINESS_ITEM)
    rows = ((result.get("dataframe_summaries") or {}).get(READINESS_ITEM) or {}).get("row_count") or 0
    if source != LIVE_SOURCE or rows <= 0:
        log(f"not ready: {READINESS_ITEM} source={source!r} rows={rows} for cutoff {env[ENV_CUTOFF]}")
        return EXIT_NOT_READY
    log(f"ready: {READINESS_ITEM} has {rows} live rows for cutoff {env[ENV_CUTOFF]}")
    return 0


def main(argv: list[str]) -> int:
    mode = argv[0] if argv else MODE_RECONCILE
    signal.signal(signal.SIGTERM, _forward_sigterm)
    if mode == MODE_RECONCILE:
        return reconcile()
    if mode == MODE_PREFLIGHT:
        return preflight()
    log(f"unknown mode {mode!r}; expected {MODE_RECONCILE} or {MODE_PREFLIGHT}")
    return EXIT_WRAPPER_USAGE


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
