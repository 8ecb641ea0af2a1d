"""Seed the local AWS with what the PG-01 stack would have built (tests and ``make demo``).

Mirrors ``terraform/modules/sox-pg01`` in the configured account: a VPC (DNS hostnames on, as
moto's Fargate needs), two private subnets and the task security group, the database secret, the
two roles, the log group, the cluster, the Fargate task definition (image pinned by digest,
``DB_CONNECTION_STRING`` only in ``secrets``), the evidence bucket and the SSM parameter holding
the network configuration. ``platform_ops.local.seed.SEEDERS`` lists ``seed_sox_pg01``; the
function is idempotent.
"""

from __future__ import annotations

import json

from botocore.exceptions import ClientError

from platform_ops.local.clients import account_client
from platform_ops.registry import registry
from platform_ops.sox.config import load_config

# A recognisable fake credential: tests scan XCom and logs to prove it never leaks.
LOCAL_DB_PASSWORD = "LocalOnly-Pg01-S3cr3t-7f3a"
LOCAL_DB_CONNECTION_STRING = (
    "DRIVER={ODBC Driver 17 for SQL Server};SERVER=fin-sql.example.internal,1433;"
    f"DATABASE=AIG_Nav_DW;UID=sox_pg01_ro;PWD={LOCAL_DB_PASSWORD};TrustServerCertificate=yes"
)
LOCAL_IMAGE_DIGEST = "sha256:" + "5ac0" * 16
SECRET_NAME = "sox-pg01/db-connection-string"
EVENTS_NAME = "sox-pg01-events"  # name_prefix of module "native_events" in terraform/stacks/sox-pg01
_ECS_TRUST = json.dumps(
    {"Version": "2012-10-17",
     "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
)  # fmt: skip


def create_network(ec2, region: str, name: str = "sox-pg01-task") -> dict:
    """A VPC (DNS hostnames on: moto's Fargate needs them), two private subnets, a security group.

    Returns the awsvpc network configuration plus ``vpc_id``.
    """
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsSupport={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.42.{i}.0/24", AvailabilityZone=f"{region}{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in ((1, "a"), (2, "b"))
    ]
    group = ec2.create_security_group(GroupName=name, Description="SOX PG-01 Fargate task", VpcId=vpc)
    return {
        "vpc_id": vpc,
        "awsvpcConfiguration": {
            "subnets": subnets,
            "securityGroups": [group["GroupId"]],
            "assignPublicIp": "DISABLED",
        },
    }


def ecs_stopped_pattern(cluster_arns: list[str]) -> dict:
    """The module's ECS rule pattern (terraform/modules/native-events, ``local.patterns.ecs``)."""
    return {
        "source": ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        "detail": {"lastStatus": ["STOPPED"], "clusterArn": list(cluster_arns)},
    }


def create_event_queue(client, cluster_arn: str, name: str = EVENTS_NAME, max_receive_count: int = 10) -> str:
    """The native-events module for one ECS cluster: DLQ, queue (redrive), rule -> queue. Returns the URL."""
    sqs = client("sqs")
    dlq = sqs.create_queue(
        QueueName=f"{name}-dlq",
        Attributes={"MessageRetentionPeriod": "1209600", "SqsManagedSseEnabled": "true"},
    )["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(
        QueueName=name,
        Attributes={
            "MessageRetentionPeriod": "86400",
            "ReceiveMessageWaitTimeSeconds": "20",
            "VisibilityTimeout": "30",
            "SqsManagedSseEnabled": "true",
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count}
            ),
        },
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events = client("events")
    rule = f"{name}-ecs"
    rule_arn = events.put_rule(
        Name=rule,
        EventBusName="default",
        EventPattern=json.dumps(ecs_stopped_pattern([cluster_arn])),
        Description="Native ECS Task State Change events that end a platform wait",
    )["RuleArn"]
    events.put_targets(Rule=rule, EventBusName="default", Targets=[{"Id": "queue", "Arn": arn}])
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OnlyTheseRules",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": [rule_arn]}},
            }
        ],
    }
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    return url


def seed_sox_pg01(endpoint: str) -> None:
    config = load_config()
    account = registry().account(config.account)
    region = config.region
    ecs_conf = config.ecs

    def client(service: str):
        return account_client(endpoint, config.account, service, region)

    s3 = client("s3")
    try:
        s3.head_bucket(Bucket=config.bucket)
        return  # already seeded since the last reset
    except ClientError:
        pass
    s3.create_bucket(
        Bucket=config.bucket,
        CreateBucketConfiguration={"LocationConstraint": region},
        ObjectLockEnabledForBucket=True,
    )
    s3.put_bucket_versioning(Bucket=config.bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(
        Bucket=config.bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}
            ]
        },
    )
    s3.put_public_access_block(
        Bucket=config.bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True,
        },
    )  # fmt: skip

    network = create_network(client("ec2"), region)
    network_source = ecs_conf["network"]
    if "ssm_parameter" in network_source:
        value = {"awsvpcConfiguration": network["awsvpcConfiguration"]}
        client("ssm").put_parameter(
            Name=network_source["ssm_parameter"], Type="String", Value=json.dumps(value), Overwrite=True
        )
    secret_arn = client("secretsmanager").create_secret(
        Name=SECRET_NAME, SecretString=LOCAL_DB_CONNECTION_STRING
    )["ARN"]
    iam = client("iam")
    roles = {
        kind: iam.create_role(RoleName=f"sox-pg01-{kind}", AssumeRolePolicyDocument=_ECS_TRUST)["Role"]["Arn"]
        for kind in ("execution", "task")
    }
    client("logs").create_log_group(logGroupName=ecs_conf["log_group"])
    client("logs").put_retention_policy(logGroupName=ecs_conf["log_group"], retentionInDays=365)
    ecs = client("ecs")
    cluster_arn = ecs.create_cluster(
        clusterName=ecs_conf["cluster"], settings=[{"name": "containerInsights", "value": "enabled"}]
    )["cluster"]["clusterArn"]
    queue_url = create_event_queue(client, cluster_arn)
    if "ssm_parameter" in ecs_conf["event_queue"]:
        client("ssm").put_parameter(
            Name=ecs_conf["event_queue"]["ssm_parameter"], Type="String", Value=queue_url, Overwrite=True
        )
    image = f"{account.account_id}.dkr.ecr.{region}.amazonaws.com/soxauto-pg01@{LOCAL_IMAGE_DIGEST}"
    ecs.register_task_definition(
        family=ecs_conf["task_definition"].split(":")[0],
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="2048",
        memory="4096",
        executionRoleArn=roles["execution"],
        taskRoleArn=roles["task"],
        containerDefinitions=[
            {
                "name": ecs_conf["container_name"],
                "image": image,
                "essential": True,
                "memory": 4096,
                "command": ["reconcile"],
                "readonlyRootFilesystem": True,
                "secrets": [{"name": "DB_CONNECTION_STRING", "valueFrom": secret_arn}],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": ecs_conf["log_group"],
                        "awslogs-region": region,
                        "awslogs-stream-prefix": ecs_conf["log_stream_prefix"],
                    },
                },
            }
        ],
    )
