"""The environment registry's typed accessors, on small registries built from dicts."""

from __future__ import annotations

import pytest
from platform_ops.registry import Registry, RegistryError


def _small(**overrides) -> dict:
    account = {"account_id": "123456789012", "aws_conn_id": "aws_one", "role_name": "ops",
               "environment": "dev", "production": False}  # fmt: skip
    raw = {
        "name": "small",
        "regions": {"primary": "eu-west-1", "secondary": "us-east-1"},
        "accounts": {"one": account},
        "artifacts": {"account": "one", "region": "eu-west-1", "bucket": "artifacts"},
        "notifications": {"account": "one", "region": "eu-west-1", "topic_name": "alerts"},
        "terraform": {
            "state": {"bucket_prefix": "tf-state", "lock_table": "tf-locks"},
            "timeout_seconds": 600,
            "approval_timeout_hours": 2,
        },
        "stacks": {"core": {"path": "terraform/stacks/core", "account": "one", "region": "eu-west-1",
                            "drift_check": True}},
    }  # fmt: skip
    raw.update(overrides)
    return raw


def test_a_stack_carries_its_own_state_bucket_and_lock_table():
    stack = Registry.from_dict(_small(), check_dirs=False).stack("core")
    assert (stack.state_bucket, stack.lock_table) == ("tf-state-123456789012", "tf-locks")
    assert stack.state_key == "stacks/core/terraform.tfstate"


def test_typed_accessors():
    reg = Registry.from_dict(_small(), check_dirs=False)
    assert reg.primary_region == "eu-west-1"
    assert (reg.terraform.timeout_seconds, reg.terraform.approval_timeout_hours) == (600, 2)
    assert reg.notification_topic_arn == "arn:aws:sns:eu-west-1:123456789012:alerts"
    assert reg.default_stack == "core" and reg.stack_names() == ["core"]


def test_unknown_names_and_bad_documents_are_refused():
    reg = Registry.from_dict(_small(), check_dirs=False)
    with pytest.raises(RegistryError, match="unknown stack 'nope'"):
        reg.stack("nope")
    with pytest.raises(RegistryError, match="is not a stack"):
        Registry.from_dict(_small(default_stack="nope"), check_dirs=False)
    with pytest.raises(RegistryError, match="invalid at terraform/timeout_seconds"):
        Registry.from_dict(_small(terraform={**_small()["terraform"], "timeout_seconds": 1}), check_dirs=False)
    with pytest.raises(RegistryError, match="does not exist"):
        Registry.from_dict(_small())  # terraform/stacks/core is not in the repo
