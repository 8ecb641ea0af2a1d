"""terraform_drift three times against the local AWS: quiet, drift found and notified once, quiet."""

from __future__ import annotations

import json

import pytest
from platform_ops.local.clients import account_client
from platform_ops.local.seed import read_notifications
from platform_ops.registry import registry

from tests.dagrun import run_dag, task_states
from tests.stacks import apply_stack

# Terraform needs the state buckets and lock tables, the DAG the artifacts bucket and the topic.
pytestmark = pytest.mark.seeds("seed_shared_services", "seed_terraform_state")

CONF = {"stacks": ["platform-core"]}


def _latest_report(endpoint: str) -> dict:
    s3 = account_client(endpoint, "shared-services", "s3")
    body = s3.get_object(Bucket=registry().artifacts_bucket, Key="terraform/drift/platform-core/latest.json")["Body"]
    return json.loads(body.read())


def test_drift_is_reported_per_resource_and_notified_once(airflow_db, aws):
    apply_stack(aws, "platform-core")

    first = run_dag("terraform_drift", conf=CONF)
    assert str(first.state) == "success", task_states(first)
    assert read_notifications(aws) == []
    assert _latest_report(aws)["has_drift"] is False

    # someone changes the log retention by hand, outside Terraform
    account_client(aws, "dev", "logs").put_retention_policy(
        logGroupName="/platform/platform-core", retentionInDays=90
    )
    second = run_dag("terraform_drift", conf=CONF)
    assert str(second.state) == "success", task_states(second)
    messages = read_notifications(aws)
    assert len(messages) == 1, messages
    assert "aws_cloudwatch_log_group.platform" in messages[0]["message"]
    assert "retention_in_days: 90 → 30" in messages[0]["message"]  # what the plan would do, not just where
    report = _latest_report(aws)
    entry = next(d for d in report["drifted"] if d["address"] == "aws_cloudwatch_log_group.platform")
    assert "retention_in_days" in entry["attributes"]
    assert entry["source"] in {"drift", "plan"}
    assert {"path": "retention_in_days", "before": "30", "after": "90"} in entry["changes"] or {
        "path": "retention_in_days", "before": "90", "after": "30"} in entry["changes"]  # fmt: skip

    third = run_dag("terraform_drift", conf=CONF)
    assert str(third.state) == "success", task_states(third)
    assert read_notifications(aws) == []  # the same drift again is not news
