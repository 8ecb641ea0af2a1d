"""The terraform_apply safety rules on the real terraform binary and the local AWS, outside a DAG.

The DAG wires these functions; here each rule is driven directly so every refusal is exercised.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from platform_ops.local.clients import account_client
from platform_ops.registry import registry
from platform_ops.terraform import lease
from platform_ops.terraform.apply_steps import PlanRefused, apply_reviewed_plan, check_approval, make_plan
from platform_ops.terraform.cli import StalePlanError, StateLockedError, TerraformCli

# Terraform needs the state buckets and lock tables (the leases too), a plan the artifacts bucket.
pytestmark = pytest.mark.seeds("seed_shared_services", "seed_terraform_state")

STACK = "platform-core"


def _approval(after: str) -> dict:
    later = datetime.fromisoformat(after) + timedelta(seconds=1)
    return {"chosen_options": ["Approve"], "responded_at": later.isoformat(), "responded_by_user": {"name": "alice"}}


def test_stale_plans_and_unasked_destroys_are_refused(aws):
    first = make_plan(STACK, {"log_retention_days": 14}, [], False, "run-a")
    second = make_plan(STACK, {"log_retention_days": 60}, [], False, "run-b")
    apply_reviewed_plan(second, _approval(second["planned_at"]), False, "run-b")
    with pytest.raises(StalePlanError, match="stale"):
        apply_reviewed_plan(first, _approval(first["planned_at"]), False, "run-a")
    groups = account_client(aws, "dev", "logs").describe_log_groups(logGroupNamePrefix="/platform/")["logGroups"]
    assert groups[0]["retentionInDays"] == 60  # the stale plan changed nothing

    # renaming replaces the bucket and the role: refused unless the run allows destroys
    with pytest.raises(PlanRefused, match="allow_destroy=true"):
        make_plan(STACK, {"log_retention_days": 60, "name_prefix": "renamed-core"}, [], False, "run-c")


def test_a_held_state_lock_fails_with_who_holds_it(aws, monkeypatch):
    stack = registry().stack(STACK)
    info = {"ID": "5f0c1d2e", "Operation": "OperationTypeApply", "Who": "alice@laptop",
            "Version": "1.11.4", "Created": "2026-11-23T08:00:00Z", "Path": f"{stack.state_bucket}/{stack.state_key}"}  # fmt: skip
    s3 = account_client(aws, "dev", "s3")
    lock_key = f"{stack.state_key}.tflock"  # the S3 backend's lock file (use_lockfile)
    s3.put_object(Bucket=stack.state_bucket, Key=lock_key, Body=json.dumps(info).encode())
    commands: list[list[str]] = []
    run = TerraformCli.run

    def recording_run(self, argv, *args, **kwargs):
        commands.append(argv)
        return run(self, argv, *args, **kwargs)

    monkeypatch.setattr(TerraformCli, "run", recording_run)
    with pytest.raises(StateLockedError, match="Who=alice@laptop"):
        make_plan(STACK, {}, [], False, "run-f")
    # It failed at once rather than waiting for the lock: the plan was asked not to wait.
    plans = [argv for argv in commands if argv[1] == "plan"]
    assert plans and all("-lock-timeout=0s" in argv for argv in plans), plans
    held = json.loads(s3.get_object(Bucket=stack.state_bucket, Key=lock_key)["Body"].read())
    assert held == info  # never force-unlocked


def test_one_active_run_per_stack(aws):
    stack = registry().stack(STACK)
    lease.acquire(stack, "run-1", ttl_seconds=600)
    lease.acquire(stack, "run-1", ttl_seconds=600)  # a retry of the same run keeps its lease
    with pytest.raises(lease.StackBusyError, match="in use by run run-1"):
        lease.acquire(stack, "run-2", ttl_seconds=600)
    assert lease.release(stack, "run-2") is False  # nobody releases another run's lease
    assert lease.release(stack, "run-1") is True
    lease.acquire(stack, "run-2", ttl_seconds=600)


def test_an_expired_lease_does_not_block_forever(aws):
    stack = registry().stack(STACK)
    lease.acquire(stack, "crashed-run", ttl_seconds=-1)
    lease.acquire(stack, "next-run", ttl_seconds=600)


def test_approval_rules():
    review = {"planned_at": datetime.now(UTC).isoformat()}
    assert check_approval(review, _approval(review["planned_at"])) == "alice"
    with pytest.raises(PlanRefused, match="not approved"):
        check_approval(review, {"chosen_options": ["Reject"]})
    with pytest.raises(PlanRefused, match="not approved"):
        check_approval(review, None)
    earlier = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    with pytest.raises(PlanRefused, match="predates this plan"):
        check_approval(review, {"chosen_options": ["Approve"], "responded_at": earlier})
