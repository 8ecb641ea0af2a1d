"""The S3 backend's lock file (``use_lockfile``) on the local AWS, with the real terraform binary.

Terraform >= 1.10 locks the state with an object beside it, ``<key>.tflock``, written by a
conditional PutObject (``If-None-Match: *``). The local AWS must refuse that write while the
object exists, or two runs would both think they hold the lock. These tests show it does, that
no run prints a warning (no deprecated ``dynamodb_table``, no incomplete lock file: the
``.terraform.lock.hcl`` files are committed), and that DynamoDB is no longer used for the state.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from platform_ops.local.clients import account_client
from platform_ops.registry import REPO_ROOT, registry
from platform_ops.terraform.cli import StateLockedError, TerraformCli
from platform_ops.terraform.tooling import find_provider_mirror
from platform_ops.terraform.workspace import stack_workspace

from tests.stacks import account_credentials

STACK = "platform-core"


def test_the_local_aws_refuses_a_second_conditional_put(aws):
    stack = registry().stack(STACK)
    s3 = account_client(aws, stack.account.name, "s3")
    key = "conditional-write-check.tflock"
    s3.put_object(Bucket=stack.state_bucket, Key=key, Body=b"first", IfNoneMatch="*")
    with pytest.raises(ClientError, match="PreconditionFailed"):
        s3.put_object(Bucket=stack.state_bucket, Key=key, Body=b"second", IfNoneMatch="*")
    assert s3.get_object(Bucket=stack.state_bucket, Key=key)["Body"].read() == b"first"


def test_plan_and_apply_lock_in_s3_without_a_warning(aws, monkeypatch):
    stack = registry().stack(STACK)
    s3 = account_client(aws, stack.account.name, "s3")
    lock_key = f"{stack.state_key}.tflock"
    printed: list[str] = []
    run_once = TerraformCli._run_once

    def recording_run_once(self, *args, **kwargs):
        result = run_once(self, *args, **kwargs)
        printed.append(result.stdout + result.stderr)
        return result

    monkeypatch.setattr(TerraformCli, "_run_once", recording_run_once)
    info = {"ID": "5f0c1d2e", "Operation": "OperationTypeApply", "Info": "", "Who": "alice@laptop",
            "Version": "1.11.4", "Created": "2026-11-23T08:00:00Z", "Path": f"{stack.state_bucket}/{stack.state_key}"}  # fmt: skip

    with stack_workspace(stack, account_credentials(aws, stack.account.name), aws) as tf:
        # A lock another run holds: the plan fails at once, says who, and leaves the lock alone.
        s3.put_object(Bucket=stack.state_bucket, Key=lock_key, Body=json.dumps(info).encode())
        with pytest.raises(StateLockedError, match="Who=alice@laptop"):
            tf.plan("tfplan", variables=stack.vars, lock_timeout="0s")
        assert json.loads(s3.get_object(Bucket=stack.state_bucket, Key=lock_key)["Body"].read()) == info
        s3.delete_object(Bucket=stack.state_bucket, Key=lock_key)

        tf.plan("tfplan", variables=stack.vars)
        tf.apply_plan("tfplan")

    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=stack.state_bucket).get("Contents", [])}
    assert stack.state_key in keys, keys
    assert lock_key not in keys, "the lock file is released after apply"
    items = account_client(aws, stack.account.name, "dynamodb").scan(TableName=stack.lock_table)["Items"]
    assert not [i for i in items if stack.state_key in i.get("LockID", {}).get("S", "")], items

    text = "\n".join(printed)
    assert "Initializing the backend" in text, text  # init's output was seen
    for warning in ("is deprecated", "Incomplete lock file information", "Warning:"):
        assert warning not in text, f"terraform printed {warning!r}:\n{text}"


def test_every_root_commits_the_lock_file_of_the_mirror_provider():
    """Without a committed ``.terraform.lock.hcl`` every init prints "Incomplete lock file
    information" (the mirror gives terraform only the local platform's checksum). Regenerate one
    with ``terraform providers lock -fs-mirror=<mirror> -platform=linux_amd64`` after ``init``."""
    mirror = find_provider_mirror()
    versions = {p.parent.name for p in mirror.glob("registry.terraform.io/hashicorp/aws/*/linux_amd64")}
    roots = {p.parent for p in (REPO_ROOT / "terraform").rglob("*.tf") if ".terraform" not in p.parts}
    for root in sorted(roots):
        if any("configuration_aliases" in tf.read_text() for tf in root.glob("*.tf")):
            continue  # not a root: validated through its examples/
        lock = root / ".terraform.lock.hcl"
        assert lock.is_file(), f"{lock.relative_to(REPO_ROOT)} is missing"
        text = lock.read_text()
        assert 'provider "registry.terraform.io/hashicorp/aws"' in text, lock
        assert any(f'version     = "{v}"' in text for v in versions), f"{lock}: not a mirror version {versions}"
        assert '"h1:' in text, lock
