"""The per-stack approval policy: what the registry accepts, and what each plan gets."""

from __future__ import annotations

import copy

import pytest
from platform_ops.registry import Registry, RegistryError, Stack
from platform_ops.terraform.apply_steps import PlanRefused, resolve_approver
from platform_ops.terraform.approval import decide

ACCOUNT = {"aws_conn_id": "aws_one", "role_name": "ops"}
RAW = {
    "name": "small",
    "regions": {"primary": "eu-west-1", "secondary": "us-east-1"},
    "accounts": {
        "prod": {**ACCOUNT, "account_id": "111111111111", "environment": "production", "production": True},
        "stage": {**ACCOUNT, "account_id": "222222222222", "environment": "staging", "production": False},
    },
    "artifacts": {"account": "stage", "region": "eu-west-1", "bucket": "artifacts"},
    "notifications": {"account": "stage", "region": "eu-west-1", "topic_name": "alerts"},
    "terraform": {"state": {"bucket_prefix": "tf-state", "lock_table": "tf-locks"}, "timeout_seconds": 600,
                  "approval_timeout_hours": 2},
    "stacks": {"core": {"path": "terraform/stacks/platform-core", "account": "stage", "region": "eu-west-1",
                        "drift_check": False}},
}  # fmt: skip


def _registry(**stack) -> Registry:
    raw = copy.deepcopy(RAW)
    raw["stacks"]["core"].update(stack)
    return Registry.from_dict(raw)


def test_the_default_is_required_and_staging_may_apply_automatically():
    assert _registry().stack("core").approval == "required"
    assert _registry(approval="auto_when_no_destroy").stack("core").approval == "auto_when_no_destroy"


def test_the_registry_refuses_automatic_applies_on_production():
    with pytest.raises(
        RegistryError,
        match="approval 'auto_when_no_destroy' is not allowed, its account 'prod' is production",
    ):
        _registry(account="prod", approval="auto_when_no_destroy")
    assert _registry(account="prod", approval="required").stack("core").approval == "required"
    with pytest.raises(RegistryError, match="invalid at stacks/core/approval"):
        _registry(approval="auto")  # the schema knows the two policies
    prod = _registry(account="prod").account("prod")
    with pytest.raises(RegistryError, match="is production"):  # nor can code build one by hand
        Stack(name="x", path="terraform/stacks/x", account=prod, region="eu-west-1", drift_check=False,
              state_bucket="b", lock_table="t", approval="auto_when_no_destroy")  # fmt: skip


def test_a_plan_skips_review_only_when_the_policy_allows_and_nothing_is_destroyed():
    auto = _registry(approval="auto_when_no_destroy").stack("core")
    assert decide(auto, []).review_required is False
    replacing = decide(auto, ["aws_s3_bucket.shared", "aws_iam_role.job"])
    assert replacing.review_required and replacing.reason == (
        "the plan destroys or replaces aws_s3_bucket.shared, aws_iam_role.job"
    )
    assert decide(_registry().stack("core"), []).reason == "the stack's policy is 'required'"
    assert decide(_registry(account="prod").stack("core"), []).review_required is True


def test_an_apply_without_an_answer_needs_a_policy_that_allows_it():
    auto = _registry(approval="auto_when_no_destroy").stack("core")
    assert resolve_approver({"planned_at": "2026-01-01T00:00:00+00:00"}, None, decide(auto, [])) is None
    with pytest.raises(
        PlanRefused, match="needs a person's approval .*destroys or replaces aws_s3_bucket.shared"
    ):
        resolve_approver(
            {"planned_at": "2026-01-01T00:00:00+00:00"}, None, decide(auto, ["aws_s3_bucket.shared"])
        )
