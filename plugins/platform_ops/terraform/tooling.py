"""Find the terraform binary and the AWS provider mirror; build an offline environment.

Nothing here downloads: Terraform is pointed at a local ``filesystem_mirror`` and every registry
is excluded, so a missing provider fails in a fraction of a second with a clear message instead
of hanging on the network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

MIRROR_ENV = "PLATFORM_OPS_TF_PROVIDER_MIRROR"
BINARY_ENV = "PLATFORM_OPS_TERRAFORM"
_PROVIDER_GLOB = "registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws_*"
_CACHE_FILE = Path.home() / ".cache" / "platform-ops" / "tf-provider-mirror"


class TerraformToolingError(RuntimeError):
    """terraform or the provider mirror is missing; the message says how to get it."""


def find_terraform() -> str:
    """The terraform binary: ``$PLATFORM_OPS_TERRAFORM`` or ``terraform`` on PATH."""
    explicit = os.environ.get(BINARY_ENV)
    if explicit:
        if not os.access(explicit, os.X_OK):
            raise TerraformToolingError(f"{BINARY_ENV}={explicit} is not an executable file")
        return explicit
    found = shutil.which("terraform")
    if not found:
        raise TerraformToolingError(
            "terraform is not on PATH. Install Terraform >= 1.5 (the machine image ships 1.11), "
            f"or set {BINARY_ENV} to the binary."
        )
    return found


def _is_mirror(root: Path) -> bool:
    return root.is_dir() and any(root.glob(_PROVIDER_GLOB))


def _search_filesystem(timeout: float = 900) -> Path | None:
    """One ``find`` over the local filesystem for a hashicorp/aws provider in mirror layout.

    It stops at the first match; ``timeout`` only bounds a filesystem that never ends (a loaded
    machine or several test workers searching at once take far longer than an idle one).
    """
    cmd = [
        "find", "/", "-xdev",
        "(", "-path", "/proc", "-o", "-path", "/sys", "-o", "-path", "/dev", ")", "-prune",
        "-o", "-path", "*/registry.terraform.io/hashicorp/aws/*/terraform-provider-aws_*", "-print", "-quit",
    ]  # fmt: skip
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    if not out:
        return None
    # <root>/registry.terraform.io/hashicorp/aws/<version>/<os_arch>/terraform-provider-aws_*
    return Path(out).parents[5]


def find_provider_mirror() -> Path:
    """Root of a provider mirror holding hashicorp/aws (``$PLATFORM_OPS_TF_PROVIDER_MIRROR`` first).

    The filesystem search runs once per machine; its answer is cached in the user's cache dir.
    """
    explicit = os.environ.get(MIRROR_ENV)
    if explicit:
        if not _is_mirror(Path(explicit)):
            raise TerraformToolingError(
                f"{MIRROR_ENV}={explicit} has no {_PROVIDER_GLOB} (expected a terraform provider mirror)"
            )
        return Path(explicit)
    if _CACHE_FILE.is_file():
        cached = Path(_CACHE_FILE.read_text().strip())
        if _is_mirror(cached):
            return cached
    found = _search_filesystem()
    if found is None or not _is_mirror(found):
        raise TerraformToolingError(
            "no hashicorp/aws provider mirror found on this machine. Create one with "
            "`terraform providers mirror <dir>` on a connected machine (or copy a "
            "registry.terraform.io/hashicorp/aws/<version>/<os_arch>/ tree) and set "
            f"{MIRROR_ENV}=<dir>."
        )
    _CACHE_FILE.parent.mkdir(parents=True, exist_ok=True)
    # Atomic: several processes (test workers) may search and write at once; none reads half a path.
    partial = _CACHE_FILE.with_name(f"{_CACHE_FILE.name}.{os.getpid()}.tmp")
    partial.write_text(str(found))
    os.replace(partial, _CACHE_FILE)
    return found


def write_cli_config(directory: Path, mirror: Path) -> Path:
    """An offline CLI config: providers from ``mirror`` only, every registry excluded.

    No ``plugin_cache_dir``: from an unpacked mirror, ``init`` already links the provider into
    ``.terraform`` instead of copying it, and takes about 1 s on the 2-core machine with or
    without a cache (measured); Terraform does not promise that a shared cache is safe for
    concurrent ``init`` runs, which the DAGs and the tests make.
    """
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "terraform.rc"
    path.write_text(
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f'    path    = "{mirror}"\n'
        '    include = ["registry.terraform.io/hashicorp/*"]\n'
        "  }\n"
        "  direct {\n"
        '    exclude = ["registry.terraform.io/*/*"]\n'
        "  }\n"
        "}\n"
        "disable_checkpoint = true\n"
    )
    return path


def offline_env(directory: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for a terraform process that never contacts a registry or HashiCorp."""
    env = dict(os.environ if base is None else base)
    for key in [k for k in env if k.startswith("TF_VAR_") or k in {"TF_CLI_ARGS", "TF_WORKSPACE"}]:
        env.pop(key)  # nothing from the caller's shell may change what gets planned
    env.update(
        {
            "TF_CLI_CONFIG_FILE": str(write_cli_config(directory, find_provider_mirror())),
            "CHECKPOINT_DISABLE": "1",
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
        }
    )
    return env
