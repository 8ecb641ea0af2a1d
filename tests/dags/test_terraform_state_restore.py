"""terraform_state_restore end to end: state versions written by the real terraform, the local AWS.

The history: platform-core applied (the version to go back to), then someone's
``terraform state rm`` of the log group (the accident). The restore brings the log group back.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from platform_ops.local.clients import account_client
from platform_ops.registry import registry
from platform_ops.terraform import lease
from platform_ops.terraform.state_restore_steps import backup_key, record_key
from platform_ops.terraform.workspace import stack_workspace

from tests.dagrun import assert_refused_before_a_run_exists, run_dag, task_states
from tests.stacks import account_credentials
from tests.terraform.state_tools import (
    approval_body,
    mutating,
    recorded_calls,
)

DAG = "terraform_state_restore"
STACK = "platform-core"
LOG_GROUP = "aws_cloudwatch_log_group.platform"


def _s3(endpoint: str):
    return account_client(endpoint, registry().stack(STACK).account.name, "s3")


def _versions(endpoint: str) -> list[str]:
    stack = registry().stack(STACK)
    listing = _s3(endpoint).list_object_versions(Bucket=stack.state_bucket, Prefix=stack.state_key)
    return [v["VersionId"] for v in listing.get("Versions", []) if v["Key"] == stack.state_key]


def _sha(endpoint: str, key: str | None = None, version_id: str | None = None) -> str:
    stack = registry().stack(STACK)
    extra = {"VersionId": version_id} if version_id else {}
    body = (
        _s3(endpoint)
        .get_object(Bucket=stack.state_bucket, Key=key or stack.state_key, **extra)["Body"]
        .read()
    )
    return hashlib.sha256(body).hexdigest()


@pytest.fixture
def state_history(aws) -> dict:
    """Apply the stack, note its state version, then lose the log group from state by hand."""
    stack = registry().stack(STACK)
    with stack_workspace(stack, account_credentials(aws, stack.account.name), aws) as tf:
        tf.plan("tfplan", variables=stack.vars)
        tf.apply_plan("tfplan")
        good = _s3(aws).head_object(Bucket=stack.state_bucket, Key=stack.state_key)["VersionId"]
        tf.run(tf.argv("state rm", LOG_GROUP))
    broken = _s3(aws).head_object(Bucket=stack.state_bucket, Key=stack.state_key)["VersionId"]
    assert good != broken
    return {"good": good, "broken": broken}


def _record(endpoint: str, dag_run) -> dict:
    s3 = account_client(endpoint, "shared-services", "s3")
    body = s3.get_object(Bucket=registry().artifacts_bucket, Key=record_key(STACK, dag_run.run_id))["Body"]
    return json.loads(body.read())


def test_a_reviewed_version_is_restored_after_a_backup_and_verified(airflow_db, aws, state_history):
    good, broken = state_history["good"], state_history["broken"]
    before = _versions(aws)
    conf = {"stack": STACK, "version_id": good}

    with recorded_calls() as calls:
        listing = run_dag(DAG, conf={"stack": STACK})
        dry = run_dag(DAG, conf={**conf, "dry_run": True})
    for dag_run in (listing, dry):
        states = task_states(dag_run)
        assert states["review_restore"] == "success" and states["approve"] == "skipped", states
        assert states["restore_version"] == "skipped" and str(dag_run.state) == "success", states
    assert mutating(calls) == [], calls
    assert _versions(aws) == before

    # Another run holds the stack: refused before anything is read or written.
    lease.acquire(
        registry().stack(STACK), holder="manual__an-apply", ttl_seconds=600, dag_id="terraform_apply"
    )
    busy = run_dag(DAG, conf=conf)
    lease.release(registry().stack(STACK), holder="manual__an-apply")
    assert (
        task_states(busy)["lock_stack"] == "failed"
        and task_states(busy)["review_restore"] == "upstream_failed"
    )
    assert _versions(aws) == before

    restored = run_dag(DAG, conf=conf, answers={"approve": "Approve"})
    states = task_states(restored)
    assert states["verify_restore"] == "success" and states["release_stack"] == "success", states
    body = approval_body(restored)
    assert f"**Brought back** (in the chosen version, not in the current state): `{LOG_GROUP}`" in body, body
    assert "**Forgotten** " in body and "unmanaged, and the next plan would create them again): none" in body
    assert f"| `{good}` |" in body and "**restore this**" in body

    assert _sha(aws) == _sha(aws, version_id=good)  # the current state is the chosen version's bytes
    assert len(_versions(aws)) == len(before) + 1 and broken in _versions(aws)  # new version, none lost
    record = _record(aws, restored)
    assert record["backup"]["of_version_id"] == broken
    assert _sha(aws, key=backup_key(registry().stack(STACK), restored.run_id)) == _sha(aws, version_id=broken)
    assert record["verify"]["addresses_match"] is True
    assert record["verify"]["plan_counts"] == {"adds": 0, "changes": 0, "destroys": 0, "replaces": 0}
    assert record["approved_by"] and record["diff"]["brought_back"] == [LOG_GROUP]


@pytest.mark.parametrize(
    "conf",
    [
        {"stack": "no-such-stack"},
        {"stack": STACK, "version_id": ""},
        {"stack": STACK, "version_id": "abc def"},
        {"stack": STACK, "version_id": "x" * 1025},
        {"stack": STACK, "dry_run": "yes"},
    ],
)
def test_bad_params_are_refused_before_a_run_exists(airflow_db, conf):
    assert_refused_before_a_run_exists(DAG, conf)
