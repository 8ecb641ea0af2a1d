"""``TerraformStackHook``: a registry stack as Terraform reaches it, in one call.

The stack's account connection (through ``aws.access``) does the role assumption; terraform
receives short-lived keys in its environment. A connection with an ``endpoint_url`` (the local
AWS) makes the workspace add its override file. ``with TerraformStackHook(name).workspace() as tf``
replaces registry lookup → credentials → ``stack_workspace(…, timeout)`` in every step.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from platform_ops.aws.access import aws_hook, session_credentials
from platform_ops.registry import Registry, Stack, registry
from platform_ops.terraform.cli import TerraformCli
from platform_ops.terraform.workspace import AwsCredentials, stack_workspace

log = logging.getLogger(__name__)


class TerraformStackHook:
    """One registry stack: its account's credentials, AWS hooks in its Region, its workspace."""

    def __init__(self, stack: str | Stack, reg: Registry | None = None):
        reg = reg or registry()
        self.stack = reg.stack(stack) if isinstance(stack, str) else stack
        self.timeout = reg.terraform.timeout_seconds

    def credentials(self) -> tuple[AwsCredentials, str | None]:
        """Short-lived keys of the stack's account and the connection's endpoint (None on AWS)."""
        frozen, endpoint = session_credentials(self.stack.account, self.stack.region)
        return AwsCredentials(frozen.access_key, frozen.secret_key, frozen.token), endpoint

    def aws_hook(self, service: str):
        """A provider hook for ``service`` in the stack's account and Region."""
        return aws_hook(self.stack.account, service, self.stack.region)

    @contextmanager
    def workspace(self, logger=log) -> Iterator[TerraformCli]:
        """An initialised terraform for the stack in a temporary directory (see ``stack_workspace``)."""
        credentials, endpoint = self.credentials()
        with stack_workspace(self.stack, credentials, endpoint, timeout=self.timeout, logger=logger) as tf:
            yield tf

