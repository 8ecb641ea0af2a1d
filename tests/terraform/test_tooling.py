"""Tool discovery fails with what is missing and how to get it; nothing reaches a registry."""

from __future__ import annotations

import pytest
from platform_ops.terraform import tooling
from platform_ops.terraform.cli import TerraformCli, TerraformError, TerraformTimeout


def test_missing_terraform_says_how_to_get_it(monkeypatch):
    monkeypatch.delenv(tooling.BINARY_ENV, raising=False)
    monkeypatch.setenv("PATH", "")
    with pytest.raises(tooling.TerraformToolingError, match="terraform is not on PATH. Install Terraform"):
        tooling.find_terraform()


def test_mirror_env_pointing_at_nothing_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv(tooling.MIRROR_ENV, str(tmp_path))
    with pytest.raises(tooling.TerraformToolingError, match="expected a terraform provider mirror"):
        tooling.find_provider_mirror()


def test_no_mirror_anywhere_says_how_to_make_one(monkeypatch, tmp_path):
    monkeypatch.delenv(tooling.MIRROR_ENV, raising=False)
    monkeypatch.setattr(tooling, "_CACHE_FILE", tmp_path / "cache")
    monkeypatch.setattr(tooling, "_search_filesystem", lambda: None)
    with pytest.raises(tooling.TerraformToolingError, match="terraform providers mirror"):
        tooling.find_provider_mirror()


def test_the_image_mirror_is_found_and_holds_aws():
    mirror = tooling.find_provider_mirror()
    assert list(mirror.glob("registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws_*"))


def test_offline_env_sets_automation_flags_and_drops_caller_vars(tmp_path, monkeypatch):
    monkeypatch.setenv("TF_VAR_region", "mars-1")
    env = tooling.offline_env(tmp_path)
    assert env["CHECKPOINT_DISABLE"] == "1" and env["TF_IN_AUTOMATION"] == "1" and env["TF_INPUT"] == "0"
    assert "TF_VAR_region" not in env
    config = (tmp_path / "terraform.rc").read_text()
    assert 'exclude = ["registry.terraform.io/*/*"]' in config


def test_a_provider_outside_the_mirror_fails_fast_without_network(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "main.tf").write_text(
        'terraform {\n  required_providers {\n    random = { source = "hashicorp/random" }\n  }\n}\n'
    )
    # Waiting on a registry would end in the runner's timeout (TerraformTimeout, another message).
    cli = TerraformCli(work, tooling.offline_env(tmp_path / "cli"), timeout=300)
    with pytest.raises(TerraformError, match="Failed to query available provider packages") as failed:
        cli.init(backend=False)
    assert not isinstance(failed.value, TerraformTimeout)
    assert "could not connect to registry.terraform.io" not in failed.value.output
