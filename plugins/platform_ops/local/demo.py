"""`make demo`: the local AWS, seeded, and `airflow standalone` on SQLite, all on loopback.

Every start is a clean slate: the local AWS lives in memory, so the Airflow database, logs and
settings under ``.demo/`` are removed first too (a run history saying "applied" about resources
that no longer exist would mislead). Each step prints how long it took; while Airflow starts,
a line every ``PROGRESS_EVERY`` seconds says which of its components are up. Everything listens
on 127.0.0.1, the log servers included (``LOCAL_SETTINGS``). ``.demo/env.sh`` gives another shell
the same Airflow and the local AWS, with one AWS CLI/boto3 profile per account (``.demo/aws/``).
Scheduled DAGs start paused; unpausing one starts one run for its latest schedule time at once
(``catchup`` is off). The demo's SOX config polls ECS every ``DEMO_WAITER_DELAY_SECONDS`` (the
container double finishes at once): the four-company SOX run takes about two minutes, not nine.

What it guarantees: every way out stops every process it started, SIGKILL included, within a
bounded time: ``STOP_GRACE`` after SIGTERM, then SIGKILL; a little over a minute at worst in all.

- Signals: the demo installs its own SIGINT (Ctrl-C), SIGTERM (a service manager, ``kill``) and
  SIGHUP (a closed terminal) handlers, whatever dispositions it inherited. A shell starts a
  background job (``make demo &``) with SIGINT and SIGQUIT ignored, and Python then installs no
  ``KeyboardInterrupt`` handler of its own: the demo does not rely on it. A requested stop exits 0;
  a second signal while stopping skips the rest of the grace period.
- Airflow standalone exiting by itself, or an error while starting or seeding the local AWS,
  migrating the Airflow database or starting Airflow: the demo says which step failed, stops what
  it had started and exits 1.
- How: standalone runs in its own session (the terminal's Ctrl-C reaches only the demo) with
  default signal dispositions restored. On the way out the demo sends SIGTERM to standalone's
  process group and to every process of the run's tree (``ProcessTree``), waits up to
  ``STOP_GRACE`` seconds, then SIGKILLs whatever is left (the Airflow scheduler can ignore SIGTERM
  for a long time). Then it stops the local AWS and sweeps the tree once more. The tree is the
  demo's descendants, every process whose environment carries ``PLATFORM_OPS_DEMO_RUN_ID`` with
  this run's value, and the members of their process groups and sessions: that also finds
  processes that re-parented to init or moved to a session of their own. The variable is set to a
  fresh id at start unless the caller set it (tests do, to check that nothing is left); it is not
  written to ``env.sh``, so what another shell starts is never swept.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import psutil  # an Airflow dependency

from platform_ops.local.connections import aws_profiles, local_environment
from platform_ops.local.refresh_seed import refresh_pools, seed_refresh
from platform_ops.local.seed import seed_all
from platform_ops.local.server import HOST, free_port, start_local_aws
from platform_ops.local.sox_double import DEMO_WAITER_DELAY_SECONDS
from platform_ops.registry import REPO_ROOT

DEMO_DIR = Path(os.environ.get("PLATFORM_OPS_DEMO_DIR") or REPO_ROOT / ".demo")
# name: (slots, description); deferred tasks hold their slot (the ECS job still runs meanwhile)
POOLS = {
    "sox_pg01_db": (1, "SOX PG-01: one database job at a time (global temp tables collide)."),
    **refresh_pools(),  # refresh_staging, refresh_dev
}
RUN_ID_VAR = "PLATFORM_OPS_DEMO_RUN_ID"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
STOP_GRACE = 20.0  # seconds between SIGTERM and SIGKILL
KILL_WAIT = 10.0  # seconds for SIGKILLed processes to disappear
HEALTH_TIMEOUT = 300.0  # seconds for Airflow to answer after standalone starts
PROGRESS_EVERY = 10.0  # seconds between "still starting" lines
STANDALONE_PARTS = ("scheduler", "dag-processor", "triggerer", "api-server")
# What the demo removes at start (the local AWS starts empty, so must everything that describes it).
FRESH = ("airflow", "aws", "env.sh", "sox-pg01.json", "airflow.log", "local-aws.log", "dr-platform-apply.log")
# $AIRFLOW_HOME/config/airflow_local_settings.py, imported by every Airflow process at start.
# Airflow 3.3's log servers (the scheduler's on [logging] worker_log_server_port, the triggerer's
# on trigger_log_server_port) call uvicorn.run(host="") in airflow.utils.serve_logs.core, which
# binds every interface, and no setting names the host. Task logs are local files here, so the
# servers are not even needed, but standalone starts them anyway: this binds them to loopback.
# Airflow still logs "Starting log server on http://[::]:8793"; the socket is on 127.0.0.1.
LOCAL_SETTINGS = f'''"""Written by `make demo` (platform_ops.local.demo): every server binds {HOST} only."""

import uvicorn

__all__: list[str] = []  # no cluster policies here
_serve = uvicorn.run


def _loopback_run(app, *args, **kwargs):
    kwargs["host"] = "{HOST}"
    return _serve(app, *args, **kwargs)


uvicorn.run = _loopback_run
'''
T = TypeVar("T")


class StopRequested(BaseException):
    """Raised in the main thread by the demo's signal handler (the first stop signal).

    A BaseException, like KeyboardInterrupt: library code that catches Exception (boto3's retries
    while seeding) must not swallow it.
    """

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class _Signals:
    """The demo's SIGINT/SIGTERM/SIGHUP handler: the first one raises, any later one hurries."""

    def __init__(self) -> None:
        self.received: int | None = None
        self.stopping = False
        self.hurry = False

    def install(self) -> None:
        for sig in STOP_SIGNALS:
            signal.signal(sig, self._handle)

    def _handle(self, signum: int, frame) -> None:
        if self.received is not None or self.stopping:
            self.hurry = True
            return
        self.received = signum
        raise StopRequested(signum)

    def check(self) -> None:
        """Raise again if a stop signal came and something swallowed the first raise."""
        if self.received is not None and not self.stopping:
            raise StopRequested(self.received)


def _default_signals() -> None:
    """In a child before exec: default dispositions, none blocked, so it can be stopped."""
    for sig in (*STOP_SIGNALS, signal.SIGQUIT):
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, ())


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
            "PLATFORM_OPS_SOX_CONFIG": str(write_demo_sox_config()),
        }
    )
    settings = home / "config" / "airflow_local_settings.py"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(LOCAL_SETTINGS)
    return env


def write_demo_sox_config() -> Path:
    """The packaged SOX config with the demo's ECS poll interval (the double stops at once)."""
    from platform_ops.sox.config import DEFAULT_CONFIG

    raw = json.loads(Path(os.environ.get("PLATFORM_OPS_SOX_CONFIG") or DEFAULT_CONFIG).read_text())
    raw["ecs"]["waiter_delay_seconds"] = DEMO_WAITER_DELAY_SECONDS
    path = DEMO_DIR / "sox-pg01.json"
    path.write_text(json.dumps(raw, indent=2) + "\n")
    return path


def start_fresh() -> None:
    """Remove what a previous run left in ``DEMO_DIR`` (the local AWS comes back empty)."""
    for name in FRESH:
        path = DEMO_DIR / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()


def write_env_file(env: dict[str, str], endpoint: str) -> Path:
    """`source .demo/env.sh` gives another shell the same Airflow and local AWS.

    The AWS CLI and boto3 get ``AWS_ENDPOINT_URL`` and one profile per registry account
    (``.demo/aws/config`` and ``credentials``, see ``connections.aws_profiles``); ``AWS_PROFILE``
    is the artifacts account's, and ``--profile <account>`` picks another. Static keys are unset,
    not exported: they would win over ``AWS_PROFILE`` (the local ones land in moto's default
    account, which holds nothing). (Airflow's connections carry their own keys.) The run id is left out:
    what that shell starts is not the demo's to stop.
    """
    from platform_ops.registry import registry

    aws_dir = DEMO_DIR / "aws"
    aws_dir.mkdir(parents=True, exist_ok=True)
    config, credentials = aws_profiles(endpoint, f"platform-ops-demo-{uuid.uuid4().hex[:12]}")
    (aws_dir / "config").write_text(config)
    (aws_dir / "credentials").write_text(credentials)
    (aws_dir / "credentials").chmod(0o600)
    exported = {
        k: v
        for k, v in env.items()
        if (k.startswith(("AIRFLOW", "AWS_", "PLATFORM_OPS_")) or k == "PATH")
        and k not in {RUN_ID_VAR, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
    }
    exported.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_CONFIG_FILE": str(aws_dir / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(aws_dir / "credentials"),
            "AWS_PROFILE": registry().artifacts_account.name,
        }
    )
    path = DEMO_DIR / "env.sh"
    # Keys already in that shell would win over AWS_PROFILE, and are not the local AWS's.
    unset = "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN\n"
    path.write_text(unset + "".join(f"export {k}={shlex.quote(exported[k])}\n" for k in sorted(exported)))
    return path


def _say(message: str, err: bool = False) -> None:
    """Print, never raise: after SIGHUP the terminal may be gone, and cleanup must go on."""
    try:
        print(message, file=sys.stderr if err else sys.stdout, flush=True)
    except (OSError, ValueError):
        pass


def _wait_healthy(
    url: str,
    process: subprocess.Popen,
    signals: _Signals,
    timeout: float = HEALTH_TIMEOUT,
    progress: Callable[[float], None] = lambda elapsed: None,
) -> None:
    """Poll ``url`` until it answers 200; ``progress(elapsed)`` every ``PROGRESS_EVERY`` s."""
    start = time.monotonic()
    deadline = start + timeout
    next_progress = start + PROGRESS_EVERY
    while time.monotonic() < deadline:
        signals.check()
        if time.monotonic() >= next_progress:
            progress(time.monotonic() - start)
            next_progress += PROGRESS_EVERY
        if process.poll() is not None:
            raise RuntimeError(
                f"airflow standalone exited with code {process.returncode}; see {DEMO_DIR}/airflow.log"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(1)
    raise RuntimeError(f"Airflow did not answer {url} within {timeout:.0f}s; see {DEMO_DIR}/airflow.log")


# --- the process tree -------------------------------------------------------------------------


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


class ProcessTree:
    """The processes of this demo run, found again at every ``scan()``.

    Members: the demo's descendants; every process whose environment carries ``run_id``; the
    children of members; and every process in a process group or session whose leader is or was
    a member. The environment alone is not enough: a process that sets its title (Airflow's
    api-server, LocalExecutor workers and serve-logs) overwrites what the OS reports as its
    environment, and re-parents to init when its parent dies. The demo and its ancestors are never
    members.
    """

    def __init__(self, run_id: str):
        self.run_id = run_id
        self.known: set[int] = set()  # every member pid seen, so a dead leader's group still counts

    def scan(self, spare: Callable[[int], bool] = lambda pid: False) -> list[psutil.Process]:
        me = psutil.Process()
        protected = {me.pid} | {p.pid for p in _quiet(me.parents, [])}
        own_keys = {os.getsid(0), os.getpgid(0)} - {me.pid}  # a shell's session is not ours
        found = {p.pid: p for p in _quiet(lambda: me.children(recursive=True), [])}
        procs = {p.pid: p for p in psutil.process_iter(["ppid"]) if p.pid not in protected}
        for pid, proc in procs.items():
            if pid not in found and _quiet(proc.environ, {}).get(RUN_ID_VAR) == self.run_id:
                found[pid] = proc
        groups = {
            pid: (_quiet(lambda pid=pid: os.getpgid(pid), 0), _quiet(lambda pid=pid: os.getsid(pid), 0))
            for pid in procs
        }
        while True:
            keys = (self.known | found.keys()) - own_keys
            more = {
                pid: proc
                for pid, proc in procs.items()
                if pid not in found
                and (proc.info["ppid"] in found or groups[pid][0] in keys or groups[pid][1] in keys)
            }
            if not more:
                break
            found.update(more)
        self.known |= found.keys()
        return [p for pid, p in found.items() if pid not in protected and not spare(pid) and _running(p)]


def _quiet(call: Callable[[], T], default: T) -> T:
    """``call()``, or ``default`` when the process is gone or not ours to read."""
    try:
        return call()
    except (psutil.Error, OSError):
        return default


def _signal_all(procs: list[psutil.Process], sig: int) -> None:
    for proc in procs:
        try:
            proc.send_signal(sig)
        except psutil.Error:
            pass


def _killpg(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _wait_gone(
    tree: Callable[[], list[psutil.Process]], timeout: float, signals: _Signals, reap: Callable[[], None]
) -> list[psutil.Process]:
    """Poll until ``tree()`` is empty or ``timeout`` passed (or a second signal said hurry)."""
    deadline = time.monotonic() + timeout
    while True:
        reap()
        left = tree()
        if not left or time.monotonic() >= deadline or signals.hurry:
            return left
        time.sleep(0.2)


def stop_tree(
    processes: ProcessTree,
    standalone: subprocess.Popen | None,
    signals: _Signals,
    spare: Callable[[int], bool] = lambda pid: False,
    grace: float = STOP_GRACE,
) -> list[psutil.Process]:
    """SIGTERM standalone's group and the tree, wait up to ``grace``, SIGKILL the rest.

    Processes for which ``spare(pid)`` is true are left alone (the local AWS, stopped after).
    Returns what is still running after SIGKILL and ``KILL_WAIT`` (normally nothing).
    """

    def tree() -> list[psutil.Process]:
        return processes.scan(spare)

    def reap() -> None:
        if standalone is not None:
            standalone.poll()

    def in_group(proc: psutil.Process) -> bool:
        try:
            return os.getpgid(proc.pid) == standalone.pid
        except OSError:
            return False

    def group_signal(sig: int) -> None:
        # The group id stays standalone's pid while the leader is unreaped or a member lives.
        if standalone is not None and (standalone.returncode is None or any(in_group(p) for p in tree())):
            _killpg(standalone.pid, sig)

    group_signal(signal.SIGTERM)
    _signal_all(tree(), signal.SIGTERM)
    left = _wait_gone(tree, grace, signals, reap)
    if not left:
        return []
    _say(f"{len(left)} process(es) still running {grace:.0f}s after SIGTERM: SIGKILL")
    group_signal(signal.SIGKILL)
    _signal_all(left, signal.SIGKILL)
    _signal_all(tree(), signal.SIGKILL)  # anything forked meanwhile
    return _wait_gone(tree, KILL_WAIT, _Signals(), reap)


# --- main -------------------------------------------------------------------------------------


class _Started:
    """What the demo has started so far (what the way out must stop)."""

    def __init__(self, run_id: str):
        self.processes = ProcessTree(run_id)
        self.aws = None
        self.aws_log = None
        self.airflow: subprocess.Popen | None = None
        self.step = "starting the local AWS (moto)"


def main() -> int:
    signals = _Signals()
    signals.install()  # first: everything started from here on inherits default dispositions
    run_id = os.environ.setdefault(RUN_ID_VAR, uuid.uuid4().hex)
    started = _Started(run_id)
    code = 1
    try:
        code = _run(started, signals)
    except StopRequested as stop:
        signals.stopping = True
        _say(f"\n{stop} received")
        code = 0
    except Exception as exc:
        signals.stopping = True
        _say(f"demo failed while {started.step}: {type(exc).__name__}: {exc}", err=True)
        code = 1
    finally:
        signals.stopping = True
        left = _shutdown(started, signals)
    if left:
        _say(f"could not stop: {', '.join(f'{p.pid} {_name(p)}' for p in left)}", err=True)
        return 1
    return code


class _Steps:
    """Prints each step as it starts and how long it took (``[2/4] seeding ... 3.1 s``)."""

    TOTAL = 4

    def __init__(self, started: _Started):
        self.started = started
        self.number = 0
        self.begun = time.monotonic()
        self.step_begun = self.begun

    def begin(self, name: str) -> None:
        self.number += 1
        self.started.step = name
        self.step_begun = time.monotonic()
        _say(f"[{self.number}/{self.TOTAL}] {name}...")

    def done(self, detail: str = "") -> None:
        took = time.monotonic() - self.step_begun
        _say(f"      done in {took:.1f} s{f': {detail}' if detail else ''}")

    def total(self) -> float:
        return time.monotonic() - self.begun


def _run(started: _Started, signals: _Signals) -> int:
    """Start, seed and serve until standalone exits (1) or a stop signal raises."""
    steps = _Steps(started)
    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    start_fresh()
    _say(f"fresh start: {_shown(DEMO_DIR)}/ cleared; the local AWS and the Airflow database start empty")
    steps.begin("starting the local AWS (moto)")
    started.aws_log = open(DEMO_DIR / "local-aws.log", "ab")  # lives as long as the demo
    aws = started.aws = start_local_aws(
        hooks="platform_ops.local.moto_hooks:on_task_stopped", log_file=started.aws_log
    )
    started.processes.known.add(aws.process.pid)
    steps.done(aws.endpoint)
    signals.check()
    steps.begin("seeding the local AWS")
    seed_all(aws.endpoint)
    seed_refresh(aws.endpoint)  # the refresh DAGs' clusters, SQL scripts and machines
    steps.done(f"accounts {', '.join(_accounts())}")
    signals.check()
    # The DR drills act on the dr-platform stack: applied in the background (about 2 minutes).
    with open(DEMO_DIR / "dr-platform-apply.log", "wb") as drill_log:
        # drill_aurora: the drill_stack apply, then the Aurora global database the Aurora drills need
        drill_stack = subprocess.Popen([sys.executable, "-m", "platform_ops.local.drill_aurora", aws.endpoint],
                                       stdout=drill_log, stderr=subprocess.STDOUT, preexec_fn=_default_signals)  # fmt: skip
    started.processes.known.add(drill_stack.pid)
    steps.begin("migrating the Airflow database")
    api_port = int(os.environ.get("DEMO_API_PORT") or 0) or (8080 if _port_free(8080) else free_port())
    env = airflow_environment(aws.endpoint, api_port)
    env_file = write_env_file(env, aws.endpoint)
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True,
                   stdout=subprocess.DEVNULL, preexec_fn=_default_signals)  # fmt: skip
    for name, (slots, description) in POOLS.items():
        subprocess.run([sys.executable, "-m", "airflow", "pools", "set", name, str(slots), description,
                        "--include-deferred"], env=env, check=True, stdout=subprocess.DEVNULL,
                       preexec_fn=_default_signals)  # fmt: skip
    steps.done("SQLite, pools set")
    signals.check()
    steps.begin("starting Airflow standalone")
    with open(DEMO_DIR / "airflow.log", "ab") as log:
        airflow = started.airflow = subprocess.Popen(
            [str(Path(sys.executable).parent / "airflow"), "standalone"],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=_default_signals,
        )  # fmt: skip
    started.processes.known.add(airflow.pid)
    url = f"http://{HOST}:{api_port}"

    def progress(elapsed: float) -> None:
        up = _parts_running(started.processes)
        waiting = [part for part in STANDALONE_PARTS if part not in up]
        _say(
            f"      {elapsed:.0f} s: {', '.join(up) or 'nothing'} up"
            f"{'; waiting for ' + ', '.join(waiting) if waiting else '; waiting for the API to answer'}"
        )

    _wait_healthy(f"{url}/api/v2/monitor/health", airflow, signals, progress=progress)
    steps.done(url)
    passwords = Path(env["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated"
    _say(
        f"\nReady in {steps.total():.0f} s. Airflow UI: {url}  (user admin; password in {_shown(passwords)})\n"
        "DAGs start paused. Unpausing a scheduled one (sox_pg01_monthly, terraform_drift) starts one run "
        "for its latest schedule time at once; a manual run waits for it.\n"
        f"Another shell: source {_shown(env_file)} && airflow dags test terraform_apply "
        '-c \'{"stack": "platform-core"}\'  (approve it under Required Actions in the UI)\n'
        "  and the local AWS, one profile per account: aws --profile dev s3 ls\n"
        f"DR drill: dr-platform is being applied in the background ({_shown(DEMO_DIR)}/dr-platform-apply.log, about "
        "2 minutes); then, outside the month-end close, trigger dr_chaos_nat_quarterly (or: airflow dags test "
        "dr_chaos_nat_quarterly 2027-01-12T10:00:00+00:00) and approve it; its report.html is in the artifacts bucket.\n"
        "Aurora drills (after the apply log's last line): airflow dags test dr_aurora_switchover_semiannual "
        "2027-03-03T10:00:00+00:00 -c '{\"hold_seconds\": 5}', and dr_region_loss_yearly 2027-11-10T10:00:00+00:00 "
        "-c '{\"hold_seconds\": 5}' (approve each; reports next to the NAT drill's; from the UI, a run outside their "
        "blocked windows).\n"
        "Refresh: trigger refresh_staging (or refresh_dev) from the UI; stg-aurora ends on masked production data "
        "(try dry_run first).\n"
        f"Logs: {_shown(DEMO_DIR)}/airflow.log and local-aws.log. Ctrl-C stops everything."
    )
    started.step = "running Airflow standalone"
    while (code := airflow.poll()) is None:
        started.processes.scan()  # learns the leaders of groups and sessions while they run
        time.sleep(5)
    signals.check()
    _say(f"airflow standalone exited by itself (code {code}); see {_shown(DEMO_DIR)}/airflow.log", err=True)
    return 1


def _shutdown(started: _Started, signals: _Signals) -> list[psutil.Process]:
    """Stop Airflow, then the local AWS, then anything else of this run; never raises."""
    aws, airflow = started.aws, started.airflow
    _say("stopping Airflow and the local AWS..." if airflow is not None else "stopping the local AWS...")
    moto_pid = aws.process.pid if aws is not None and aws.process is not None else None
    left: list[psutil.Process] = []
    try:
        left = stop_tree(started.processes, airflow, signals, spare=lambda pid: pid == moto_pid)
    except Exception as exc:  # a failing step must not skip the next
        _say(f"stopping Airflow: {type(exc).__name__}: {exc}", err=True)
    try:
        if aws is not None:
            aws.stop()
    except Exception as exc:
        _say(f"stopping the local AWS: {type(exc).__name__}: {exc}", err=True)
    try:  # the local AWS if it did not stop, and whatever a failed step above left
        left = stop_tree(started.processes, None, signals, grace=0 if signals.hurry else KILL_WAIT)
    except Exception as exc:
        _say(f"stopping what is left: {type(exc).__name__}: {exc}", err=True)
    if started.aws_log is not None:
        started.aws_log.close()
    return left


def _parts_running(processes: ProcessTree) -> list[str]:
    """Which of standalone's components run now (``airflow scheduler``, ...), in start order."""
    lines = {" ".join(_quiet(proc.cmdline, [])).replace("_", "-") for proc in processes.scan()}
    return [part for part in STANDALONE_PARTS if any(f"airflow {part}" in line for line in lines)]


def _name(proc: psutil.Process) -> str:
    try:
        return " ".join(proc.cmdline()[:4])
    except psutil.Error:
        return "?"


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
