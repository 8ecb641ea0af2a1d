"""The terraform runner against the real terraform binary, one test per python-terraform bug.

The configs use only Terraform's built-in ``terraform_data`` resource, so these tests need the
binary but no provider; the offline CLI config is still in force (a registry is never contacted).

No test here depends on how fast the machine is: a wait polls a condition up to a generous
deadline and says what it waited for, and a process started by a test is stopped by it, also
when the test fails.
"""

from __future__ import annotations

import fcntl
import io
import logging
import os
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from platform_ops.terraform.cli import StateLockedError, TerraformCli, TerraformError, TerraformTimeout
from platform_ops.terraform.tooling import offline_env

CONFIG = """
variable "greeting" {
  type    = string
  default = "hello"
}

variable "secret" {
  type      = string
  default   = "none"
  sensitive = true
  validation {
    condition     = var.secret != "fail-me"
    error_message = "The secret must not be fail-me."
  }
}

resource "terraform_data" "this" {
  input = var.greeting
}

output "greeting" {
  value = terraform_data.this.output
}
"""


# Generous bounds for things that end on their own; reaching one is a failure that says what hung.
DEADLINE = 300


def make_cli(tmp_path: Path, config: str = CONFIG, name: str = "work", **kwargs) -> TerraformCli:
    work = tmp_path / name
    work.mkdir()
    (work / "main.tf").write_text(config)
    cli = TerraformCli(work, offline_env(tmp_path / "cli"), **kwargs)
    cli.init(backend=False)
    return cli


def wait_until(condition, what: str, deadline: float = DEADLINE, interval: float = 0.1) -> None:
    """Poll ``condition()`` until it is true; fail after ``deadline`` seconds, naming ``what``."""
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"waited {deadline:.0f}s for {what}")
        time.sleep(interval)


@pytest.fixture
def cli(tmp_path):
    return make_cli(tmp_path)


def test_bug1_saved_plan_applies_without_var_file(cli):
    assert cli.plan("tfplan", variables={"greeting": "bonjour"}) is True
    assert not any(a.startswith("-var-file") for a in cli.argv("apply", "tfplan", var=None))
    cli.apply_plan("tfplan")
    assert cli.output("greeting") == "bonjour"


def test_bug2_plan_exit_code_2_means_changes_not_error(cli):
    assert cli.plan("tfplan") is True
    cli.apply_plan("tfplan")
    assert cli.plan("tfplan2") is False


def test_bug3_destroy_works_on_modern_terraform(cli):
    cli.plan("tfplan")
    cli.apply_plan("tfplan")
    assert "-force" not in cli.argv("destroy", force=None)
    cli.destroy()
    assert cli.state_resources() == []


def test_bug4_apply_never_prompts(tmp_path):
    # A prompt would block on stdin until the runner's timeout: the error must be apply's own.
    cli = make_cli(tmp_path, timeout=DEADLINE)
    with pytest.raises(TerraformError, match="apply failed") as failed:
        cli.apply_plan("no-such-plan")
    assert not isinstance(failed.value, TerraformTimeout)


def test_bug5_output_by_name(cli):
    cli.plan("tfplan", variables={"greeting": "hej"})
    cli.apply_plan("tfplan")
    assert cli.output() == {"greeting": "hej"}
    assert cli.output("greeting") == "hej"
    with pytest.raises(TerraformError, match="no output named 'nope'"):
        cli.output("nope")


def test_bug6_init_gets_no_state_or_parallelism(tmp_path):
    cli = make_cli(tmp_path)
    argv = cli.argv("init", input=False, backend=False)
    assert not any(a.startswith(("-state", "-parallelism")) for a in argv)
    assert cli.plan("tfplan", parallelism=2) is True


def test_bug7_runs_in_its_workdir_from_anywhere(tmp_path, monkeypatch):
    cli = make_cli(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert cli.plan("tfplan") is True
    assert (cli.workdir / "tfplan").exists() and not (elsewhere / "tfplan").exists()


def test_bug8_concurrent_plans_with_variables(tmp_path):
    """Six plans at once, each with its own variables, and none sees another's.

    The race under test is the runner's (private var files, one argv builder per call), so each
    plan has its own working directory and state: plans sharing one local state would race on
    terraform's own state lock instead (see test_local_lock_taken_before_its_info_is_retried).
    """
    clis = [make_cli(tmp_path, name=f"work{i}") for i in range(6)]
    start = threading.Barrier(len(clis), timeout=DEADLINE)
    errors: list[BaseException] = []

    def plan(i: int) -> None:
        try:
            start.wait()  # every var file is written while the others exist
            clis[i].plan(f"plan{i}", variables={"greeting": f"g{i}"})
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=plan, args=(i,)) for i in range(len(clis))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DEADLINE)
    assert not [t for t in threads if t.is_alive()], f"a plan was still running after {DEADLINE}s"
    assert errors == []
    for i, cli in enumerate(clis):  # each plan got its own variables, none another thread's
        after = cli.show_json(f"plan{i}")["resource_changes"][0]["change"]["after"]["input"]
        assert after == f"g{i}"


@contextmanager
def local_state_lock(workdir: Path, holder: str | None = None) -> Iterator[Callable[[], None]]:
    """Hold terraform's local state lock (an fcntl lock on the state file) from this process.

    With ``holder``, the lock info terraform reads is written too; without, the lock is caught in
    the instant after another terraform took it. Yields a function that releases the lock.
    """
    state = workdir / "terraform.tfstate"
    state.touch()
    handle = state.open("r+")
    fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    info = workdir / ".terraform.tfstate.lock.info"
    if holder:
        info.write_text(
            f'{{"ID": "5f0c1d2e", "Operation": "OperationTypeApply", "Who": "{holder}", '
            f'"Version": "1.11.4", "Created": "2026-11-23T08:00:00Z", "Path": "terraform.tfstate"}}'
        )

    def release() -> None:
        if not handle.closed:
            info.unlink(missing_ok=True)
            handle.close()  # closing the file drops the fcntl lock

    try:
        yield release
    finally:
        release()


class _OnRetry(logging.Handler):
    """Calls ``action`` when the runner logs a lock retry."""

    def __init__(self, action):
        super().__init__()
        self.action, self.retries = action, 0

    def emit(self, record):
        if "retrying in" in record.getMessage():
            self.retries += 1
            self.action()


def test_local_lock_taken_before_its_info_is_retried(tmp_path):
    cli = make_cli(tmp_path, lock_info_retry_delays=(0, 0, 0))
    with local_state_lock(cli.workdir) as release:
        handler = _OnRetry(release)  # the "other process" finishes while the runner waits
        cli.log.addHandler(handler)
        try:
            assert cli.plan("tfplan") is True
        finally:
            cli.log.removeHandler(handler)
    assert handler.retries == 1


def test_local_lock_retries_are_bounded(tmp_path):
    cli = make_cli(tmp_path, lock_info_retry_delays=(0, 0))
    handler = _OnRetry(lambda: None)
    cli.log.addHandler(handler)
    try:
        with local_state_lock(cli.workdir), pytest.raises(StateLockedError, match="after 2 retries"):
            cli.plan("tfplan")
    finally:
        cli.log.removeHandler(handler)
    assert handler.retries == 2


def test_a_held_local_lock_is_not_retried(tmp_path):
    cli = make_cli(tmp_path, lock_info_retry_delays=(0, 0))
    handler = _OnRetry(lambda: None)
    cli.log.addHandler(handler)
    try:
        with local_state_lock(cli.workdir, holder="alice@laptop"):
            with pytest.raises(StateLockedError, match="Who=alice@laptop") as locked:
                cli.plan("tfplan")
    finally:
        cli.log.removeHandler(handler)
    assert "retr" not in str(locked.value) and handler.retries == 0


class _NoFileno(io.TextIOBase):
    """Like Airflow's task log writer: writable, but no file descriptor."""

    def write(self, text):
        return len(text)

    def fileno(self):
        raise io.UnsupportedOperation("fileno")


def test_bug9_output_is_captured_and_logged_without_fileno(cli, monkeypatch, caplog):
    monkeypatch.setattr(sys, "stdout", _NoFileno())
    monkeypatch.setattr(sys, "stderr", _NoFileno())
    with caplog.at_level(logging.INFO, logger="platform_ops.terraform.cli"):
        cli.plan("tfplan")
    assert any("Plan: 1 to add" in r.getMessage() for r in caplog.records)


def test_bug10_var_file_removed_and_secret_never_logged_on_error(cli, caplog):
    before = set(os.listdir(tempfile.gettempdir()))
    with warnings.catch_warnings(), caplog.at_level(logging.INFO, logger="platform_ops.terraform.cli"):
        warnings.simplefilter("error")
        with pytest.raises(TerraformError, match="Invalid value for variable"):
            cli.plan("tfplan", variables={"secret": "fail-me"})
    new = set(os.listdir(tempfile.gettempdir())) - before
    assert not [n for n in new if "tfvars" in n], new
    assert "fail-me" not in caplog.text  # terraform echoes the value; the runner masks it
    assert "var.secret is \"***\"" in caplog.text


def test_bug11_no_synchronous_flag(cli):
    for command in ("init", "plan", "apply", "destroy", "output", "show"):
        assert not any("synchronous" in a for a in cli.argv(command))


# The provisioner records its shell's pid, says "started", then waits for a file the test writes.
BLOCKING_CONFIG = """
resource "terraform_data" "blocking" {
  provisioner "local-exec" {
    command = "echo $$ > provisioner.pid; echo started; while [ ! -e release ]; do sleep 0.2; done"
  }
}
"""


class _Seen(logging.Handler):
    """Sets ``event`` on the first log record that contains ``text``."""

    def __init__(self, text: str):
        super().__init__()
        self.text, self.event = text, threading.Event()

    def emit(self, record):
        if self.text in record.getMessage():
            self.event.set()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_bug12_output_streams_while_the_command_runs(tmp_path, caplog):
    cli = make_cli(tmp_path, BLOCKING_CONFIG, timeout=DEADLINE)
    cli.plan("tfplan")
    seen = _Seen("started")
    caplog.set_level(logging.INFO, logger=cli.log.name)
    cli.log.addHandler(seen)
    errors: list[BaseException] = []

    def apply() -> None:
        try:
            cli.apply_plan("tfplan")
        except BaseException as err:
            errors.append(err)

    applying = threading.Thread(target=apply)
    applying.start()
    try:
        assert seen.event.wait(DEADLINE), f"the provisioner's first line did not reach the log in {DEADLINE}s"
        # the provisioner cannot end before `release` exists: the line came while terraform ran
        assert applying.is_alive()
    finally:
        cli.log.removeHandler(seen)
        (cli.workdir / "release").touch()
        applying.join(timeout=DEADLINE)
    assert not applying.is_alive(), f"apply did not end within {DEADLINE}s of the release"
    assert errors == []


def test_bug12_timeout_interrupts_terraform_and_its_children(tmp_path):
    cli = make_cli(tmp_path, BLOCKING_CONFIG, timeout=5, kill_grace_seconds=30)
    cli.plan("tfplan")
    pid_file = cli.workdir / "provisioner.pid"
    try:
        with pytest.raises(TerraformTimeout, match="did not finish within 5s"):
            cli.apply_plan("tfplan")  # never released: only the runner's timeout can end it
        recorded = pid_file.read_text().strip() if pid_file.exists() else ""
        if recorded:  # terraform reached the provisioner before the timeout
            pid = int(recorded)
            wait_until(lambda: not _alive(pid), f"the provisioner's shell (pid {pid}) to be stopped")
    finally:
        (cli.workdir / "release").touch()  # a provisioner left behind by a failed test ends too


REMOTE_STATE_CONFIG = CONFIG + """
terraform {
  backend "local" {
    path = "state/elsewhere.tfstate"
  }
}
"""


def test_bug13_state_is_read_through_terraform_not_a_local_file(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "main.tf").write_text(REMOTE_STATE_CONFIG)
    cli = TerraformCli(work, offline_env(tmp_path / "cli"))
    cli.init()
    cli.plan("tfplan")
    cli.apply_plan("tfplan")
    assert not (work / "terraform.tfstate").exists()
    assert [r["address"] for r in cli.state_resources()] == ["terraform_data.this"]
