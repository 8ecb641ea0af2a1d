"""The drift report and its ignore list, on plan JSON shaped like `terraform show -json` output."""

from __future__ import annotations

import copy
import json

import pytest
from platform_ops.local.clients import account_client
from platform_ops.local.seed import read_notifications
from platform_ops.terraform.drift import (
    changed_attributes,
    drift_report,
    eks_nodegroup_mismatches,
    load_ignore_rules,
)


def _rc(address, actions, before=None, after=None, mode="managed", **masks):
    change = {"actions": actions, "before": before, "after": after, **masks}
    return {"address": address, "mode": mode, "change": change}


PLAN = {
    "relevant_attributes": [
        {"resource": "aws_cloudwatch_log_group.platform", "attribute": ["retention_in_days"]},
        {"resource": "module.eks.aws_eks_node_group.spot", "attribute": ["scaling_config"]},
        {"resource": "aws_s3_bucket.shared", "attribute": ["tags_all"]},
    ],
    "resource_drift": [
        _rc("aws_iam_role.noise", ["update"], {"tags": None, "inline_policy": []}, {"tags": {}, "inline_policy": [{"n": 1}]}),
        _rc("aws_cloudwatch_log_group.platform", ["update"], {"retention_in_days": 30}, {"retention_in_days": 90}),
        _rc("module.eks.aws_eks_node_group.spot", ["update"],
            {"scaling_config": [{"desired_size": 2}]}, {"scaling_config": [{"desired_size": 5}]}),
        _rc("aws_s3_bucket.shared", ["update"], {"tags_all": {"a": "1"}}, {"tags_all": {"a": "2"}}),
    ],
    "resource_changes": [
        _rc("aws_cloudwatch_log_group.platform", ["update"], {"retention_in_days": 90}, {"retention_in_days": 30}),
        _rc("aws_iam_role.new", ["create"], None, {"name": "x"}),
        _rc("aws_iam_role.gone", ["delete"], {"name": "y"}, None),
        _rc("data.aws_caller_identity.current", ["read"], mode="data"),
        _rc("aws_s3_bucket.same", ["no-op"], {"a": 1}, {"a": 1}),
    ],
}  # fmt: skip


def test_report_lists_drift_and_changes_with_attributes_and_applies_the_ignore_list():
    report = drift_report("core", PLAN, load_ignore_rules())
    addresses = {(d["address"], d["source"]) for d in report["drifted"]}
    assert ("aws_cloudwatch_log_group.platform", "drift") in addresses
    assert ("aws_cloudwatch_log_group.platform", "plan") in addresses
    assert ("aws_iam_role.gone", "plan") in addresses
    assert not any("aws_eks_node_group" in a for a, _ in addresses)  # scaling_config is ignored
    assert not any(a == "aws_s3_bucket.shared" for a, _ in addresses)  # tags_all is ignored
    assert not any(a == "aws_iam_role.noise" for a, _ in addresses)  # not relevant to the plan: refresh noise
    assert report["pending_creates"] == ["aws_iam_role.new"]
    entry = next(d for d in report["drifted"] if d["source"] == "drift")
    assert entry["attributes"] == ["retention_in_days"]


SECRET = "hunter2-s3cr3t"
SENSITIVE_PLAN = {
    "relevant_attributes": [{"resource": "aws_db_instance.main", "attribute": ["password"]}],
    "resource_drift": [_rc("aws_db_instance.main", ["update"], {"password": SECRET}, {"password": "x-" + SECRET},
                           before_sensitive={"password": True}, after_sensitive={"password": True})],
    "resource_changes": [_rc("aws_cloudwatch_log_group.platform", ["update"],
                             {"retention_in_days": 90}, {"retention_in_days": 30})],
}  # fmt: skip


def test_report_shows_the_changed_values_masked():
    report = drift_report("core", PLAN, load_ignore_rules())
    entry = next(d for d in report["drifted"] if d["source"] == "drift")
    assert entry["changes"] == [{"path": "retention_in_days", "before": "30", "after": "90"}]
    sensitive = drift_report("core", SENSITIVE_PLAN, [])
    db = next(d for d in sensitive["drifted"] if d["address"] == "aws_db_instance.main")
    assert db["changes"] == [{"path": "password", "before": "(sensitive value)", "after": "(sensitive value)"}]
    assert SECRET not in json.dumps(sensitive)


def test_fingerprint_follows_which_attributes_drifted_not_their_values():
    moved = copy.deepcopy(PLAN)
    moved["resource_drift"][1]["change"]["after"]["retention_in_days"] = 120
    rules = load_ignore_rules()
    assert drift_report("core", moved, rules)["fingerprint"] == drift_report("core", PLAN, rules)["fingerprint"]


def test_the_notice_lists_the_changed_attributes_masked(aws):
    from platform_ops.aws.artifacts import ArtifactStore
    from platform_ops.terraform.drift_steps import notify_changes

    report = drift_report("platform-core", SENSITIVE_PLAN, [])
    key = "terraform/drift/platform-core/runs/manual__1.json"
    ArtifactStore().put_json(key, report)
    result = {"stack": "platform-core", "report_key": key, "fingerprint": report["fingerprint"],
              "has_drift": True, "drifted": [d["address"] for d in report["drifted"]], "eks_nodegroups": []}  # fmt: skip
    assert notify_changes([result])["notified"] is True
    (notice,) = read_notifications(aws)
    assert "aws_cloudwatch_log_group.platform (plan: update)\n      retention_in_days: 90 → 30" in notice["message"]
    assert "aws_db_instance.main (drift: update)\n      password: (sensitive value) → (sensitive value)" in (
        notice["message"]
    )
    assert SECRET not in notice["message"]


def test_fingerprint_is_stable_and_moves_only_with_the_drift():
    rules = load_ignore_rules()
    assert drift_report("core", PLAN, rules)["fingerprint"] == drift_report("core", PLAN, rules)["fingerprint"]
    assert drift_report("core", {}, rules)["fingerprint"] != drift_report("core", PLAN, rules)["fingerprint"]
    assert drift_report("core", {}, rules)["has_drift"] is False


def test_changed_attributes_walks_nested_values():
    before = {"a": 1, "b": {"c": [1, 2]}, "d": "x"}
    after = {"a": 1, "b": {"c": [1, 3]}, "e": "y", "f": {}}
    assert changed_attributes(before, after) == ["b.c[1]", "d", "e"]  # f: null read back as {} is not drift


def test_ignore_rules_need_a_reason(tmp_path):
    path = tmp_path / "ignore.json"
    path.write_text('{"rules": [{"address": "*", "attributes": ["tags"]}]}')
    with pytest.raises(ValueError, match="needs address, attributes and reason"):
        load_ignore_rules(path)


def test_eks_nodegroups_in_aws_are_compared_with_state(aws):
    eks = account_client(aws, "dev", "eks")
    eks.create_cluster(name="apps", roleArn="arn:aws:iam::444444444444:role/eks",
                       resourcesVpcConfig={"subnetIds": ["subnet-1"]})  # fmt: skip
    for name in ("on-demand", "hand-made"):
        eks.create_nodegroup(clusterName="apps", nodegroupName=name, subnets=["subnet-1"],
                             nodeRole="arn:aws:iam::444444444444:role/node")  # fmt: skip
    state = [
        {"type": "aws_eks_cluster", "values": {"name": "apps"}},
        {"type": "aws_eks_node_group", "values": {"cluster_name": "apps", "node_group_name": "on-demand"}},
        {"type": "aws_eks_node_group", "values": {"cluster_name": "apps", "node_group_name": "spot"}},
    ]

    def list_nodegroups(cluster):
        return eks.list_nodegroups(clusterName=cluster)["nodegroups"]

    assert eks_nodegroup_mismatches(state, list_nodegroups) == [
        {"cluster": "apps", "nodegroup": "hand-made", "problem": "unmanaged"},
        {"cluster": "apps", "nodegroup": "spot", "problem": "missing"},
    ]


def test_plan_summary_counts_and_flags_replacements():
    from platform_ops.terraform.plan_summary import summarize_plan

    plan = {"resource_changes": [
        _rc("aws_s3_bucket.a", ["create"]), _rc("aws_iam_role.b", ["delete", "create"]),
        _rc("aws_iam_role.c", ["update"]), _rc("aws_sqs_queue.d", ["delete"]),
        _rc("aws_sqs_queue.e", ["no-op"]), _rc("data.x.y", ["read"], mode="data"),
    ]}  # fmt: skip
    summary = summarize_plan(plan)
    assert (summary.adds, summary.changes, summary.destroys, summary.replaces) == (1, 1, 1, 1)
    assert summary.destroying == ["aws_sqs_queue.d", "aws_iam_role.b"] or set(summary.destroying) == {
        "aws_sqs_queue.d", "aws_iam_role.b"}
    assert "| replace | `aws_iam_role.b` |" in summary.markdown("core")
