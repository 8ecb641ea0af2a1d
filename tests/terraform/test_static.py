"""fmt and validate of every module, example and stack under terraform/, with the real AWS provider.

`terraform validate` runs the real terraform binary against the image's hashicorp/aws mirror
(found at run time), so attribute names and required arguments are checked against the provider's
own schema. No registry is ever contacted (the CLI config excludes it).
"""

from __future__ import annotations

import re
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


_LOCAL_SOURCE = re.compile(r'^\s*source\s*=\s*"(\.\.?/[^"]*)"', re.MULTILINE)


def _called_modules(root: Path) -> set[Path]:
    """The local module directories ``root`` calls, directly or through the modules it calls."""
    called: set[Path] = set()
    pending = [root]
    while pending:
        here = pending.pop()
        for tf in here.glob("*.tf"):
            for source in _LOCAL_SOURCE.findall(tf.read_text()):
                module = (here / source).resolve()
                if module not in called:
                    called.add(module)
                    pending.append(module)
    return called


def _is_module(root: Path) -> bool:
    parts = root.relative_to(REPO / "terraform").parts
    return parts[0] == "modules" and "examples" not in parts


# Entry points (stacks, examples) are validated; a module is validated alone only when no entry
# point calls it: validating a root validates every module it calls against the provider schema,
# so validating a called module again alone checked nothing more and cost ~5 s a module.
ENTRY_POINTS = [r for r in ALL_ROOTS if not _is_module(r)]
REACHED = set().union(*(_called_modules(r) for r in ENTRY_POINTS))
ROOTS = ENTRY_POINTS + [
    r for r in ALL_ROOTS if _is_module(r) and r.resolve() not in REACHED and not _needs_aliased_providers(r)
]


def test_terraform_fmt_is_clean(tmp_path):
    cli = TerraformCli(REPO / "terraform", offline_env(tmp_path))
    assert cli.fmt_check() == [], "run `terraform fmt -recursive terraform/`"


def test_every_root_is_covered():
    names = {str(p.relative_to(REPO)) for p in ROOTS}
    assert "terraform/stacks/platform-core" in names
    refresh = ("production", "destination", "shared-services")
    assert {f"terraform/stacks/refresh-{r}" for r in refresh} <= names, "refresh stacks are validated too"
    assert REPO / "terraform/modules/network" in REACHED | set(ROOTS), "the call graph reads module sources"
    for root in ALL_ROOTS:
        if _is_module(root):
            assert root in ROOTS or root.resolve() in REACHED, (
                f"{root.relative_to(REPO)} is neither validated nor called by a validated root: give it an examples/ root"
            )


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
