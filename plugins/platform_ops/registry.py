"""The environment registry: accounts, Regions, connections and Terraform stacks, from one file.

DAG files read it at parse time only for cheap things (the enum of stacks); tasks read it for the
rest. The file is validated against ``REGISTRY_SCHEMA`` so a typo fails loudly at the first read.
``PLATFORM_OPS_REGISTRY`` points at another file (your real accounts); the default is the local one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from platform_ops.jsonfile import load_validated_json, validate_document

DEFAULT_REGISTRY = Path(__file__).with_name("registry.json")
REPO_ROOT = Path(__file__).resolve().parents[2]

_ACCOUNT = {
    "type": "object",
    "required": ["account_id", "aws_conn_id", "role_name", "environment", "production"],
    "properties": {
        "account_id": {"type": "string", "pattern": "^[0-9]{12}$"},
        "aws_conn_id": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
        "role_name": {"type": "string", "minLength": 1},
        "environment": {"enum": ["shared", "production", "staging", "dev"]},
        "production": {"type": "boolean"},
    },
}
_STACK = {
    "type": "object",
    "required": ["path", "account", "region", "drift_check"],
    "properties": {
        "path": {"type": "string", "pattern": "^terraform/stacks/[a-z0-9-]+$"},
        "account": {"type": "string"},
        "region": {"type": "string", "pattern": "^[a-z]{2}-[a-z]+-[0-9]$"},
        "drift_check": {"type": "boolean"},
        "description": {"type": "string"},
        "vars": {"type": "object"},
    },
}
REGISTRY_SCHEMA = {
    "type": "object",
    "required": ["name", "regions", "accounts", "artifacts", "notifications", "terraform", "stacks"],
    "properties": {
        "regions": {
            "type": "object",
            "required": ["primary", "secondary"],
            "additionalProperties": {"type": "string"},
        },
        "accounts": {"type": "object", "minProperties": 1, "additionalProperties": _ACCOUNT},
        "artifacts": {"type": "object", "required": ["account", "region", "bucket"]},
        "notifications": {"type": "object", "required": ["account", "region", "topic_name"]},
        "terraform": {
            "type": "object",
            "required": ["state", "timeout_seconds", "approval_timeout_hours"],
            "properties": {
                "state": {"type": "object", "required": ["bucket_prefix", "lock_table"]},
                "timeout_seconds": {"type": "integer", "minimum": 60},
                "approval_timeout_hours": {"type": "number", "exclusiveMinimum": 0},
            },
        },
        "stacks": {"type": "object", "minProperties": 1, "additionalProperties": _STACK},
        "default_stack": {"type": "string"},
    },
}


class RegistryError(ValueError):
    """The registry file is missing, malformed, or refers to something it does not define."""


@dataclass(frozen=True)
class Account:
    name: str
    account_id: str
    aws_conn_id: str
    role_name: str
    environment: str
    production: bool

    @property
    def role_arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:role/{self.role_name}"


@dataclass(frozen=True)
class TerraformSettings:
    """How the DAGs run Terraform: command timeout, approval timeout, where state lives."""

    timeout_seconds: int
    approval_timeout_hours: float
    state_bucket_prefix: str
    lock_table: str

    def state_bucket(self, account: Account) -> str:
        """One state bucket per account: ``<prefix>-<account id>``."""
        return f"{self.state_bucket_prefix}-{account.account_id}"


@dataclass(frozen=True)
class Stack:
    """A Terraform stack, with the S3 bucket and DynamoDB table its state lives in.

    ``Registry.stack`` fills ``state_bucket`` and ``lock_table``; a stack built by hand (tests)
    without them gets the ones the registry in force would give it.
    """

    name: str
    path: str
    account: Account
    region: str
    drift_check: bool
    description: str = ""
    vars: dict | None = None
    state_bucket: str = ""
    lock_table: str = ""

    def __post_init__(self):
        if not (self.state_bucket and self.lock_table):
            settings = registry().terraform
            object.__setattr__(self, "state_bucket", self.state_bucket or settings.state_bucket(self.account))
            object.__setattr__(self, "lock_table", self.lock_table or settings.lock_table)

    @property
    def directory(self) -> Path:
        return REPO_ROOT / self.path

    @property
    def state_key(self) -> str:
        return f"stacks/{self.name}/terraform.tfstate"


@dataclass(frozen=True)
class Registry:
    path: Path
    raw: dict[str, Any]

    def account(self, name: str) -> Account:
        try:
            return Account(name=name, **self.raw["accounts"][name])
        except KeyError:
            known = ", ".join(sorted(self.raw["accounts"]))
            raise RegistryError(f"unknown account {name!r} in {self.path}; known: {known}") from None

    def accounts(self) -> list[Account]:
        return [self.account(name) for name in self.raw["accounts"]]

    def stack(self, name: str) -> Stack:
        try:
            spec = dict(self.raw["stacks"][name])
        except KeyError:
            known = ", ".join(sorted(self.raw["stacks"]))
            raise RegistryError(f"unknown stack {name!r} in {self.path}; known: {known}") from None
        account = self.account(spec.pop("account"))
        settings = self.terraform
        return Stack(
            name=name,
            account=account,
            state_bucket=settings.state_bucket(account),
            lock_table=settings.lock_table,
            **spec,
        )

    def stack_names(self) -> list[str]:
        return sorted(self.raw["stacks"])

    @property
    def primary_region(self) -> str:
        """The Region connections and clients default to."""
        return self.raw["regions"]["primary"]

    @property
    def terraform(self) -> TerraformSettings:
        """Timeouts and state location of every stack's terraform runs."""
        tf = self.raw["terraform"]
        return TerraformSettings(
            timeout_seconds=tf["timeout_seconds"],
            approval_timeout_hours=tf["approval_timeout_hours"],
            state_bucket_prefix=tf["state"]["bucket_prefix"],
            lock_table=tf["state"]["lock_table"],
        )

    @property
    def default_stack(self) -> str:
        """The stack the trigger form offers first (``default_stack``, else the first by name)."""
        return self.raw.get("default_stack") or self.stack_names()[0]

    @property
    def artifacts_bucket(self) -> str:
        return self.raw["artifacts"]["bucket"]

    @property
    def artifacts_account(self) -> Account:
        return self.account(self.raw["artifacts"]["account"])

    @property
    def artifacts_region(self) -> str:
        return self.raw["artifacts"]["region"]

    @property
    def notification_account(self) -> Account:
        return self.account(self.raw["notifications"]["account"])

    @property
    def notification_region(self) -> str:
        return self.raw["notifications"]["region"]

    @property
    def notification_topic_name(self) -> str:
        """The SNS topic of every notice (its ARN: ``notification_topic_arn``)."""
        return self.raw["notifications"]["topic_name"]

    @property
    def notification_topic_arn(self) -> str:
        account_id = self.notification_account.account_id
        return f"arn:aws:sns:{self.notification_region}:{account_id}:{self.notification_topic_name}"

    @classmethod
    def from_dict(cls, raw: dict[str, Any], path: str | os.PathLike = "(in memory)", check_dirs: bool = True):
        """A validated registry from a dict (tests build small ones); ``path`` names it in errors."""
        path = Path(path)
        validate_document(raw, REGISTRY_SCHEMA, RegistryError, f"registry file {path}")
        reg = cls(path=path, raw=raw)
        if raw.get("default_stack") and raw["default_stack"] not in raw["stacks"]:
            raise RegistryError(f"registry file {path}: default_stack {raw['default_stack']!r} is not a stack")
        for name, stack in raw["stacks"].items():
            reg.account(stack["account"])
            if check_dirs and not (REPO_ROOT / stack["path"]).is_dir():
                raise RegistryError(f"stack {name!r} in {path}: directory {stack['path']} does not exist")
        return reg


def load_registry(path: str | os.PathLike | None = None) -> Registry:
    """Read and validate a registry file (no caching; see ``registry()``)."""
    path = Path(path or os.environ.get("PLATFORM_OPS_REGISTRY") or DEFAULT_REGISTRY)
    raw = load_validated_json(path, REGISTRY_SCHEMA, RegistryError, "registry file", "PLATFORM_OPS_REGISTRY")
    return Registry.from_dict(raw, path)


@lru_cache(maxsize=4)
def _cached(path: str) -> Registry:
    return load_registry(path)


def registry() -> Registry:
    """The registry in force (cached per path; cheap enough for DAG parse time)."""
    return _cached(os.environ.get("PLATFORM_OPS_REGISTRY") or str(DEFAULT_REGISTRY))
