"""The terraform runner against the real terraform binary, one test per python-terraform bug.

The configs use only Terraform's built-in ``terraform_data`` resource, so these tests need the
binary but no provider; the offline CLI config is still in force (a registry is never contacted).
"""

from __future__ import annotations

import io
import logging
import os
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import pytest
from platform_ops.terraform.cli import TerraformCli, TerraformError, TerraformTimeout
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


def make_cli(tmp_path: Path, config: str = CONFIG, **kwargs) -> TerraformCli:
    work = tmp_path / "work"
    work.mkdir()
    (work / "main.tf").write_text(config)
    cli = TerraformCli(work, offline_env(tmp_path / "cli"), **kwargs)
    cli.init(backend=False)
    return cli


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


def test_bug4_apply_never_prompts(cli):
    start = time.monotonic()
    with pytest.raises(TerraformError, match="apply failed"):
        cli.apply_plan("no-such-plan")
    assert time.monotonic() - start < 30


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


def test_bug8_concurrent_plans_with_variables(cli):
    errors: list[BaseException] = []

    def plan(i: int) -> None:
        try:
            # one workdir means one state lock: the plans queue on it instead of failing
            cli.plan(f"plan{i}", variables={"greeting": f"g{i}"}, lock_timeout="120s")
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=plan, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for i in range(6):  # each plan got its own variables, none another thread's
        after = cli.show_json(f"plan{i}")["resource_changes"][0]["change"]["after"]["input"]
        assert after == f"g{i}"


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


SLOW_CONFIG = """
resource "terraform_data" "slow" {
  provisioner "local-exec" {
    command = "echo started; sleep 60"
  }
}
"""


def test_bug12_timeout_interrupts_and_output_streams(tmp_path, caplog):
    cli = make_cli(tmp_path, SLOW_CONFIG, timeout=8, kill_grace_seconds=10)
    cli.plan("tfplan")
    start = time.monotonic()
    with caplog.at_level(logging.INFO, logger="platform_ops.terraform.cli"):
        with pytest.raises(TerraformTimeout, match="did not finish within 8s"):
            cli.apply_plan("tfplan")
    assert time.monotonic() - start < 40
    assert "started" in caplog.text  # lines reached the log while the command was still running


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
