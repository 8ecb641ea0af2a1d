"""fmt and validate of every module, example and stack under terraform/, with the real AWS provider.

`terraform validate` runs the real terraform binary against the image's hashicorp/aws mirror
(found at run time), so attribute names and required arguments are checked against the provider's
own schema. No registry is ever contacted (the CLI config excludes it).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from platform_ops.terraform.cli import TerraformCli
from platform_ops.terraform.tooling import offline_env

REPO = Path(__file__).resolve().parents[2]
ALL_ROOTS = sorted(
    {p.parent for p in (REPO / "terraform").rglob("*.tf") if ".terraform" not in p.parts},
    key=lambda p: str(p),
)


def _needs_aliased_providers(root: Path) -> bool:
    """A module declaring configuration_aliases cannot be validated alone (terraform needs the
    caller to pass the aliased provider); it is validated through its examples/ roots instead."""
    return any("configuration_aliases" in tf.read_text() for tf in root.glob("*.tf"))


ROOTS = [r for r in ALL_ROOTS if not _needs_aliased_providers(r)]


def test_terraform_fmt_is_clean(tmp_path):
    cli = TerraformCli(REPO / "terraform", offline_env(tmp_path))
    assert cli.fmt_check() == [], "run `terraform fmt -recursive terraform/`"


def test_every_root_is_covered():
    names = {str(p.relative_to(REPO)) for p in ROOTS}
    assert "terraform/stacks/platform-core" in names
    refresh = ("production", "staging", "dev", "shared-services")
    assert {f"terraform/stacks/refresh-{env}" for env in refresh} <= names, "refresh stacks are validated too"
    for root in ALL_ROOTS:
        if root not in ROOTS:
            examples = list((root / "examples").glob("*/*.tf"))
            assert examples, f"{root.relative_to(REPO)} needs aliased providers: give it an examples/ root"


@pytest.mark.parametrize("root", ROOTS, ids=lambda p: str(p.relative_to(REPO / "terraform")))
def test_validate_with_aws_provider(root, tmp_path):
    work = tmp_path / "terraform"
    shutil.copytree(REPO / "terraform", work, ignore=shutil.ignore_patterns(".terraform"))
    target = work / root.relative_to(REPO / "terraform")
    cli = TerraformCli(target, offline_env(tmp_path / "cli"))
    cli.init(backend=False)
    result = cli.validate()
    problems = [f"{d['severity']}: {d['summary']} {d.get('detail', '')}" for d in result["diagnostics"]]
    assert result["valid"], "\n".join(problems)
