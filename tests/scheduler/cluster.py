"""The real-scheduler lane's cluster: Airflow on CeleryExecutor with PostgreSQL and Redis, on loopback.

What ``Cluster.start()`` runs, each as its own process (session) with its own log file:

- PostgreSQL (metadata database and Celery result backend): a fresh ``initdb`` cluster in a
  temporary directory, on a free 127.0.0.1 port, password-authenticated. PostgreSQL refuses to
  run as root, so as root (CI) it runs as the unprivileged ``nobody`` user; otherwise as the
  caller. The binaries are found at run time (``pg_config --bindir``, Debian's
  ``/usr/lib/postgresql/<version>/bin``, then ``PATH``).
- Redis (Celery broker): ``redis-server`` on a free 127.0.0.1 port, nothing persisted.
- ``airflow db migrate`` and the pools (``platform_ops.local.demo.POOLS``), as the compose init
  job does; then ``api-server``, ``scheduler``, ``dag-processor``, ``triggerer`` and two
  ``celery worker`` processes (``worker-a``, ``worker-b``, two slots each).

Every process carries ``PLATFORM_OPS_LANE_RUN_ID`` (the lane) and ``PLATFORM_OPS_LANE_PART``
(its component) in its environment, so the process tree of the lane or of one component is
found again (``tests/local/proctree.py``), also for processes that re-parented or renamed
themselves. ``stop()`` stops everything: SIGTERM, a grace period, then SIGKILL of the whole
tree; ``parts[name].kill()`` SIGKILLs one component's tree (a worker or triggerer dying), and
``start_worker``/``start_triggerer`` start one again.

Besides where things run (``airflow_environment``), the lane changes only Airflow's time scales:
heartbeats and the checks that act on them, and retry delays (a cluster policy in the lane's
``airflow_local_settings.py``), so that a lost worker or triggerer is noticed, and a retry runs,
in seconds rather than minutes. What is retried, where, and when a timeout fires is Airflow's
own logic. Terraform runs through a wrapper that can hold ``apply`` at a gate (``_terraform_wrapper``).
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests
from platform_ops.local.server import HOST, free_port

from tests.local.proctree import ProcessTree, describe
from tests.waiting import wait_until

REPO = Path(__file__).resolve().parents[2]
LANE_VAR = "PLATFORM_OPS_LANE_RUN_ID"
PART_VAR = "PLATFORM_OPS_LANE_PART"
WORKER_VAR = "PLATFORM_OPS_LANE_WORKER"
WORKERS = ("worker-a", "worker-b")
WORKER_SLOTS = 2
STOP_GRACE = 10.0  # seconds between SIGTERM and SIGKILL at the end of the lane
START_TIMEOUT = 300.0  # seconds for a component to come up on a loaded machine
# Time scales of the lane (seconds); production keeps Airflow's defaults. The lane runs beside
# the main suite's workers on 2 cores: a live process may miss a few beats, never 30 of them.
HEARTBEAT_TIMEOUT = 60  # a task whose supervisor stopped heartbeating this long is failed
HEARTBEAT_INTERVAL = 2
TRIGGERER_HEARTBEAT = 2
TRIGGERER_HEALTH_THRESHOLD = 30  # a triggerer silent this long loses its triggers to another
RETRY_DELAY = 2

# $AIRFLOW_HOME/config/airflow_local_settings.py of the lane: the demo's (log servers on
# loopback) plus a cluster policy that shortens retry delays to the lane's time scale.
POLICY = f'''

from datetime import timedelta


def task_policy(task):
    """The lane only: retries wait {RETRY_DELAY} s instead of minutes (Airflow still decides them)."""
    task.retry_delay = timedelta(seconds={RETRY_DELAY})
    task.max_retry_delay = timedelta(seconds={RETRY_DELAY})


__all__ = ["task_policy"]  # what Airflow registers as policies (the demo's part exports none)
'''


# --- PostgreSQL and Redis ---------------------------------------------------------------------


def postgres_bindir() -> Path:
    """Where ``initdb`` and ``postgres`` are: pg_config's bindir, Debian's layout, then PATH."""
    candidates: list[Path] = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
        if out:
            candidates.append(Path(out))
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name or 0))
    candidates += [Path(p) for p in reversed(versions)]
    if shutil.which("initdb"):
        candidates.append(Path(shutil.which("initdb")).resolve().parent)
    for path in candidates:
        if (path / "initdb").exists() and (path / "postgres").exists():
            return path
    raise RuntimeError("PostgreSQL server binaries not found: `make tools` installs Debian's postgresql")


def redis_binary() -> str:
    found = shutil.which("redis-server")
    if not found:
        raise RuntimeError("redis-server not found: `make tools` installs Debian's redis-server")
    return found


def _unprivileged() -> tuple[int, int] | None:
    """(uid, gid) to run PostgreSQL as when we are root; None when we are not."""
    if os.geteuid() != 0:
        return None
    user = pwd.getpwnam("nobody")
    return user.pw_uid, user.pw_gid


def _as_user(ids: tuple[int, int] | None) -> Callable[[], None] | None:
    if ids is None:
        return None
    uid, gid = ids

    def drop() -> None:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)

    return drop


@dataclass
class Postgres:
    """A throwaway PostgreSQL cluster; ``url`` is the SQLAlchemy URL of its ``airflow`` database."""

    root: Path
    port: int = field(default_factory=free_port)
    password: str = field(default_factory=lambda: secrets.token_hex(16))

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://airflow:{self.password}@{HOST}:{self.port}/airflow"

    def init(self, log) -> list[str]:
        """initdb (as the unprivileged user when root); returns the server's argv."""
        ids = _unprivileged()
        pwfile = self.root / "pw"
        pwfile.write_text(self.password + "\n")
        if ids:
            for path in (self.root, pwfile):
                os.chown(path, *ids)
        bindir = postgres_bindir()
        subprocess.run(
            [str(bindir / "initdb"), "-D", str(self.root / "data"), "-U", "airflow", f"--pwfile={pwfile}",
             "--auth=scram-sha-256", "-E", "UTF8", "--no-sync"],
            check=True, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_as_user(ids), timeout=START_TIMEOUT,
        )  # fmt: skip
        pwfile.unlink()
        return [
            str(bindir / "postgres"), "-D", str(self.root / "data"), "-p", str(self.port),
            "-k", str(self.root), "-c", f"listen_addresses={HOST}", "-c", "fsync=off",
            "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200",
        ]  # fmt: skip

    def create_database(self) -> None:
        import psycopg2

        def connect():
            try:
                return psycopg2.connect(
                    host=HOST, port=self.port, user="airflow", password=self.password, dbname="postgres"
                )
            except psycopg2.OperationalError:
                return None

        conn = wait_until(connect, "PostgreSQL to accept connections", timeout=START_TIMEOUT)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("CREATE DATABASE airflow")
        conn.close()


def _redis_ready(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


# --- processes --------------------------------------------------------------------------------


@dataclass
class Part:
    """One started component (``name``) and how to start it again."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    preexec: Callable[[], None] | None = None
    process: subprocess.Popen | None = None
    tree: ProcessTree | None = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, preexec_fn=self.preexec, cwd=self.log_path.parent,
            )  # fmt: skip
        self.tree = ProcessTree(PART_VAR, self.env[PART_VAR])
        self.tree.known.add(self.process.pid)

    def pids(self) -> list[int]:
        return self.tree.pids() if self.tree else []

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the component's whole tree (a machine or container dying), and reap it."""
        left = self.tree.kill_all()
        assert not left, f"{self.name} survived SIGKILL:\n{describe(left)}"
        self.process.wait(timeout=30)


class Cluster:
    """Airflow on CeleryExecutor against the local AWS at ``endpoint``; see the module docstring."""

    def __init__(
        self, endpoint: str, root: Path, registry_path: Path, sox_config: Path, dag_files: list[Path]
    ):
        self.endpoint = endpoint
        self.root = root
        self.registry_path = registry_path
        self.sox_config = sox_config
        self.dag_files = dag_files
        self.run_id = uuid.uuid4().hex
        self.lane = ProcessTree(LANE_VAR, self.run_id)
        self.parts: dict[str, Part] = {}
        self.api_port = free_port()
        self.postgres = Postgres(Path(tempfile.mkdtemp(prefix="platform-ops-lane-pg-")))
        self.redis_port = free_port()
        self.home = root / "airflow"
        self.tf_gate = root / "terraform-apply.gate"
        self.tf_applies = root / "terraform-applies.log"
        self.api: Api | None = None

    # -- environment -------------------------------------------------------------------------
    def airflow_environment(self) -> dict[str, str]:
        from cryptography.fernet import Fernet
        from platform_ops.local.connections import local_environment
        from platform_ops.terraform.tooling import MIRROR_ENV, find_provider_mirror

        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "MOTO_", "PYTEST"))}
        env.update(local_environment(self.endpoint))
        api = f"http://{HOST}:{self.api_port}"
        env.update(
            {
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
                "PYTHONPATH": str(REPO),  # tests.scheduler.worker_name, the workers' hostname callable
                LANE_VAR: self.run_id,
                "AIRFLOW_HOME": str(self.home),
                "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.postgres.url,
                "AIRFLOW__CELERY__BROKER_URL": f"redis://{HOST}:{self.redis_port}/0",
                "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{self.postgres.url}",
                "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(WORKER_SLOTS),
                "AIRFLOW__CELERY__SYNC_PARALLELISM": "1",
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__DAGS_FOLDER": str(self.root / "dags"),
                "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
                "AIRFLOW__CORE__PARALLELISM": "16",
                "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api}/execution/",
                "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
                "AIRFLOW__API__SECRET_KEY": secrets.token_hex(32),
                "AIRFLOW__API__HOST": HOST,
                "AIRFLOW__API__PORT": str(self.api_port),
                "AIRFLOW__API__BASE_URL": api,
                "AIRFLOW__API__WORKERS": "1",
                "AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE": "True",
                "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
                "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
                "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(HEARTBEAT_TIMEOUT),
                "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "2",
                "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": str(HEARTBEAT_INTERVAL),
                "AIRFLOW__SCHEDULER__TRIGGER_TIMEOUT_CHECK_INTERVAL": "2",
                "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": str(TRIGGERER_HEARTBEAT),
                "AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD": str(TRIGGERER_HEALTH_THRESHOLD),
                "PLATFORM_OPS_REGISTRY": str(self.registry_path),
                "PLATFORM_OPS_SOX_CONFIG": str(self.sox_config),
                "PLATFORM_OPS_TERRAFORM": str(self._terraform_wrapper()),
                MIRROR_ENV: str(find_provider_mirror()),
                "PLATFORM_OPS_LANE_TF_GATE": str(self.tf_gate),
                "PLATFORM_OPS_LANE_TF_APPLIES": str(self.tf_applies),
            }
        )
        return env

    def _terraform_wrapper(self) -> Path:
        """The real terraform, with a gate before ``apply`` that a test can hold closed.

        While the file ``$PLATFORM_OPS_LANE_TF_GATE`` exists an ``apply`` waits before it starts
        (and says so in ``<gate>.waiting``): a test can then kill the worker at a known point.
        Every apply that really starts is appended to ``$PLATFORM_OPS_LANE_TF_APPLIES``.
        """
        from platform_ops.terraform.tooling import find_terraform

        path = self.root / "terraform"
        path.write_text(
            "#!/bin/sh\n"
            'if [ "$1" = "apply" ]; then\n'
            '  if [ -e "$PLATFORM_OPS_LANE_TF_GATE" ]; then\n'
            '    echo $$ > "$PLATFORM_OPS_LANE_TF_GATE.waiting"\n'
            '    while [ -e "$PLATFORM_OPS_LANE_TF_GATE" ]; do sleep 0.2; done\n'
            "  fi\n"
            '  echo "$$ $PLATFORM_OPS_LANE_WORKER" >> "$PLATFORM_OPS_LANE_TF_APPLIES"\n'
            "fi\n"
            f'exec "{find_terraform()}" "$@"\n'
        )
        path.chmod(0o755)
        return path

    def _write_home(self, env: dict[str, str]) -> None:
        from platform_ops.local.demo import LOCAL_SETTINGS

        settings = self.home / "config" / "airflow_local_settings.py"
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_text(LOCAL_SETTINGS + POLICY)
        dags = self.root / "dags"
        dags.mkdir()
        for path in self.dag_files:
            (dags / path.name).symlink_to(path)

    # -- start and stop ----------------------------------------------------------------------
    def _part(self, name: str, argv: list[str], env: dict[str, str], preexec=None) -> Part:
        part_env = {**env, PART_VAR: f"{self.run_id}-{name}"}
        part = Part(name, argv, part_env, self.root / f"{name}.log", preexec)
        self.parts[name] = part
        part.start()
        return part

    def _airflow(self, *args: str) -> list[str]:
        return [str(Path(sys.executable).parent / "airflow"), *args]

    def start(self) -> None:
        env = self.airflow_environment()
        self.env = env
        self._write_home(env)
        with open(self.root / "initdb.log", "ab") as log:
            pg_argv = self.postgres.init(log)
        self._part("postgres", pg_argv, env, _as_user(_unprivileged()))
        self._part(
            "redis",
            [redis_binary(), "--port", str(self.redis_port), "--bind", HOST, "--save", "", "--appendonly", "no",
             "--dir", str(self.root)],
            env,
        )  # fmt: skip
        self.postgres.create_database()
        wait_until(lambda: _redis_ready(self.redis_port), "Redis to answer PING", timeout=START_TIMEOUT)
        self._run(self._airflow("db", "migrate"), env, "migrate")
        from platform_ops.local.demo import POOLS

        for name, (slots, description) in POOLS.items():
            self._run(
                self._airflow("pools", "set", name, str(slots), description, "--include-deferred"),
                env,
                "pools",
            )
        self._part("api-server", self._airflow("api-server"), env)
        self._part("scheduler", self._airflow("scheduler"), env)
        self._part("dag-processor", self._airflow("dag-processor"), env)
        self.start_triggerer()
        for worker in WORKERS:
            self.start_worker(worker)
        self.api = Api(f"http://{HOST}:{self.api_port}", self.home)
        self.api.wait_healthy(self._check_alive)
        for worker in WORKERS:
            self.wait_worker_ready(worker)

    def start_triggerer(self) -> Part:
        return self._part("triggerer", self._airflow("triggerer", "--skip-serve-logs"), self.env)

    def start_worker(self, worker: str) -> Part:
        argv = self._airflow(
            "celery", "worker", "--concurrency", str(WORKER_SLOTS), "--celery-hostname", f"{worker}@%h",
            "--skip-serve-logs", "--without-mingle", "--without-gossip",
        )  # fmt: skip
        env = {
            **self.env,
            WORKER_VAR: worker,
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": "tests.scheduler.worker_name.worker_hostname",
        }
        return self._part(worker, argv, env)

    def wait_worker_ready(self, worker: str) -> None:
        part = self.parts[worker]
        mark = part.log_path.stat().st_size if part.log_path.exists() else 0

        def ready() -> bool:
            self._check_alive()
            return " ready." in part.log()[mark:] or " ready." in part.log()

        wait_until(ready, f"Celery {worker} to say it is ready", timeout=START_TIMEOUT)

    def applies(self) -> list[str]:
        """One line per terraform apply that really started (``<pid> <worker>``)."""
        return self.tf_applies.read_text().splitlines() if self.tf_applies.exists() else []

    def _run(self, argv: list[str], env: dict[str, str], name: str) -> None:
        with open(self.root / f"{name}.log", "ab") as log:
            subprocess.run(
                argv, env={**env, PART_VAR: f"{self.run_id}-{name}"}, check=True, stdout=log,
                stderr=subprocess.STDOUT, timeout=START_TIMEOUT,
            )  # fmt: skip

    def _check_alive(self) -> None:
        for part in self.parts.values():
            if part.process.poll() is not None and part.process.returncode is not None:
                tail = "\n".join(part.log().splitlines()[-30:])
                raise RuntimeError(f"{part.name} exited with code {part.process.returncode}:\n{tail}")

    def stop(self) -> list[int]:
        """SIGTERM every component, SIGKILL what is left after ``STOP_GRACE``; returns survivors."""
        self.lane.pids()  # learn the leaders while they run
        for part in reversed(list(self.parts.values())):
            if part.process and part.process.poll() is None:
                try:  # PostgreSQL: SIGINT is its fast shutdown (SIGTERM waits for every client)
                    os.killpg(part.process.pid, signal.SIGINT if part.name == "postgres" else signal.SIGTERM)
                except OSError:
                    pass
        deadline = time.monotonic() + STOP_GRACE
        while self.lane.pids() and time.monotonic() < deadline:
            time.sleep(0.2)
        left = self.lane.kill_all()
        for part in self.parts.values():
            if part.process:
                try:
                    part.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
        shutil.rmtree(self.postgres.root, ignore_errors=True)
        return left


# --- the REST API -----------------------------------------------------------------------------

TERMINAL = {"success", "failed"}


class Api:
    """The api-server's public REST API, as the UI and scripts use it (token from /auth/token)."""

    def __init__(self, base: str, home: Path):
        self.base = base
        self.home = home
        self.http = requests.Session()

    def wait_healthy(self, check: Callable[[], None]) -> None:
        def healthy() -> bool:
            check()
            try:
                body = requests.get(f"{self.base}/api/v2/monitor/health", timeout=5).json()
            except (requests.RequestException, ValueError):
                return False
            return all(
                (body.get(part) or {}).get("status") == "healthy"
                for part in ("metadatabase", "scheduler", "triggerer", "dag_processor")
            )

        wait_until(healthy, "the api-server to report every component healthy", timeout=START_TIMEOUT)
        password = json.loads((self.home / "simple_auth_manager_passwords.json.generated").read_text())[
            "admin"
        ]
        token = self.http.post(f"{self.base}/auth/token", json={"username": "admin", "password": password})
        token.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"

    def get(self, path: str, **params) -> dict:
        resp = self.http.get(f"{self.base}/api/v2/{path}", params=params, timeout=30)
        resp.raise_for_status()
        return resp.json()

    def send(self, method: str, path: str, body: dict) -> requests.Response:
        return self.http.request(method, f"{self.base}/api/v2/{path}", json=body, timeout=30)

    def wait_dag(self, dag_id: str) -> None:
        def parsed() -> bool:
            resp = self.http.get(f"{self.base}/api/v2/dags/{dag_id}", timeout=30)
            return resp.status_code == 200

        wait_until(parsed, f"the dag-processor to load {dag_id}", timeout=START_TIMEOUT)
        errors = self.get("importErrors")
        assert errors["total_entries"] == 0, errors

    def unpause(self, dag_id: str) -> None:
        self.send("PATCH", f"dags/{dag_id}", {"is_paused": False}).raise_for_status()

    def trigger(self, dag_id: str, conf: dict) -> str:
        resp = self.send("POST", f"dags/{dag_id}/dagRuns", {"logical_date": None, "conf": conf})
        assert resp.status_code == 200, resp.text
        return resp.json()["dag_run_id"]

    def run(self, dag_id: str, run_id: str) -> dict:
        return self.get(f"dags/{dag_id}/dagRuns/{run_id}")

    def runs(self, dag_id: str) -> list[dict]:
        return self.get(f"dags/{dag_id}/dagRuns", limit=100)["dag_runs"]

    def wait_run(self, dag_id: str, run_id: str, timeout: float = START_TIMEOUT) -> dict:
        return wait_until(
            lambda: (run := self.run(dag_id, run_id))["state"] in TERMINAL and run,
            f"{dag_id} run {run_id} to end",
            timeout=timeout,
        )

    def task(self, dag_id: str, run_id: str, task_id: str) -> dict:
        return self.get(f"dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}")

    def tasks(self, dag_id: str, run_id: str) -> list[dict]:
        return self.get(f"dags/{dag_id}/dagRuns/{run_id}/taskInstances", limit=100)["task_instances"]

    def states(self, dag_id: str, run_id: str) -> dict[str, str]:
        return {
            (t["task_id"] if t["map_index"] < 0 else f"{t['task_id']}[{t['map_index']}]"): t["state"]
            for t in self.tasks(dag_id, run_id)
        }

    def tries(self, dag_id: str, run_id: str, task_id: str) -> list[dict]:
        return self.get(f"dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/tries")["task_instances"]

    def wait_task_state(self, dag_id: str, run_id: str, task_id: str, state: str) -> dict:
        return wait_until(
            lambda: (ti := self.task(dag_id, run_id, task_id))["state"] == state and ti,
            f"{dag_id} {run_id} {task_id} to be {state}",
            timeout=START_TIMEOUT,
        )

    def answer(self, dag_id: str, run_id: str, task_id: str, option: str) -> None:
        resp = self.send(
            "PATCH",
            f"dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/-1/hitlDetails",
            {"chosen_options": [option], "params_input": {}},
        )
        assert resp.status_code == 200, resp.text

    def hitl(self, dag_id: str, run_id: str, task_id: str) -> dict:
        return self.get(f"dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/-1/hitlDetails")

    def log(self, dag_id: str, run_id: str, task_id: str, try_number: int) -> str:
        resp = self.http.get(
            f"{self.base}/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/logs/{try_number}",
            params={"full_content": "true"},
            timeout=30,
        )
        resp.raise_for_status()
        return json.dumps(resp.json())  # the structured log lines, searched as text

    def pool(self, name: str) -> dict:
        return self.get(f"pools/{name}")
