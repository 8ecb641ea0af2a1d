"""`make demo` for real: the UI answers on loopback with the DAGs loaded, and Ctrl-C leaves nothing behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import psutil
from platform_ops.local.server import free_port
from platform_ops.registry import REPO_ROOT

DAG_IDS = {p.stem for p in (REPO_ROOT / "dags").glob("*.py") if not p.name.startswith("_")}


def _alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    return [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def test_demo_serves_the_ui_and_ctrl_c_stops_every_process(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update({"PLATFORM_OPS_DEMO_DIR": str(tmp_path), "DEMO_API_PORT": str(port), "PYTHONUNBUFFERED": "1"})
    demo = subprocess.Popen(
        [sys.executable, "-m", "platform_ops.local.demo"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = demo.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Ctrl-C stops everything" in line:
                break
        output = "".join(lines)
        assert f"Airflow UI: http://127.0.0.1:{port}" in output, output
        assert "simple_auth_manager_passwords.json.generated" in output
        password = json.loads((tmp_path / "airflow" / "simple_auth_manager_passwords.json.generated").read_text())
        token_req = urllib.request.Request(
            f"http://127.0.0.1:{port}/auth/token",
            data=json.dumps({"username": "admin", "password": password["admin"]}).encode(),
            headers={"Content-Type": "application/json"},
        )
        token = json.loads(urllib.request.urlopen(token_req, timeout=10).read())["access_token"]
        dag_ids: set[str] = set()
        for _ in range(60):  # the dag-processor parses dags/ shortly after start
            req = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v2/dags", headers={"Authorization": f"Bearer {token}"}
            )
            dag_ids = {d["dag_id"] for d in json.loads(urllib.request.urlopen(req, timeout=10).read())["dags"]}
            if DAG_IDS <= dag_ids:
                break
            time.sleep(2)
        assert DAG_IDS <= dag_ids, f"not loaded by the demo: {DAG_IDS - dag_ids}"
    finally:
        started = psutil.Process(demo.pid).children(recursive=True)
        os.killpg(demo.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends to the foreground group
        demo.wait(timeout=120)
    assert len(started) > 3, started  # moto, standalone, api-server, scheduler, ...
    time.sleep(1)
    assert _alive(started) == [], "processes left behind after Ctrl-C"
