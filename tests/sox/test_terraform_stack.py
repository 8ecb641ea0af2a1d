"""The sox-pg01 stack (and its module) planned and applied against the local AWS with real terraform.

The lead's runner (``platform_ops.terraform.workspace``) copies the stack and the modules to a
temporary directory, adds the local-endpoint override and uses the image's hashicorp/aws provider
mirror. The landing zone the stack expects (VPC, private subnets, the DB secret) is created first,
as a platform team would have it. The local AWS is reset without the SOX seeder: the stack must
build everything itself. Then one ECS task runs on what Terraform built, and the container double
writes its evidence into the Terraform-made bucket.
"""

from __future__ import annotations

import json
import logging

import pytest
from platform_ops.local.clients import account_client
from platform_ops.local.seed import seed_shared_services
from platform_ops.local.sox_seed import (
    LOCAL_DB_CONNECTION_STRING,
    LOCAL_IMAGE_DIGEST,
    SECRET_NAME,
    create_network,
)
from platform_ops.registry import REPO_ROOT, Stack, registry
from platform_ops.sox.config import load_config
from platform_ops.sox.contract import container_overrides
from platform_ops.terraform.workspace import stack_workspace

from tests.stacks import account_credentials
from tests.waiting import wait_until

ACCOUNT, REGION = "production", "eu-west-1"


def _backend(endpoint: str, stack: Stack) -> None:
    s3 = account_client(endpoint, ACCOUNT, "s3", REGION)
    if stack.state_bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=stack.state_bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    dynamodb = account_client(endpoint, ACCOUNT, "dynamodb", REGION)
    if stack.lock_table not in dynamodb.list_tables()["TableNames"]:
        dynamodb.create_table(
            TableName=stack.lock_table,
            AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )


@pytest.fixture(scope="module")
def applied(local_aws):
    """Apply the stack once to a fresh local AWS: (endpoint, variables, outputs, plan, replan changes)."""
    endpoint = local_aws.endpoint
    local_aws.reset()
    seed_shared_services(endpoint)
    stack = Stack(
        name="sox-pg01",
        path="terraform/stacks/sox-pg01",
        account=registry().account(ACCOUNT),
        region=REGION,
        drift_check=True,
    )
    assert stack.directory == REPO_ROOT / "terraform" / "stacks" / "sox-pg01"
    _backend(endpoint, stack)
    network = create_network(account_client(endpoint, ACCOUNT, "ec2", REGION), REGION, name="landing-zone")
    secret = account_client(endpoint, ACCOUNT, "secretsmanager", REGION).create_secret(
        Name=SECRET_NAME, SecretString=LOCAL_DB_CONNECTION_STRING
    )
    account_client(endpoint, ACCOUNT, "iam", REGION).create_role(
        RoleName="airflow-sox",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )
    variables = {
        "vpc_id": network["vpc_id"],
        "subnet_ids": network["awsvpcConfiguration"]["subnets"],
        "db_secret_arn": secret["ARN"],
        "db_cidr_blocks": ["10.200.16.0/24"],
        "image_digest": LOCAL_IMAGE_DIGEST,
        "object_lock_enabled": True,
        "airflow_role_names": ["airflow-sox"],
    }
    log = logging.getLogger("tests.sox.terraform")
    with stack_workspace(stack, account_credentials(endpoint, ACCOUNT), endpoint, 600, log) as tf:
        assert tf.plan("tfplan", variables=variables), "a first plan must have changes"
        planned = tf.show_json("tfplan")
        tf.apply_plan("tfplan")
        outputs = tf.output()
        replanned = tf.plan("replan", variables=variables) and _moto_only_changes(tf.show_json("replan"))
    return endpoint, variables, outputs, planned, replanned


# The local AWS answers GetQueueAttributes' RedrivePolicy as `json.dumps` does (", " and ": "),
# AWS without spaces; the provider then plans a whitespace-only update of the event queue, and
# what reads the queue (its policy document, the Airflow policy) becomes "known after apply".
# Nothing else may change on a second plan.
MOTO_REDRIVE_QUEUE = "module.native_events.aws_sqs_queue.events"


def _moto_only_changes(plan: dict) -> list[str]:
    """The replan's changes other than the local AWS's RedrivePolicy whitespace (empty: clean)."""
    other = []
    for change in plan["resource_changes"]:
        actions, address = change["change"]["actions"], change["address"]
        if actions in (["no-op"], ["read"]):
            continue
        before, after = change["change"]["before"] or {}, change["change"]["after"] or {}
        unknown = change["change"].get("after_unknown") or {}
        differs = {k for k in before if before.get(k) != after.get(k) and not unknown.get(k)}
        if address == MOTO_REDRIVE_QUEUE and actions == ["update"]:
            same = json.loads(before["redrive_policy"]) == json.loads(after["redrive_policy"])
            differs -= {"redrive_policy"} if same else set()
        if actions != ["update"] or differs:
            other.append(f"{address}: {actions} {sorted(differs)}")
    return other


def test_stack_builds_what_the_dag_config_expects(applied):
    endpoint, variables, outputs, planned, replanned = applied
    config = load_config()
    assert outputs["cluster_name"] == config.ecs["cluster"]
    assert outputs["task_definition_family"] == config.ecs["task_definition"] == "soxauto-pg01"
    assert outputs["container_name"] == config.ecs["container_name"]
    assert outputs["log_group_name"] == config.ecs["log_group"]
    assert outputs["evidence_bucket"] == config.bucket
    assert outputs["network_parameter_name"] == config.ecs["network"]["ssm_parameter"]
    assert outputs["event_queue_parameter_name"] == config.ecs["event_queue"]["ssm_parameter"]
    rules = [r for r in planned["resource_changes"] if r["type"] == "aws_cloudwatch_event_rule"]
    # Airflow schedules it (no EventBridge schedule): the one rule is the native-events ECS rule
    assert [r["change"]["after"].get("schedule_expression") for r in rules] == [None], rules
    assert [r["address"] for r in rules] == ['module.native_events.aws_cloudwatch_event_rule.wait["ecs"]']
    assert not replanned, f"a second plan right after apply must be clean: {replanned}"


def test_task_definition_pins_the_image_and_injects_the_secret_only_via_secrets(applied):
    endpoint, variables, outputs, _, _ = applied
    ecs = account_client(endpoint, ACCOUNT, "ecs", REGION)
    definition = ecs.describe_task_definition(taskDefinition="soxauto-pg01")["taskDefinition"]
    assert definition["requiresCompatibilities"] == ["FARGATE"] and definition["networkMode"] == "awsvpc"
    assert (definition["cpu"], definition["memory"]) == ("2048", "4096")
    (container,) = definition["containerDefinitions"]
    assert container["name"] == "soxauto-pg01"
    assert container["image"] == f"{outputs['ecr_repository_url']}@{LOCAL_IMAGE_DIGEST}"
    assert container["secrets"] == [{"name": "DB_CONNECTION_STRING", "valueFrom": variables["db_secret_arn"]}]
    assert "DB_CONNECTION_STRING" not in json.dumps(container.get("environment", []))
    assert container["readonlyRootFilesystem"] is True and container["memory"] == 4096
    assert container["logConfiguration"]["options"]["awslogs-group"] == "/ecs/soxauto-pg01"
    (cluster,) = ecs.describe_clusters(clusters=["sox-pg01"], include=["SETTINGS"])["clusters"]
    assert {"name": "containerInsights", "value": "enabled"} in cluster["settings"]

    logs = account_client(endpoint, ACCOUNT, "logs", REGION)
    (group,) = logs.describe_log_groups(logGroupNamePrefix="/ecs/soxauto-pg01")["logGroups"]
    assert group["retentionInDays"] == 400 and group.get("kmsKeyId")
    ecr = account_client(endpoint, ACCOUNT, "ecr", REGION)
    (repo,) = ecr.describe_repositories(repositoryNames=["soxauto-pg01"])["repositories"]
    assert (
        repo["imageScanningConfiguration"]["scanOnPush"] is True and repo["imageTagMutability"] == "IMMUTABLE"
    )
    assert json.loads(ecr.get_lifecycle_policy(repositoryName="soxauto-pg01")["lifecyclePolicyText"])["rules"]


def test_evidence_bucket_is_versioned_encrypted_private_and_locked(applied):
    endpoint, _, outputs, _, _ = applied
    s3 = account_client(endpoint, ACCOUNT, "s3", REGION)
    bucket = outputs["evidence_bucket"]
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    (rule,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())
    lock = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    assert lock["ObjectLockEnabled"] == "Enabled" and lock["Rule"]["DefaultRetention"]["Mode"] == "COMPLIANCE"
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    assert {s["Sid"] for s in policy["Statement"]} == {
        "DenyInsecureTransport",
        "DenyDeletingEvidenceVersions",
    }


def test_roles_and_network_are_least_privilege(applied):
    endpoint, variables, outputs, _, _ = applied
    iam = account_client(endpoint, ACCOUNT, "iam", REGION)
    task_policy = iam.get_role_policy(RoleName="sox-pg01-task", PolicyName="write-evidence")["PolicyDocument"]
    (write,) = [s for s in task_policy["Statement"] if s["Sid"] == "WriteEvidenceUnderItsPrefix"]
    assert write["Action"] == "s3:PutObject"
    assert write["Resource"] == f"arn:aws:s3:::{outputs['evidence_bucket']}/sox-automation/pg01/*"
    execution = iam.get_role_policy(RoleName="sox-pg01-execution", PolicyName="pull-logs-secret")[
        "PolicyDocument"
    ]
    (secret,) = [s for s in execution["Statement"] if s["Sid"] == "ReadTheConnectionString"]
    assert secret["Resource"] == variables["db_secret_arn"]
    attached = iam.list_attached_role_policies(RoleName="airflow-sox")["AttachedPolicies"]
    assert sorted(p["PolicyArn"] for p in attached) == sorted(
        [outputs["airflow_policy_arn"], outputs["airflow_events_policy_arn"]]
    )
    version = iam.get_policy(PolicyArn=outputs["airflow_policy_arn"])["Policy"]["DefaultVersionId"]
    dag_policy = iam.get_policy_version(PolicyArn=outputs["airflow_policy_arn"], VersionId=version)[
        "PolicyVersion"
    ]
    document = (
        dag_policy["Document"]
        if isinstance(dag_policy["Document"], dict)
        else json.loads(dag_policy["Document"])
    )
    actions = {
        a
        for s in document["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert (
        "ecs:RunTask" in actions and "iam:PassRole" in actions and not any(a.endswith(":*") for a in actions)
    )

    ec2 = account_client(endpoint, ACCOUNT, "ec2", REGION)
    (group,) = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["sox-pg01-task"]}])[
        "SecurityGroups"
    ]
    assert group["IpPermissions"] == []
    egress = {(p["FromPort"], tuple(r["CidrIp"] for r in p.get("IpRanges", [])), bool(p.get("PrefixListIds")))
              for p in group["IpPermissionsEgress"]}  # fmt: skip
    assert egress == {(1433, ("10.200.16.0/24",), False), (443, (), True)}
    ssm = account_client(endpoint, ACCOUNT, "ssm", REGION)
    network = json.loads(ssm.get_parameter(Name=outputs["network_parameter_name"])["Parameter"]["Value"])
    assert network["awsvpcConfiguration"]["securityGroups"] == [group["GroupId"]]
    assert network["awsvpcConfiguration"]["subnets"] == variables["subnet_ids"]


def test_a_task_runs_on_the_terraform_infrastructure_and_writes_evidence(applied):
    endpoint, _, outputs, _, _ = applied
    ssm = account_client(endpoint, ACCOUNT, "ssm", REGION)
    network = json.loads(ssm.get_parameter(Name=outputs["network_parameter_name"])["Parameter"]["Value"])
    prefix = "sox-automation/pg01/period=2026-04/company=EC_NG/run=terraform-check-try1/"
    overrides = container_overrides(
        container_name=outputs["container_name"], mode="reconcile", company="EC_NG", period="2026-04",
        cutoff="2026-04-30", ipes=["CR_04", "IPE_07"], evidence_uri=f"s3://{outputs['evidence_bucket']}/{prefix}",
        dag_run_id="terraform-check", try_number=1,
    )  # fmt: skip
    ecs = account_client(endpoint, ACCOUNT, "ecs", REGION)
    arn = ecs.run_task(
        cluster=outputs["cluster_name"], taskDefinition=outputs["task_definition_family"], launchType="FARGATE",
        overrides=overrides, networkConfiguration=network,
    )["tasks"][0]["taskArn"]  # fmt: skip
    def stopped():
        (task,) = ecs.describe_tasks(cluster=outputs["cluster_name"], tasks=[arn])["tasks"]
        return task if task["lastStatus"] == "STOPPED" else None

    task = wait_until(stopped, "the PG-01 task to stop")
    assert task["containers"][0]["exitCode"] == 0
    assert task["containers"][0]["imageDigest"] == LOCAL_IMAGE_DIGEST
    s3 = account_client(endpoint, ACCOUNT, "s3", REGION)
    keys = [
        o["Key"] for o in s3.list_objects_v2(Bucket=outputs["evidence_bucket"], Prefix=prefix)["Contents"]
    ]
    assert f"{prefix}result.json" in keys and f"{prefix}run.json" in keys

    # The stack's native-events rule delivered the task's STOPPED event to the queue the DAG reads.
    queue_url = ssm.get_parameter(Name=outputs["event_queue_parameter_name"])["Parameter"]["Value"]
    assert queue_url == outputs["event_queue_url"]
    sqs = account_client(endpoint, ACCOUNT, "sqs", REGION)

    def stopped_event():
        for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        ):
            event = json.loads(message["Body"])
            if event.get("detail", {}).get("taskArn") == arn:
                return event
        return None

    event = wait_until(stopped_event, "the task's STOPPED event in the stack's queue")
    assert (event["source"], event["detail-type"]) == ("aws.ecs", "ECS Task State Change")
    assert event["detail"]["lastStatus"] == "STOPPED"
    assert event["detail"]["clusterArn"] == task["clusterArn"]
