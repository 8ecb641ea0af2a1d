"""Build the refresh helper Lambdas' zips (``lambdas/<name>/``) reproducibly.

Run ``python -m platform_ops.refresh.lambda_package [--out build/lambdas]``. Each zip holds the
function's ``handler.py`` and, vendored next to it, the packages of its ``requirements.txt``
(``pymysql`` for ``run_sql``), installed from the package index with pip at exactly the version
pinned there. ``pyproject.toml`` pins the same version for the tests; the build refuses a
``requirements.txt`` whose pin differs from it, so the Lambda never runs another driver than the
one the tests used.

Same inputs, same bytes: entries are sorted, every timestamp is fixed (1980-01-01, the zip
epoch), permissions are normalised and no bytecode is written. Terraform therefore sees the same
``filebase64sha256`` on every build, and ``terraform plan`` shows no code change unless a source or
a pin changed. The offline provider mirror holds only ``hashicorp/aws`` (no ``archive`` provider),
which is why the zips are built here and handed to Terraform by path and hash.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
LAMBDAS = ("run_sql", "get_efs_subpath", "check_flag_file")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_PIN = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*==\s*([^\s;#]+)")


class PackageError(RuntimeError):
    """A Lambda cannot be packaged as pinned."""


def requirements(source: Path) -> list[str]:
    """``name==version`` lines of ``source/requirements.txt`` (comments and blanks dropped)."""
    path = source / "requirements.txt"
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if not _PIN.match(line):
            raise PackageError(
                f"{path}: {line!r} is not pinned with == (a reproducible zip needs exact pins)"
            )
        out.append(line)
    return out


def project_pins(pyproject: Path = REPO_ROOT / "pyproject.toml") -> dict[str, str]:
    """``{normalised name: version}`` of every ``==`` pin in pyproject.toml's dependencies."""
    data = tomllib.loads(pyproject.read_text())
    project = data.get("project", {})
    lines = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        lines.extend(extra)
    pins = {}
    for line in lines:
        match = _PIN.match(line)
        if match:
            pins[_normalise(match.group(1).split("[")[0])] = match.group(2)
    return pins


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def check_pins(name: str, pins: list[str], project: dict[str, str]) -> None:
    for line in pins:
        match = _PIN.match(line)
        package, version = _normalise(match.group(1)), match.group(2)
        if project.get(package) != version:
            raise PackageError(
                f"lambdas/{name}/requirements.txt pins {package}=={version} but pyproject.toml pins "
                f"{project.get(package, 'nothing')}: align them (the tests run the pyproject version)"
            )


def _vendor(pins: list[str], target: Path) -> None:
    """pip-install the pinned wheels (no dependencies, no bytecode) into ``target``."""
    if not pins:
        return
    cmd = [
        sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile",
        "--only-binary=:all:", "--target", str(target), *pins,
    ]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise PackageError(f"pip could not vendor {pins}: {result.stderr[-2000:]}")


def write_zip(tree: Path, zip_path: Path) -> None:
    """Zip every file under ``tree`` in sorted order with fixed timestamps and modes."""
    files = sorted(
        (p for p in tree.rglob("*") if p.is_file() and "__pycache__" not in p.parts),
        key=lambda p: p.relative_to(tree).as_posix(),
    )
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    partial = zip_path.with_name(f".{zip_path.name}.{os.getpid()}.partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(tree).as_posix(), date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3  # unix, so the mode above is read as such
            archive.writestr(info, path.read_bytes())
    os.replace(partial, zip_path)  # a concurrent build or a plan never sees half a zip


def build(name: str, out_dir: Path, lambdas_dir: Path = REPO_ROOT / "lambdas") -> Path:
    """Build ``<out_dir>/<name>.zip`` from ``lambdas/<name>/``; returns its path."""
    source = lambdas_dir / name
    if not (source / "handler.py").exists():
        raise PackageError(f"{source} has no handler.py")
    pins = requirements(source)
    check_pins(name, pins, project_pins())
    with tempfile.TemporaryDirectory(prefix=f"lambda-{name}-") as work:
        tree = Path(work) / "tree"
        tree.mkdir()
        (tree / "handler.py").write_bytes((source / "handler.py").read_bytes())
        _vendor(pins, tree)
        zip_path = out_dir / f"{name}.zip"
        write_zip(tree, zip_path)
    return zip_path


def filebase64sha256(path: Path) -> str:
    """What Terraform's ``filebase64sha256()`` returns for ``path`` (the module's source_code_hash)."""
    return base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "build" / "lambdas", help="output directory")
    parser.add_argument("names", nargs="*", default=list(LAMBDAS), help="Lambdas to build (default: all)")
    args = parser.parse_args(argv)
    for name in args.names:
        path = build(name, args.out)
        print(f"{path}  filebase64sha256={filebase64sha256(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
