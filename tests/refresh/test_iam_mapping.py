"""The IAM <-> ASL cross-check's own rules (platform_ops.stepfunctions.iam), on small inputs.

The cross-check over asl/ and the modules' plans is tests/refresh/test_refresh_infra.py; these
tests make sure the rules it applies can fail.
"""

from __future__ import annotations

import json

import pytest
from platform_ops.stepfunctions import iam

SOURCE_CONTRACT = {"properties": {"SourceAccount": {"properties": {"RoleArn": {"type": "string"}}}}}


@pytest.mark.parametrize(
    ("resource", "actions"),
    [
        ("arn:aws:states:::aws-sdk:efs:describeFileSystems", ("elasticfilesystem:DescribeFileSystems",)),
        ("arn:aws:states:::aws-sdk:resourcegroupstaggingapi:tagResources", ("tag:TagResources",)),
        ("arn:aws:states:::aws-sdk:sfn:describeExecution", ("states:DescribeExecution",)),
        ("arn:aws:states:::aws-sdk:rds:describeDBClusters", ("rds:DescribeDBClusters",)),
        ("arn:aws:states:::aws-sdk:s3:listObjectsV2", ("s3:ListBucket",)),
        ("arn:aws:states:::aws-sdk:lambda:invoke", ("lambda:InvokeFunction",)),
        ("arn:aws:states:::lambda:invoke", ("lambda:InvokeFunction",)),
        ("arn:aws:states:::sqs:sendMessage", ("sqs:SendMessage",)),
        ("arn:aws:states:::events:putEvents", ("events:PutEvents",)),
        ("arn:aws:states:::eks:runJob.sync", ()),
        ("arn:aws:states:::eks:call", ()),
    ],
)
def test_resource_to_iam_action(resource, actions):
    assert iam.iam_action(resource) == actions


def test_sync_start_execution_needs_describe_and_stop():
    actions = iam.iam_action("arn:aws:states:::states:startExecution.sync:2")
    assert {"states:StartExecution", "states:DescribeExecution", "states:StopExecution"} <= set(actions)


def test_unknown_integration_and_unknown_operation_are_errors():
    with pytest.raises(ValueError, match="no IAM mapping"):
        iam.iam_action("arn:aws:states:::glue:startJobRun")
    with pytest.raises(ValueError, match="botocore"):
        iam.iam_action("arn:aws:states:::aws-sdk:rds:describeNothing")


def test_role_arn_parameters_need_pass_role_and_implied_actions_follow_parameters():
    state = {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:efs:createReplicationConfiguration",
        "Parameters": {
            "SourceFileSystemId": "fs-1",
            "Destinations": [{"Region": "eu-west-1", "RoleArn.$": "$.R"}],
        },
    }
    assert "iam:PassRole" in {a for a, _ in iam.task_actions(state)}
    create = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:efs:createFileSystem", "Parameters": {}}
    assert {a for a, _ in iam.task_actions(create)} == {"elasticfilesystem:CreateFileSystem"}
    create["Parameters"] = {"KmsKeyId.$": "$.Key", "Tags": [{"Key": "refresh", "Value": "true"}]}
    assert {a for a, _ in iam.task_actions(create)} == {
        "elasticfilesystem:CreateFileSystem",
        "elasticfilesystem:TagResource",
        "kms:CreateGrant",
        "kms:DescribeKey",
    }
    mount = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:efs:createMountTarget", "Parameters": {}}
    assert "ec2:CreateNetworkInterface" in {a for a, _ in iam.task_actions(mount)}


def test_credentials_role_comes_from_the_contract():
    state = {"Credentials": {"RoleArn.$": "$.SourceAccount.RoleArn"}}
    assert iam.credentials_role(state, SOURCE_CONTRACT) == "source"
    assert iam.credentials_role({}, SOURCE_CONTRACT) == "execution"
    with pytest.raises(iam.ContractError, match="declares no account role"):
        iam.credentials_role({"Credentials": {"RoleArn.$": "$.DestinationAccount.RoleArn"}}, SOURCE_CONTRACT)
    with pytest.raises(iam.ContractError, match="declares no account role"):
        iam.credentials_role({"Credentials": {"RoleArn.$": "$.Other.RoleArn"}}, {"properties": {"Other": {}}})


def _plan(role: str, statements: list[dict]) -> dict:
    policy = json.dumps({"Version": "2012-10-17", "Statement": statements})
    resource = {"address": "x", "mode": "managed", "type": "aws_iam_role_policy",
                "values": {"role": role, "policy": policy}}  # fmt: skip
    return {"planned_values": {"root_module": {"child_modules": [{"resources": [resource]}]}}}


def test_cross_check_reports_missing_unused_and_stale():
    definition = {
        "StartAt": "Describe",
        "States": {
            "Describe": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:rds:describeDBClusters",
                "Credentials": {"RoleArn.$": "$.SourceAccount.RoleArn"},
                "Parameters": {},
                "Next": "Snapshot",
            },
            "Snapshot": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:rds:createDBClusterSnapshot",
                "Credentials": {"RoleArn.$": "$.SourceAccount.RoleArn"},
                "Parameters": {
                    "DbClusterIdentifier": "a",
                    "DbClusterSnapshotIdentifier": "b",
                    "Tags": [{"Key": "k"}],
                },
                "End": True,
            },
        },
    }
    needs = iam.machine_needs("db/x", definition, SOURCE_CONTRACT)
    grants = {
        **iam.role_grants(_plan("src", [{"Effect": "Allow", "Action": ["rds:Describe*", "rds:CreateDBClusterSnapshot",
                                                                        "rds:DeleteDBCluster"], "Resource": "*"}])),
        **iam.role_grants(_plan("exec", [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn"},
                                         {"Effect": "Allow", "Action": "logs:GetLogDelivery", "Resource": "*"}])),
    }  # fmt: skip
    roles = {"source": "src", "execution": "exec"}
    report = iam.cross_check(needs, grants, roles, {"execution": {"logs:GetLogDelivery": "log delivery"}})
    assert [(n.state, n.role, n.action) for n in report.missing] == [
        ("Snapshot", "source", "rds:AddTagsToResource")
    ]
    assert [g.action for g in report.unused] == ["rds:DeleteDBCluster"]
    assert report.stale_allowances == []
    stale = iam.cross_check(needs, grants, roles, {"execution": {"logs:PutResourcePolicy": "gone"}})
    assert stale.stale_allowances == ["execution logs:PutResourcePolicy: no such grant"]
    assert "MISSING db/x Snapshot role=source rds:AddTagsToResource" in iam.format_report(report)
