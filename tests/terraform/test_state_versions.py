"""State versions: addresses as terraform prints them, the diff a restore review shows, the listing."""

from __future__ import annotations

from platform_ops.local.clients import account_client
from platform_ops.registry import registry
from platform_ops.terraform.state_versions import address_diff, list_versions, state_addresses

STATE = {
    "version": 4,
    "lineage": "l-1",
    "resources": [
        {"mode": "managed", "type": "aws_s3_bucket", "name": "shared", "instances": [{"attributes": {}}]},
        {"mode": "data", "type": "aws_caller_identity", "name": "current", "instances": [{}]},
        {"module": "module.net", "mode": "managed", "type": "aws_subnet", "name": "private",
         "instances": [{"index_key": 0}, {"index_key": 1}]},
        {"module": 'module.eks["blue"]', "mode": "managed", "type": "aws_eks_node_group", "name": "this",
         "instances": [{"index_key": "system"}]},
        {"mode": "managed", "type": "aws_iam_role", "name": "gone", "instances": []},
    ],
}  # fmt: skip


def test_addresses_are_the_ones_terraform_prints():
    assert state_addresses(STATE) == [
        "aws_s3_bucket.shared",
        "data.aws_caller_identity.current",
        'module.eks["blue"].aws_eks_node_group.this["system"]',
        "module.net.aws_subnet.private[0]",
        "module.net.aws_subnet.private[1]",
    ]


def test_the_diff_names_what_comes_back_and_what_is_forgotten():
    assert address_diff(["a.x", "b.y"], ["b.y", "c.z"]) == {
        "forgotten": ["a.x"],
        "brought_back": ["c.z"],
        "unchanged": 1,
    }


def test_versions_of_the_state_object_only_newest_first(aws):
    stack = registry().stack("platform-core")
    s3 = account_client(aws, stack.account.name, "s3")
    ids = [
        s3.put_object(Bucket=stack.state_bucket, Key=stack.state_key, Body=b"{}" * n)["VersionId"]
        for n in (1, 2)
    ]
    s3.put_object(Bucket=stack.state_bucket, Key=f"{stack.state_key}.tflock", Body=b"{}")  # same prefix
    versions = list_versions(stack, s3)
    assert [v.version_id for v in versions] == ids[::-1]
    assert [(v.size, v.is_latest) for v in versions] == [(4, True), (2, False)]
    s3.delete_object(Bucket=stack.state_bucket, Key=stack.state_key)
    latest = list_versions(stack, s3)[0]
    assert latest.delete_marker and latest.is_latest
