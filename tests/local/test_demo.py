"""`make demo` for real: the UI answers with every DAG loaded, and every way out leaves nothing behind.

Each run carries a unique ``PLATFORM_OPS_DEMO_RUN_ID``; its tree is every process whose environment
holds it, plus their children and the members of their process groups and sessions (see
``tests.local.proctree``), so re-parented or re-sessioned processes count too. The ``demo``
fixture SIGKILLs whatever is left of the tree when a test ends, failed or not.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest
from platform_ops.local.demo import RUN_ID_VAR
from platform_ops.local.server import HOST, free_port
from platform_ops.registry import DEFAULT_REGISTRY, REPO_ROOT

from tests.local.proctree import ProcessTree, cmdline, describe, ignored_signals, listening_sockets
from tests.waiting import wait_until

LOG_SERVER_PORTS = {8793, 8794}  # serve-logs of the scheduler and of the triggerer (Airflow defaults)
DAG_IDS = {p.stem for p in (REPO_ROOT / "dags").glob("*.py") if not p.name.startswith("_")}
READY_LINE = "Ctrl-C stops everything"
# Generous: standalone takes about a minute on an idle 2-core machine, several on a loaded one.
START_TIMEOUT = 480  # the demo gives up by itself after 300 s without an answer from Airflow
DAGS_TIMEOUT = 300
STOP_TIMEOUT = 240  # the demo's own bound is about a minute (SIGTERM grace, then SIGKILL)
GONE_TIMEOUT = 60  # after the demo exited: its cleanup is done, the kernel only has to catch up


def _background_job() -> None:
    """What a non-interactive shell does for `cmd &`: SIGINT and SIGQUIT ignored at exec."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGQUIT, signal.SIG_IGN)


class Demo:
    """One `python -m platform_ops.local.demo` run, its output in a file (a pipe nobody reads blocks)."""

    def __init__(self, tmp_path: Path):
        self.dir = tmp_path
        self.run_id = uuid.uuid4().hex
        self.port = free_port()
        self.out = tmp_path / "demo.out"
        self.process: subprocess.Popen | None = None
        self.processes = ProcessTree(RUN_ID_VAR, self.run_id)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        self.env.update(
            {
                "PLATFORM_OPS_DEMO_DIR": str(tmp_path / "demo"),
                "DEMO_API_PORT": str(self.port),
                "PYTHONUNBUFFERED": "1",
                RUN_ID_VAR: self.run_id,
            }
        )

    def start(self, preexec_fn=None) -> None:
        with open(self.out, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "platform_ops.local.demo"],
                env=self.env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=preexec_fn,
            )  # fmt: skip

    def output(self) -> str:
        return self.out.read_text(errors="replace")

    def tree(self) -> list[int]:
        return self.processes.pids()

    def wait_ready(self) -> str:
        def ready() -> str | None:
            text = self.output()
            self.tree()  # learn the group and session leaders while they run
            if READY_LINE in text:
                return text
            assert self.process.poll() is None, (
                f"demo exited ({self.process.returncode}) before ready:\n{text}"
            )
            return None

        return wait_until(ready, f"the demo to print {READY_LINE!r}", START_TIMEOUT, interval=0.5)

    def wait_exit(self) -> int:
        def exited() -> bool:
            self.tree()  # learn the group and session leaders while they run
            return self.process.poll() is not None

        wait_until(exited, "the demo to exit", STOP_TIMEOUT)
        return self.process.returncode

    def assert_nothing_left(self) -> None:
        try:
            wait_until(lambda: not self.tree(), "no process of the demo's tree to be left", GONE_TIMEOUT)
        except AssertionError as exc:
            raise AssertionError(f"{exc}:\n{describe(self.tree())}\ndemo output:\n{self.output()}") from None

    def stop_and_assert_clean(self, sig: int, group: bool) -> str:
        tree = self.tree()
        assert len(tree) > 3, f"expected moto, standalone, api-server, scheduler, ...:\n{describe(tree)}"
        (os.killpg if group else os.kill)(self.process.pid, sig)
        code = self.wait_exit()
        output = self.output()
        assert code == 0, f"demo exited {code} after {signal.Signals(sig).name}:\n{output}"
        assert f"{signal.Signals(sig).name} received" in output, output
        self.assert_nothing_left()
        return output


@pytest.fixture
def demo(tmp_path):
    run = Demo(tmp_path)
    try:
        yield run
    finally:
        left = run.processes.kill_all()
        if run.process is not None:
            run.process.kill()
            run.process.wait()
        assert not left, f"SIGKILL did not clear the demo's tree:\n{describe(left)}"


def _get(url: str, token: str | None = None, data: dict | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = None if data is None else json.dumps(data).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers), timeout=30) as resp:
        return json.loads(resp.read())


def _leave_a_previous_run(demo_dir: Path) -> list[Path]:
    """What an earlier demo would have left: a database, an env file. All must be gone."""
    stale = [demo_dir / "airflow" / "airflow.db", demo_dir / "airflow" / "stale-marker", demo_dir / "env.sh"]
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("left by a previous run\n")
    return stale


def _in_env_shell(env_file: Path, code: str) -> str:
    """Run python ``code`` in a clean shell that sourced env.sh (what the README tells a user)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AIRFLOW", "PLATFORM_OPS_"))}
    result = subprocess.run(
        ["bash", "-c", f'source {shlex.quote(str(env_file))} && python -c "$CODE"'],
        env={**clean, "CODE": code}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _assert_env_file_reaches_every_account(env_file: Path) -> None:
    text = env_file.read_text()
    assert "export AWS_ENDPOINT_URL=" in text and "export AWS_ACCESS_KEY_ID" not in text, text
    reg = json.loads(DEFAULT_REGISTRY.read_text())
    accounts = {name: a["account_id"] for name, a in reg["accounts"].items()}
    code = (
        "import boto3, json; print(json.dumps({p: boto3.Session(profile_name=p).client('sts')"
        f".get_caller_identity()['Account'] for p in {sorted(accounts)!r}}}))"
    )
    assert json.loads(_in_env_shell(env_file, code)) == accounts
    # No profile named: AWS_PROFILE, the artifacts account, whose bucket the seeding made.
    buckets = _in_env_shell(env_file, "import boto3; print([b['Name'] for b in boto3.client('s3').list_buckets()['Buckets']])")
    assert reg["artifacts"]["bucket"] in buckets, buckets
    dev = _in_env_shell(env_file, "import boto3; print([b['Name'] for b in boto3.Session(profile_name='dev').client('s3').list_buckets()['Buckets']])")
    dev_state = f"{reg['terraform']['state']['bucket_prefix']}-{accounts['dev']}"
    assert dev_state in dev and reg["artifacts"]["bucket"] not in dev, dev
    # The README's AWS CLI command, where a working CLI is installed (it is not a dependency).
    cli = f"source {shlex.quote(str(env_file))} && aws --version && aws --profile dev s3 ls"
    listed = subprocess.run(["bash", "-c", cli], capture_output=True, text=True, timeout=120)
    if "aws-cli/" in listed.stdout + listed.stderr:
        assert listed.returncode == 0 and dev_state in listed.stdout, listed
    # The SOX DAG polls the double every few seconds in the demo.
    sox_config = _in_env_shell(env_file, "import os; print(os.environ['PLATFORM_OPS_SOX_CONFIG'])")
    assert json.loads(Path(sox_config).read_text())["ecs"]["waiter_delay_seconds"] <= 5


def test_background_job_serves_the_ui_and_sigint_stops_every_process(demo):
    """Started as `make demo &` would be (SIGINT ignored at exec): the UI works and SIGINT stops it all."""
    stale = _leave_a_previous_run(demo.dir / "demo")
    demo.start(preexec_fn=_background_job)
    output = demo.wait_ready()
    url = f"http://{HOST}:{demo.port}"
    assert f"Airflow UI: {url}" in output, output
    assert "fresh start" in output and not (demo.dir / "demo" / "airflow" / "stale-marker").exists(), output
    assert all(p.read_bytes() != b"left by a previous run\n" for p in stale if p.exists()), output
    for step in ("[1/4] starting the local AWS", "[2/4] seeding", "[3/4] migrating", "[4/4] starting Airflow"):
        assert step in output, output
    assert output.count("done in ") == 4 and "Ready in " in output and "about 20 s" not in output, output
    assert "aws --profile dev s3 ls" in output, output
    assert "simple_auth_manager_passwords.json.generated" in output
    password = json.loads(
        (demo.dir / "demo" / "airflow" / "simple_auth_manager_passwords.json.generated").read_text()
    )
    token = _get(f"{url}/auth/token", data={"username": "admin", "password": password["admin"]})[
        "access_token"
    ]

    def all_dags_loaded() -> bool:  # the dag-processor parses dags/ shortly after start
        return DAG_IDS <= {d["dag_id"] for d in _get(f"{url}/api/v2/dags?limit=1000", token)["dags"]}

    wait_until(all_dags_loaded, f"every DAG of dags/ to be loaded: {sorted(DAG_IDS)}", DAGS_TIMEOUT, interval=2)

    # Loopback only: every socket the demo's tree listens on, the log servers' included.
    sockets = listening_sockets(demo.tree())
    assert {port for _, _, port in sockets} >= {demo.port, *LOG_SERVER_PORTS}, sockets
    exposed = [(pid, cmdline(pid), addr, port) for pid, addr, port in sockets if addr != HOST]
    assert not exposed, f"listening beyond {HOST}: {exposed}"
    _assert_env_file_reaches_every_account(demo.dir / "demo" / "env.sh")

    standalone = [pid for pid in demo.tree() if cmdline(pid).endswith("airflow standalone")]
    assert standalone, describe(demo.tree())
    ignored = ignored_signals(standalone[0])
    assert not ignored & {signal.SIGINT, signal.SIGQUIT}, f"standalone ignores {ignored}"

    demo.stop_and_assert_clean(signal.SIGINT, group=True)  # what `kill -INT %1` sends to the job


def test_sigterm_to_the_demo_alone_stops_every_process(demo):
    """A service manager or `kill PID` signals the demo only; standalone runs in its own session."""
    demo.start()
    demo.wait_ready()
    demo.stop_and_assert_clean(signal.SIGTERM, group=False)


def test_seeding_failure_exits_non_zero_and_leaves_nothing(demo):
    """The artifacts bucket named like an account's state bucket: S3 names are global, seeding fails."""
    raw = json.loads(DEFAULT_REGISTRY.read_text())
    artifacts_account = raw["artifacts"]["account"]
    other = next(s["account"] for s in raw["stacks"].values() if s["account"] != artifacts_account)
    prefix = raw["terraform"]["state"]["bucket_prefix"]
    raw["artifacts"]["bucket"] = f"{prefix}-{raw['accounts'][other]['account_id']}"
    registry_file = demo.dir / "registry.json"
    registry_file.write_text(json.dumps(raw))
    demo.env["PLATFORM_OPS_REGISTRY"] = str(registry_file)

    demo.start()
    code = demo.wait_exit()
    output = demo.output()
    assert code == 1, f"demo exited {code}:\n{output}"
    assert "demo failed while seeding the local AWS" in output, output
    assert "BucketAlreadyExists" in output, output
    assert "Airflow UI" not in output and not (demo.dir / "demo" / "airflow.log").exists(), output
    demo.assert_nothing_left()
