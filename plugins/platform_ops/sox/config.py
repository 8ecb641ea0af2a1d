"""The PG-01 configuration file (companies, ECS and evidence settings), validated by a schema.

The file ships in the package (``pg01.json``); ``PLATFORM_OPS_SOX_CONFIG`` points at another one
(your real accounts, or a test's). The DAG reads it at parse time for the company list only.
``container_environment`` is for non-secret knobs (e.g. ``SCHEMA_VERSION_IPE_07``): anything that
looks like a credential is refused, because container overrides are visible in the ECS API and logs.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from platform_ops.jsonfile import load_validated_json
from platform_ops.sox.catalog import ITEMS

DEFAULT_CONFIG = Path(__file__).with_name("pg01.json")
COMPANY_CODE = r"^[A-Z]{2}_[A-Z]{2}$"

_NAME = {"type": "string", "minLength": 1}
CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["control", "account", "region", "ecs", "evidence", "readiness", "default_ipes", "companies"],
    "properties": {
        "account": _NAME,
        "region": {"type": "string", "pattern": "^[a-z]{2}-[a-z]+-[0-9]$"},
        "ecs": {
            "type": "object",
            "required": [
                "cluster", "task_definition", "container_name", "log_group", "log_stream_prefix",
                "network", "event_queue", "pool", "waiter_delay_seconds", "execution_timeout_minutes",
                "retries", "retry_delay_seconds",
            ],
            "properties": {
                "cluster": _NAME,
                "task_definition": {"type": "string", "pattern": "^[A-Za-z0-9_-]+(:[0-9]+)?$"},
                "container_name": _NAME,
                "log_group": _NAME,
                "log_stream_prefix": {"type": "string", "pattern": "^[^/]+$"},
                "network": {
                    "oneOf": [
                        {
                            "type": "object",
                            "required": ["ssm_parameter"],
                            "properties": {"ssm_parameter": {"type": "string", "pattern": "^/"}},
                            "additionalProperties": False,
                        },
                        {
                            "type": "object",
                            "required": ["subnets", "security_groups"],
                            "properties": {
                                "subnets": {"type": "array", "minItems": 1, "items": _NAME},
                                "security_groups": {"type": "array", "minItems": 1, "items": _NAME},
                            },
                            "additionalProperties": False,
                        },
                    ]
                },
                "event_queue": {
                    "oneOf": [
                        {
                            "type": "object",
                            "required": ["ssm_parameter"],
                            "properties": {"ssm_parameter": {"type": "string", "pattern": "^/"}},
                            "additionalProperties": False,
                        },
                        {
                            "type": "object",
                            "required": ["url"],
                            "properties": {"url": {"type": "string", "pattern": "^https?://[^/]+/.+"}},
                            "additionalProperties": False,
                        },
                    ]
                },
                "backstop_interval_seconds": {"type": "integer", "minimum": 1},
                "pool": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                "waiter_delay_seconds": {"type": "integer", "minimum": 1},
                "execution_timeout_minutes": {"type": "integer", "minimum": 1},
                "retries": {"type": "integer", "minimum": 0, "maximum": 5},
                "retry_delay_seconds": {"type": "integer", "minimum": 0},
                "max_retry_delay_seconds": {"type": "integer", "minimum": 0},
                "container_environment": {
                    "type": "object",
                    "propertyNames": {"pattern": "^[A-Z][A-Z0-9_]*$"},
                    "additionalProperties": {"type": "string"},
                },
            },
        },
        "evidence": {
            "type": "object",
            "required": ["bucket", "prefix"],
            "properties": {
                "bucket": {"type": "string", "pattern": "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"},
                "prefix": {"type": "string", "pattern": "^[A-Za-z0-9._/-]+[^/]$"},
            },
        },
        "readiness": {
            "type": "object",
            "required": ["min_run_day"],
            "properties": {"min_run_day": {"type": "integer", "minimum": 1, "maximum": 28}},
        },
        "verification": {
            "type": "object",
            "properties": {
                "quality_allow_list": {"type": "array", "items": {"enum": list(ITEMS)}},
                "contract_items": {"type": "array", "items": {"enum": list(ITEMS)}},
            },
        },
        "default_ipes": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"enum": list(ITEMS)}},
        "companies": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["code", "name", "scheduled"],
                "properties": {
                    "code": {"type": "string", "pattern": COMPANY_CODE},
                    "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
                    "name": _NAME,
                    "scheduled": {"type": "boolean"},
                },
            },
        },
    },
}  # fmt: skip

# Names and values that must never travel in container overrides.
_SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|CONNECTION_STRING|PWD|API_KEY)")
_SECRET_VALUE = re.compile(r"(?i)(\bpwd\s*=|\bpassword\s*=|uid\s*=.*;)")


class SoxConfigError(ValueError):
    """The PG-01 configuration file is missing, malformed or unsafe."""


@dataclass(frozen=True)
class SoxConfig:
    path: Path
    raw: dict[str, Any]

    @property
    def account(self) -> str:
        return self.raw["account"]

    @property
    def region(self) -> str:
        return self.raw["region"]

    @property
    def ecs(self) -> dict[str, Any]:
        return self.raw["ecs"]

    @property
    def bucket(self) -> str:
        return self.raw["evidence"]["bucket"]

    @property
    def prefix(self) -> str:
        return self.raw["evidence"]["prefix"]

    @property
    def company_codes(self) -> list[str]:
        return [c["code"] for c in self.raw["companies"]]

    @property
    def scheduled_companies(self) -> list[str]:
        return [c["code"] for c in self.raw["companies"] if c["scheduled"]]

    @property
    def default_ipes(self) -> list[str]:
        return list(self.raw["default_ipes"])

    @property
    def min_run_day(self) -> int:
        return self.raw["readiness"]["min_run_day"]

    @property
    def quality_allow_list(self) -> list[str]:
        return list(self.raw.get("verification", {}).get("quality_allow_list", []))

    @property
    def contract_items(self) -> list[str]:
        return list(self.raw.get("verification", {}).get("contract_items", []))

    @property
    def container_environment(self) -> dict[str, str]:
        return dict(self.ecs.get("container_environment", {}))


def _check_no_secrets(raw: dict[str, Any], path: Path) -> None:
    for name, value in raw["ecs"].get("container_environment", {}).items():
        if _SECRET_NAME.search(name) or _SECRET_VALUE.search(value):
            raise SoxConfigError(
                f"{path}: ecs.container_environment.{name} looks like a credential. Secrets reach the "
                "container only through the task definition's `secrets` (Secrets Manager), never overrides."
            )


def load_config(path: str | os.PathLike | None = None) -> SoxConfig:
    """Read and validate the configuration (``PLATFORM_OPS_SOX_CONFIG`` or the packaged file)."""
    path = Path(path or os.environ.get("PLATFORM_OPS_SOX_CONFIG") or DEFAULT_CONFIG)
    raw = load_validated_json(path, CONFIG_SCHEMA, SoxConfigError, "SOX config", "PLATFORM_OPS_SOX_CONFIG")
    codes = [c["code"] for c in raw["companies"]]
    if len(set(codes)) != len(codes):
        raise SoxConfigError(f"SOX config {path}: duplicate company codes in {codes}")
    if not any(c["scheduled"] for c in raw["companies"]):
        raise SoxConfigError(f"SOX config {path}: no company has scheduled=true")
    _check_no_secrets(raw, path)
    return SoxConfig(path=path, raw=raw)


@lru_cache(maxsize=8)
def _cached(path: str, stamp: tuple[int, int]) -> SoxConfig:
    return load_config(path)


def config() -> SoxConfig:
    """The configuration in force, validated once per file version (cheap at DAG parse time).

    The file's mtime and size are part of the cache key, so an edited file is picked up by a
    long-running DAG processor without a restart.
    """
    path = os.environ.get("PLATFORM_OPS_SOX_CONFIG") or str(DEFAULT_CONFIG)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return load_config(path)  # raises the clear "does not exist" error
    return _cached(path, (info.st_mtime_ns, info.st_size))
