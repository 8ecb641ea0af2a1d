"""terraform_apply end to end: dag.test() against the local AWS with the real terraform binary.

The approval gate is answered through the core API's hitlDetails route, as a person in the UI would.
"""

from __future__ import annotations

import json

import pytest
from platform_ops.local.clients import account_client
from platform_ops.registry import registry

from tests.dagrun import assert_refused_before_a_run_exists, run_dag, task_states
from tests.stacks import apply_stack
from tests.terraform.state_tools import approval_body

# Terraform needs the state buckets and lock tables, the DAG the artifacts bucket and the topic.
pytestmark = pytest.mark.seeds("seed_shared_services", "seed_terraform_state")

STACK = "platform-core"
BUCKET = "platform-core-444444444444-eu-west-1"  # the stack's bucket in the dev account


def _artifacts(endpoint: str) -> list[str]:
    s3 = account_client(endpoint, "shared-services", "s3")
    listing = s3.list_objects_v2(Bucket=registry().artifacts_bucket, Prefix="terraform/plans/")
    return [o["Key"] for o in listing.get("Contents", [])]


def _lease_rows(endpoint: str) -> list[dict]:
    ddb = account_client(endpoint, "dev", "dynamodb")
    items = ddb.scan(TableName=registry().stack(STACK).lock_table)["Items"]
    return [i for i in items if i["LockID"]["S"].startswith("platform-ops-run-lease/")]


def _artifact(endpoint: str, suffix: str) -> dict:
    key = next(k for k in _artifacts(endpoint) if k.endswith(suffix))
    s3 = account_client(endpoint, "shared-services", "s3")
    return json.loads(s3.get_object(Bucket=registry().artifacts_bucket, Key=key)["Body"].read())


def test_approved_plan_is_applied_exactly(airflow_db, aws):
    dag_run = run_dag(
        "terraform_apply",
        conf={"stack": STACK, "vars": {"log_retention_days": 14}},
        answers={"approve": "Approve"},
    )
    states = task_states(dag_run)
    assert states["apply"] == "success", states
    assert str(dag_run.state) == "success"

    s3 = account_client(aws, "dev", "s3")
    assert BUCKET in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    logs = account_client(aws, "dev", "logs")
    groups = logs.describe_log_groups(logGroupNamePrefix="/platform/platform-core")["logGroups"]
    assert groups[0]["retentionInDays"] == 14  # the var given at trigger time reached the apply
    # nothing landed in another account
    assert BUCKET not in [b["Name"] for b in account_client(aws, "staging", "s3").list_buckets()["Buckets"]]

    keys = _artifacts(aws)
    assert any(k.endswith("/tfplan") for k in keys)
    record = _artifact(aws, "/apply-record.json")
    assert record["counts"]["adds"] == 7
    assert record["outputs"]["bucket_name"] == BUCKET
    assert record["approved_by"]  # who approved is on record
    assert _lease_rows(aws) == []  # the stack is free again
    assert "| | | `retention_in_days` | `null` → `14` |" in approval_body(dag_run)  # what a create sets


def test_the_reviewer_sees_each_changed_attribute(airflow_db, aws):
    apply_stack(aws, STACK)  # retention 30, the stack's default
    dag_run = run_dag(
        "terraform_apply",
        conf={"stack": STACK, "vars": {"log_retention_days": 60}},
        answers={"approve": "Approve"},
    )
    assert task_states(dag_run)["apply"] == "success", task_states(dag_run)
    body = approval_body(dag_run)
    assert "| change | `aws_cloudwatch_log_group.platform` | `retention_in_days` | `30` → `60` |" in body
    assert "0 to add, 1 to change" in body and "Plan SHA-256" in body
    summary = _artifact(aws, "/plan-summary.json")
    (resource,) = summary["resources"]
    assert resource["attributes"] == [{"path": "retention_in_days", "before": "30", "after": "60"}]
    groups = account_client(aws, "dev", "logs").describe_log_groups(logGroupNamePrefix="/platform/")["logGroups"]
    assert groups[0]["retentionInDays"] == 60


def test_rejected_plan_applies_nothing(airflow_db, aws):
    dag_run = run_dag("terraform_apply", conf={"stack": STACK}, answers={"approve": "Reject"})
    states = task_states(dag_run)
    assert states["plan"] == "success"
    assert states["apply"] == "skipped"
    assert states["release_stack"] == "success"
    assert BUCKET not in [b["Name"] for b in account_client(aws, "dev", "s3").list_buckets()["Buckets"]]
    assert not any(k.endswith("apply-record.json") for k in _artifacts(aws))
    assert _lease_rows(aws) == []


@pytest.mark.parametrize(
    "conf",
    [
        {"stack": "no-such-stack"},
        {"stack": STACK, "vars": "log_retention_days=14"},
        {"stack": STACK, "targets": "aws_s3_bucket.shared"},
        {"stack": STACK, "targets": ["aws_s3_bucket.shared; rm -rf"]},
        {"stack": STACK, "allow_destroy": "yes"},
    ],
)
def test_bad_params_are_refused_before_a_run_exists(airflow_db, conf):
    assert_refused_before_a_run_exists("terraform_apply", conf)
