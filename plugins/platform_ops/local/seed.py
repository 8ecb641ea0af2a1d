"""Seed the local AWS with what the DAGs expect to find in a real landing zone.

Per account: the Terraform state bucket and lock table (what the state-bootstrap stack makes).
Shared services: the artifacts bucket (plans, reports, evidence) and the notification topic, with
an SQS queue subscribed to it so a person or a test can read what was sent.

``SEEDERS`` is the one list of seeders, run in order by ``seed_all``. A feature's seeder lives in
``local/<feature>_seed.py`` (``sox_seed.seed_sox_pg01``, ``snapshots_seed``, ``cdn_seed``) and is
added here by name. The DR drills need the ``dr-platform`` stack itself, applied by
``drill_stack`` (demo and drill tests), not a seeder.
``local/`` imports the features, never the reverse.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from platform_ops.local.cdn_seed import seed_cdn
from platform_ops.local.clients import account_client
from platform_ops.local.snapshots_seed import seed_snapshots
from platform_ops.local.sox_seed import seed_sox_pg01
from platform_ops.registry import registry

NOTIFICATION_QUEUE = "platform-ops-notifications-inbox"


def _create_bucket(s3, bucket: str, region: str) -> None:
    kwargs = {"Bucket": bucket}
    if region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**kwargs)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
        },
    )
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )


def seed_terraform_state(endpoint: str) -> None:
    reg = registry()
    seen: set[tuple[str, str]] = set()
    for name in reg.stack_names():
        stack = reg.stack(name)
        key = (stack.account.name, stack.region)
        if key in seen:
            continue
        seen.add(key)
        s3 = account_client(endpoint, stack.account.name, "s3", stack.region)
        _create_bucket(s3, stack.state_bucket, stack.region)
        dynamodb = account_client(endpoint, stack.account.name, "dynamodb", stack.region)
        dynamodb.create_table(
            TableName=stack.lock_table,
            AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )


def seed_shared_services(endpoint: str) -> None:
    reg = registry()
    s3 = account_client(endpoint, reg.artifacts_account.name, "s3", reg.artifacts_region)
    _create_bucket(s3, reg.artifacts_bucket, reg.artifacts_region)
    sns = account_client(endpoint, reg.notification_account.name, "sns", reg.notification_region)
    topic_arn = sns.create_topic(Name=reg.notification_topic_name)["TopicArn"]
    sqs = account_client(endpoint, reg.notification_account.name, "sqs", reg.notification_region)
    queue_url = sqs.create_queue(QueueName=NOTIFICATION_QUEUE)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)


def seed_dr_dns(endpoint: str) -> None:
    """The hosted zone the dr-platform stack's failover records go into (owned outside Terraform)."""
    route53 = account_client(endpoint, "dr", "route53")
    route53.create_hosted_zone(Name="dr.example.test", CallerReference="platform-ops-local-seed")


SEEDERS: list[Callable[[str], None]] = [
    seed_shared_services,
    seed_terraform_state,
    seed_dr_dns,
    seed_sox_pg01,
    seed_snapshots,
    seed_cdn,  # after seed_terraform_state: it writes the data stack's state
]


def seed_all(endpoint: str, only: Collection[str] | None = None) -> None:
    """Run every seeder (or those named in ``only``, in ``SEEDERS`` order) against a freshly
    started or reset local AWS. Tests that need less than the demo's world name what they need:
    the feature seeders cost about a second per test."""
    known = {seeder.__name__ for seeder in SEEDERS}
    unknown = set(only or ()) - known
    if unknown:
        raise ValueError(f"unknown seeders {sorted(unknown)}; known: {sorted(known)}")
    for seeder in SEEDERS:
        if only is None or seeder.__name__ in only:
            seeder(endpoint)


def read_notifications(endpoint: str) -> list[dict]:
    """Drain the notification inbox queue: ``[{"subject": ..., "message": ...}, ...]``."""
    import json

    reg = registry()
    sqs = account_client(endpoint, reg.notification_account.name, "sqs", reg.notification_region)
    url = sqs.get_queue_url(QueueName=NOTIFICATION_QUEUE)["QueueUrl"]
    out: list[dict] = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not batch:
            return out
        for msg in batch:
            body = json.loads(msg["Body"])
            out.append({"subject": body.get("Subject"), "message": body.get("Message")})
            sqs.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])
