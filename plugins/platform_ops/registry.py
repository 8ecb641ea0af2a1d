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
        "approval": {"enum": ["required", "auto_when_no_destroy"]},
    },
}
# How terraform_apply gates a stack's plan. `auto_when_no_destroy` (the seed's "staging applies
# automatically") skips the human review only for a plan that destroys and replaces nothing; a
# production account's stacks can only be `required` (checked by ``check_approval_policy``).
APPROVAL_POLICIES = ("required", "auto_when_no_destroy")
DEFAULT_APPROVAL = "required"
_REGION = {"type": "string", "pattern": "^[a-z]{2}-[a-z]+-[0-9]$"}
_SNAPSHOT_TARGET = {
    "type": "object",
    "additionalProperties": False,
    "required": ["account", "region", "tag", "dr_region", "dr_kms_key_alias", "retention", "event_queue"],
    "properties": {
        "account": {"type": "string"},
        "region": _REGION,
        "tag": {
            "type": "object",
            "additionalProperties": False,
            "required": ["key", "value"],
            "properties": {"key": {"type": "string", "minLength": 1}, "value": {"type": "string"}},
        },
        "dr_region": _REGION,
        "dr_kms_key_alias": {"type": "string", "pattern": "^alias/[A-Za-z0-9/_-]+$"},
        "retention": {
            "type": "object",
            "additionalProperties": False,
            "required": ["daily", "monthly"],
            "properties": {
                "daily": {"type": "integer", "minimum": 1, "maximum": 35},
                "monthly": {"type": "integer", "minimum": 0, "maximum": 120},
            },
        },
        "event_queue": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,80}$"},
    },
}
_DISTRIBUTION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["stack", "account", "region", "output"],
    "properties": {
        "stack": {"type": "string", "pattern": "^[a-z0-9-]+$"},
        "account": {"type": "string"},
        "region": _REGION,
        "output": {"type": "string", "pattern": "^[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)*$"},
        "description": {"type": "string"},
    },
}
# The refresh DAGs (``dags/refresh.py``): where the machines run, and one entry per destination.
_NAME = {"type": "string", "pattern": "^[a-zA-Z][a-zA-Z0-9-]{0,54}$"}
_REFRESH_DESTINATION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["source_account", "destination_account", "schedule", "pool", "database", "sql", "options"],
    "properties": {
        "description": {"type": "string"},
        "source_account": {"type": "string"},
        "destination_account": {"type": "string"},
        "schedule": {"type": ["string", "null"], "minLength": 9},
        "pool": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
        "database": {
            "type": "object",
            "additionalProperties": False,
            "required": ["source_cluster", "target_cluster", "instances", "subnet_group", "security_group_ids",
                         "cluster_parameter_group", "instance_parameter_group", "kms_key_id", "secret_kms_key_id",
                         "database_name"],
            "properties": {
                "source_cluster": _NAME,
                "target_cluster": _NAME,
                "instances": {
                    "type": "array", "minItems": 1, "maxItems": 15,
                    "items": {"type": "object", "additionalProperties": False, "required": ["instance_class"],
                              "properties": {"instance_class": {"type": "string", "pattern": "^db\\.[a-z0-9.]+$"},
                                             "promotion_tier": {"type": "integer", "minimum": 0, "maximum": 15}}},
                },
                "subnet_group": {"type": "string", "minLength": 1},
                "security_group_ids": {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^sg-[0-9a-f]+$"}},
                "cluster_parameter_group": {"type": "string", "minLength": 1},
                "instance_parameter_group": {"type": "string", "minLength": 1},
                "kms_key_id": {"type": "string", "minLength": 1},
                "secret_kms_key_id": {"type": "string", "minLength": 1},
                "s3_role_arn": {"type": ["string", "null"], "pattern": "^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$"},
                "database_name": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]{0,63}$"},
                "secret_ids": {"type": "array", "maxItems": 10, "items": {"type": "string", "minLength": 1}},
            },
        },
        "efs": {
            "type": ["object", "null"],
            "additionalProperties": False,
            "required": ["source_file_system_id", "target_name", "backup_vault_arn", "copy_role_arn", "restore_role_arn",
                         "kms_key_id", "subnet_ids", "security_group_ids", "ssm_prefix"],
            "properties": {
                "source_file_system_id": {"type": "string", "pattern": "^fs-[0-9a-f]+$"},
                "target_name": {"type": "string", "minLength": 1},
                "backup_vault_arn": {"type": "string", "pattern": "^arn:aws[a-z-]*:backup:"},
                "copy_role_arn": {"type": "string", "pattern": "^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$"},
                "restore_role_arn": {"type": "string", "pattern": "^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$"},
                "kms_key_id": {"type": "string", "minLength": 1},
                "subnet_ids": {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^subnet-[0-9a-f]+$"}},
                "security_group_ids": {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "^sg-[0-9a-f]+$"}},
                "ssm_prefix": {"type": "string", "pattern": "^/[A-Za-z0-9/_.-]+$"},
            },
        },
        "eks": {
            "type": ["object", "null"],
            "additionalProperties": False,
            "required": ["cluster", "nodegroup", "min_size", "max_size", "desired_size"],
            "properties": {
                "cluster": {"type": "string", "minLength": 1},
                "nodegroup": {"type": "string", "minLength": 1},
                "min_size": {"type": "integer", "minimum": 0},
                "max_size": {"type": "integer", "minimum": 1},
                "desired_size": {"type": "integer", "minimum": 0},
            },
        },
        "sql": {
            "type": "object",
            "additionalProperties": False,
            "required": ["bucket", "prefix"],
            "properties": {"bucket": {"type": "string", "minLength": 3}, "prefix": {"type": "string", "pattern": "^[^/].*/$"}},
        },
        "options": {"type": "object"},
    },
}  # fmt: skip
_REFRESH = {
    "type": "object",
    "additionalProperties": False,
    "required": ["account", "region", "name_prefix", "event_queue", "history_table", "destinations"],
    "properties": {
        "description": {"type": "string"},
        "account": {"type": "string"},
        "region": _REGION,
        "name_prefix": {"type": "string", "pattern": "^[a-z][a-z0-9-]{0,30}$"},
        "event_queue": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,80}$"},
        "history_table": {"type": "string", "pattern": "^[A-Za-z0-9_.-]{3,255}$"},
        "poll_interval_seconds": {"type": ["integer", "null"], "minimum": 0},
        "retry_delay_seconds": {"type": "integer", "minimum": 0},
        "destinations": {
            "type": "object",
            "propertyNames": {"pattern": "^[a-z][a-z0-9_]{0,30}$"},
            "additionalProperties": _REFRESH_DESTINATION,
        },
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
        "snapshots": {
            "type": "object",
            "required": ["targets"],
            "properties": {
                "description": {"type": "string"},
                "backstop_seconds": {"type": "integer", "minimum": 1},
                "targets": {"type": "object", "additionalProperties": _SNAPSHOT_TARGET},
            },
        },
        "refresh": _REFRESH,
        "cdn": {
            "type": "object",
            "required": ["distributions"],
            "properties": {
                "poll_seconds": {"type": "integer", "minimum": 1},
                "distributions": {"type": "object", "additionalProperties": _DISTRIBUTION},
            },
        },
    },
}


class RegistryError(ValueError):
    """The registry file is missing, malformed, or refers to something it does not define."""


def check_approval_policy(stack: str, account: Account, approval: str, where: str = "") -> None:
    """Refuse an approval policy the stack may not have: production stacks are always reviewed."""
    if approval not in APPROVAL_POLICIES:
        raise RegistryError(f"stack {stack!r}{where}: approval {approval!r} is not one of {', '.join(APPROVAL_POLICIES)}")
    if account.production and approval != "required":
        raise RegistryError(
            f"stack {stack!r}{where}: approval {approval!r} is not allowed, its account {account.name!r} is "
            "production; a production stack's plans always wait for a person (approval 'required')"
        )


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
    """A Terraform stack: the S3 bucket its state (and state lock file) lives in, the DynamoDB
    table of its run leases (``terraform/lease.py``), and how its plans are approved.

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
    approval: str = DEFAULT_APPROVAL

    def __post_init__(self):
        check_approval_policy(self.name, self.account, self.approval)
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
class SnapshotTarget:
    """The databases of one account and Region that ``rds_snapshots`` snapshots: those with ``tag``."""

    name: str
    account: Account
    region: str
    tag_key: str
    tag_value: str
    dr_region: str
    dr_kms_key_alias: str
    keep_daily: int
    keep_monthly: int
    event_queue: str


@dataclass(frozen=True)
class Distribution:
    """A CloudFront distribution by name; its id is the ``output`` of ``stack``, read at run time.

    ``stack`` is the Terraform stack under ``terraform/stacks/`` that made it, with the account and
    Region whose state backend holds its state; it need not be one ``terraform_apply`` offers.
    """

    name: str
    stack: Stack
    output: str
    description: str = ""

    @property
    def production(self) -> bool:
        return self.stack.account.production


@dataclass(frozen=True)
class RefreshDestination:
    """One refresh destination: production data from ``source`` restored into ``destination``.

    ``database``, ``efs``, ``eks``, ``sql`` and ``options`` are the registry's dicts as written
    (``_REFRESH_DESTINATION``); ``efs``/``eks`` are None when that phase is off for it.
    """

    name: str
    source: Account
    destination: Account
    schedule: str | None
    pool: str
    database: dict
    sql: dict
    options: dict
    efs: dict | None = None
    eks: dict | None = None
    description: str = ""

    @property
    def dag_id(self) -> str:
        return f"refresh_{self.name}"


@dataclass(frozen=True)
class RefreshSettings:
    """Where the refresh machines run (``<name_prefix>-<module>-<name>``) and what they report to."""

    account: Account
    region: str
    name_prefix: str
    event_queue: str
    history_table: str
    poll_interval_seconds: int | None = None
    retry_delay_seconds: int = 120

    def state_machine_arn(self, definition: str) -> str:
        """``db/restore_cluster`` -> the ARN terraform/modules/refresh-step-functions gives it."""
        name = f"{self.name_prefix}-{definition.replace('/', '-')}"
        return f"arn:aws:states:{self.region}:{self.account.account_id}:stateMachine:{name}"

    @property
    def event_queue_url(self) -> str:
        return f"https://sqs.{self.region}.amazonaws.com/{self.account.account_id}/{self.event_queue}"

    def role_arn(self, account: Account, side: str) -> str:
        """The refresh role a machine's task assumes in ``account``: ``<prefix>-source``/``-destination``."""
        return f"arn:aws:iam::{account.account_id}:role/{self.name_prefix}-{side}"


def check_refresh_destination(dest: RefreshDestination, where: str = "") -> None:
    """A refresh never writes to production: its destination must be another, non-production account."""
    if dest.destination.production:
        raise RegistryError(
            f"refresh destination {dest.name!r}{where}: account {dest.destination.name!r} is marked production; "
            "a refresh overwrites its destination, so it may only write to non-production accounts"
        )
    if dest.destination.account_id == dest.source.account_id:
        raise RegistryError(
            f"refresh destination {dest.name!r}{where}: source and destination are the same account"
        )


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

    def snapshot_target_names(self) -> list[str]:
        return sorted((self.raw.get("snapshots") or {}).get("targets", {}))

    def snapshot_target(self, name: str) -> SnapshotTarget:
        targets = (self.raw.get("snapshots") or {}).get("targets", {})
        if name not in targets:
            known = ", ".join(sorted(targets)) or "none"
            raise RegistryError(f"unknown snapshot target {name!r} in {self.path}; known: {known}")
        spec = targets[name]
        return SnapshotTarget(
            name=name,
            account=self.account(spec["account"]),
            region=spec["region"],
            tag_key=spec["tag"]["key"],
            tag_value=spec["tag"]["value"],
            dr_region=spec["dr_region"],
            dr_kms_key_alias=spec["dr_kms_key_alias"],
            keep_daily=spec["retention"]["daily"],
            keep_monthly=spec["retention"]["monthly"],
            event_queue=spec["event_queue"],
        )

    @property
    def snapshot_backstop_seconds(self) -> int:
        """Seconds between Describe calls of a snapshot wait (the only signal for cluster copies)."""
        return (self.raw.get("snapshots") or {}).get("backstop_seconds", 300)

    @property
    def cdn_poll_seconds(self) -> int:
        """Seconds between GetInvalidation calls (CloudFront sends no completion event)."""
        return (self.raw.get("cdn") or {}).get("poll_seconds", 20)

    def distribution_names(self) -> list[str]:
        return sorted((self.raw.get("cdn") or {}).get("distributions", {}))

    def distribution(self, name: str) -> Distribution:
        distributions = (self.raw.get("cdn") or {}).get("distributions", {})
        if name not in distributions:
            known = ", ".join(sorted(distributions)) or "none"
            raise RegistryError(f"unknown distribution {name!r} in {self.path}; known: {known}")
        spec = distributions[name]
        stack = Stack(
            name=spec["stack"],
            path=f"terraform/stacks/{spec['stack']}",
            account=self.account(spec["account"]),
            region=spec["region"],
            drift_check=False,
            state_bucket=self.terraform.state_bucket(self.account(spec["account"])),
            lock_table=self.terraform.lock_table,
        )
        return Distribution(
            name=name,
            stack=stack,
            output=spec["output"],
            description=spec.get("description", ""),
        )

    def refresh_destination_names(self) -> list[str]:
        return sorted((self.raw.get("refresh") or {}).get("destinations", {}))

    def refresh_destination(self, name: str) -> RefreshDestination:
        destinations = (self.raw.get("refresh") or {}).get("destinations", {})
        if name not in destinations:
            known = ", ".join(sorted(destinations)) or "none"
            raise RegistryError(f"unknown refresh destination {name!r} in {self.path}; known: {known}")
        spec = dict(destinations[name])
        source = self.account(spec.pop("source_account"))
        destination = self.account(spec.pop("destination_account"))
        return RefreshDestination(name=name, source=source, destination=destination, **spec)

    @property
    def refresh(self) -> RefreshSettings:
        spec = self.raw.get("refresh")
        if not spec:
            raise RegistryError(f"registry file {self.path} has no refresh section")
        return RefreshSettings(
            account=self.account(spec["account"]),
            region=spec["region"],
            name_prefix=spec["name_prefix"],
            event_queue=spec["event_queue"],
            history_table=spec["history_table"],
            poll_interval_seconds=spec.get("poll_interval_seconds"),
            retry_delay_seconds=spec.get("retry_delay_seconds", 120),
        )

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
            account = reg.account(stack["account"])
            check_approval_policy(name, account, stack.get("approval", DEFAULT_APPROVAL), f" in {path}")
            if check_dirs and not (REPO_ROOT / stack["path"]).is_dir():
                raise RegistryError(f"stack {name!r} in {path}: directory {stack['path']} does not exist")
        for name in reg.snapshot_target_names():
            target = reg.snapshot_target(name)
            if target.dr_region == target.region:
                raise RegistryError(f"snapshot target {name!r} in {path}: dr_region must differ from region")
        if raw.get("refresh"):
            reg.account(raw["refresh"]["account"])
        for name in reg.refresh_destination_names():
            check_refresh_destination(reg.refresh_destination(name), f" in {path}")
        for name in reg.distribution_names():
            stack = reg.distribution(name).stack
            if check_dirs and not stack.directory.is_dir():
                raise RegistryError(f"distribution {name!r} in {path}: directory {stack.path} does not exist")
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
