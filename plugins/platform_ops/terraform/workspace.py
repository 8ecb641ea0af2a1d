"""A private working copy of a stack, wired to its S3 state and (locally) to the local AWS.

Each run gets its own temporary directory holding ``terraform/modules`` and the stack, so two
runs never share ``.terraform`` or plan files, and the repo stays clean. When the stack's account
connection points at a local endpoint, an override file (Terraform merges ``*_override.tf``)
sends every AWS provider block there; the stack code itself stays plain real-AWS Terraform.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from platform_ops.registry import REPO_ROOT, Stack
from platform_ops.terraform.cli import TerraformCli
from platform_ops.terraform.tooling import offline_env

LOCAL_OVERRIDE = "zz_local_endpoints_override.tf"
# Services the stacks use; each gets the local endpoint in local mode.
LOCAL_SERVICES = (
    "acm", "autoscaling", "backup", "cloudfront", "cloudwatch", "dynamodb", "ec2", "ecr", "ecs",
    "efs", "eks", "elasticache", "elbv2", "events", "iam", "kms", "lambda", "logs", "rds",
    "route53", "s3", "secretsmanager", "sfn", "sns", "sqs", "ssm", "sts",
)  # fmt: skip
# Repository directories stacks read with file() (relative to the stack: ../../../<dir>).
READ_BY_STACKS = ("asl", "build/lambdas")
_ALIAS = re.compile(r'^\s*alias\s*=\s*"([^"]+)"', re.MULTILINE)


@dataclass(frozen=True)
class AwsCredentials:
    """Temporary credentials handed to terraform through its environment, never argv or files."""

    access_key: str
    secret_key: str
    token: str | None = None

    def as_env(self) -> dict[str, str]:
        env = {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key}
        if self.token:
            env["AWS_SESSION_TOKEN"] = self.token
        return env


def provider_aliases(stack_dir: Path) -> list[str]:
    """Aliases of the stack's root provider blocks (``alias = "..."`` lines in its .tf files)."""
    aliases: set[str] = set()
    for tf in stack_dir.glob("*.tf"):
        aliases.update(_ALIAS.findall(tf.read_text()))
    return sorted(aliases)


def local_override(endpoint: str, aliases: list[str]) -> str:
    """Provider overrides for the local AWS: endpoints, few retries, no metadata/credential checks.

    Three retries, not the provider's 25: an unsupported call fails in seconds instead of
    hanging for minutes, and a response moto cuts short under load is still retried.
    """
    endpoints = "\n".join(f'    {service:<14} = "{endpoint}"' for service in LOCAL_SERVICES)
    blocks = []
    for alias in [None, *aliases]:
        alias_line = f'  alias                       = "{alias}"\n' if alias else ""
        blocks.append(
            'provider "aws" {\n'
            f"{alias_line}"
            "  max_retries                 = 3\n"
            "  skip_credentials_validation = true\n"
            "  skip_metadata_api_check     = true\n"
            "  s3_use_path_style           = true\n"
            "  endpoints {\n"
            f"{endpoints}\n"
            "  }\n"
            "}\n"
        )
    return "# Written by platform_ops for the local AWS; never committed.\n" + "\n".join(blocks)


def prepare_workspace(stack_dir: Path, root: Path, endpoint: str | None = None) -> Path:
    """Copy ``terraform/modules`` and the stack under ``root``; returns the stack's copy."""
    stack_dir = Path(stack_dir).resolve()
    relative = stack_dir.relative_to(REPO_ROOT)
    ignore = shutil.ignore_patterns(".terraform", "*.tfstate", "*.tfstate.backup", "tfplan*", LOCAL_OVERRIDE)
    modules = REPO_ROOT / "terraform" / "modules"
    if modules.is_dir():
        shutil.copytree(modules, root / "terraform" / "modules", ignore=ignore, dirs_exist_ok=True)
    # What the refresh stacks read with file(): the ASL definitions and the built Lambda zips.
    for relative_dir in READ_BY_STACKS:
        if (REPO_ROOT / relative_dir).is_dir():
            shutil.copytree(REPO_ROOT / relative_dir, root / relative_dir, dirs_exist_ok=True)
    target = root / relative
    shutil.copytree(stack_dir, target, ignore=ignore, dirs_exist_ok=True)
    if endpoint:
        (target / LOCAL_OVERRIDE).write_text(local_override(endpoint, provider_aliases(target)))
    return target


def backend_config(stack: Stack, endpoint: str | None = None) -> str:
    """The S3 backend settings of a stack (state bucket, S3 lock file), as HCL.

    The state lock is an S3 object beside the state (``<key>.tflock``, written with a conditional
    ``If-None-Match`` PutObject; Terraform >= 1.10), not DynamoDB: ``dynamodb_table`` is
    deprecated and made every run print a warning. The local AWS honours conditional writes
    (``tests/local/test_state_lockfile.py`` checks it with the real terraform). The registry's
    lock table stays: the stack leases (``terraform/lease.py``) live in it.
    """
    lines = [
        f'bucket       = "{stack.state_bucket}"',
        f'key          = "{stack.state_key}"',
        f'region       = "{stack.region}"',
        "use_lockfile = true",
        "encrypt      = true",
    ]
    if endpoint:
        lines += [
            f'endpoints = {{ s3 = "{endpoint}", sts = "{endpoint}", iam = "{endpoint}" }}',
            "use_path_style              = true",
            "skip_credentials_validation = true",
            "skip_requesting_account_id  = true",
            "skip_metadata_api_check     = true",
            "skip_region_validation      = true",
            "skip_s3_checksum            = true",
        ]
    return "\n".join(lines) + "\n"


def _clean_env() -> dict[str, str]:
    """The caller's environment without any AWS identity: terraform gets only the stack's."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AIRFLOW_CONN_"))}


@contextmanager
def stack_workspace(
    stack: Stack,
    credentials: AwsCredentials,
    endpoint: str | None = None,
    timeout: float = 3600,
    logger=None,
    init: bool = True,
) -> Iterator[TerraformCli]:
    """An initialised terraform for ``stack`` in a temporary directory, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=f"tf-{stack.name}-") as tmp:
        root = Path(tmp)
        stack_dir = prepare_workspace(stack.directory, root, endpoint)
        backend_file = root / "backend.hcl"
        backend_file.write_text(backend_config(stack, endpoint))
        env = offline_env(root / ".terraform-cli", base=_clean_env())
        env.update(credentials.as_env())
        env["AWS_REGION"] = stack.region
        cli = TerraformCli(stack_dir, env, timeout=timeout, logger=logger)
        if init:
            cli.init(backend_config_file=str(backend_file))
        yield cli
