"""`make demo`: the local AWS, seeded, and `airflow standalone` on SQLite, all on loopback.

Ctrl-C stops everything this started. Airflow standalone runs in its own process group with
SIGINT restored (a background start would otherwise ignore it), and the whole group is stopped
if it does not finish within the grace period, so no orphaned scheduler or api-server is left.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from platform_ops.local.connections import local_environment
from platform_ops.local.seed import seed_all
from platform_ops.local.server import HOST, free_port, start_local_aws
from platform_ops.registry import REPO_ROOT

DEMO_DIR = Path(os.environ.get("PLATFORM_OPS_DEMO_DIR") or REPO_ROOT / ".demo")
# name: (slots, description); deferred tasks hold their slot (the ECS job still runs meanwhile)
POOLS = {"sox_pg01_db": (1, "SOX PG-01: one database job at a time (global temp tables collide).")}


def airflow_environment(endpoint: str, api_port: int) -> dict[str, str]:
    home = DEMO_DIR / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    venv_bin = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if k not in {"MOTO_PORT", "MOTO_ACCOUNT_ID"}}
    env.update(local_environment(endpoint))
    env.update(
        {
            "PATH": f"{venv_bin}{os.pathsep}{env.get('PATH', '')}",  # standalone spawns `airflow`
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO_ROOT / "plugins"),
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE": "True",
            "AIRFLOW__API__HOST": HOST,
            "AIRFLOW__API__PORT": str(api_port),
            "AIRFLOW__API__BASE_URL": f"http://{HOST}:{api_port}",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
        }
    )
    return env


def write_env_file(env: dict[str, str]) -> Path:
    """`source .demo/env.sh` gives another shell the same Airflow and local AWS."""
    keys = sorted(k for k in env if k.startswith(("AIRFLOW", "AWS_", "PLATFORM_OPS_")) or k == "PATH")
    path = DEMO_DIR / "env.sh"
    path.write_text("".join(f"export {k}={shlex.quote(env[k])}\n" for k in keys))
    return path


def _restore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"airflow standalone exited with code {process.returncode}; see {DEMO_DIR}/airflow.log")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 - loopback
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError(f"Airflow did not answer {url} within {timeout}s; see {DEMO_DIR}/airflow.log")


def stop_group(process: subprocess.Popen, grace: float = 30) -> None:
    """SIGINT the group (clean shutdown), then SIGTERM, then SIGKILL whatever is left of it."""
    for sig, wait in ((signal.SIGINT, grace), (signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    try:  # children can outlive the leader: sweep the group
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def main() -> int:
    DEMO_DIR.mkdir(exist_ok=True)
    aws_log = open(DEMO_DIR / "local-aws.log", "ab")  # noqa: SIM115 - lives as long as the demo
    aws = start_local_aws(hooks="platform_ops.local.moto_hooks:on_task_stopped", log_file=aws_log)
    airflow = None
    try:
        seed_all(aws.endpoint)
        api_port = int(os.environ.get("DEMO_API_PORT") or 0) or (8080 if _port_free(8080) else free_port())
        env = airflow_environment(aws.endpoint, api_port)
        env_file = write_env_file(env)
        subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        for name, (slots, description) in POOLS.items():
            subprocess.run([sys.executable, "-m", "airflow", "pools", "set", name, str(slots), description,
                            "--include-deferred"], env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        with open(DEMO_DIR / "airflow.log", "ab") as log:
            airflow = subprocess.Popen(
                [str(Path(sys.executable).parent / "airflow"), "standalone"],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=_restore_sigint,
            )  # fmt: skip
        url = f"http://{HOST}:{api_port}"
        print(f"local AWS (moto) on {aws.endpoint}, seeded: accounts {', '.join(_accounts())}", flush=True)
        print("starting Airflow standalone (about 20 s)...", flush=True)
        _wait_healthy(f"{url}/api/v2/monitor/health", airflow)
        passwords = Path(env["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated"
        print(
            f"\nAirflow UI: {url}  (user admin; password in {_shown(passwords)})\n"
            f"Another shell: source {_shown(env_file)} && airflow dags test terraform_apply "
            "-c '{\"stack\": \"platform-core\"}'  (approve it under Required Actions in the UI)\n"
            f"Logs: {_shown(DEMO_DIR)}/airflow.log and local-aws.log. Ctrl-C stops everything.",
            flush=True,
        )
        while airflow.poll() is None:
            time.sleep(1)
        print(f"airflow standalone exited ({airflow.returncode})", flush=True)
        return 1
    except KeyboardInterrupt:
        print("\nstopping Airflow and the local AWS...", flush=True)
        return 0
    finally:
        if airflow is not None:
            stop_group(airflow)
        aws.stop()
        aws_log.close()


def _shown(path: Path) -> str:
    """A path relative to the repo when it is inside it (what a person types)."""
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex((HOST, port)) != 0


def _accounts() -> list[str]:
    from platform_ops.registry import registry

    return [f"{a.name} ({a.account_id})" for a in registry().accounts()]


if __name__ == "__main__":
    sys.exit(main())
