"""Seed the local AWS for the refresh DAGs, per registry refresh destination.

- Source account: the source cluster (``prod-aurora``, Aurora MySQL, one instance), once.
- Destination account: the current target cluster with one instance, tagged ``refresh=true`` as a
  previous refresh left it; the SQL bucket with the masking script (``MASK_SCRIPT``); the
  ``<prefix>-run-sql`` function (played by ``local/refresh_double``).
- Refresh account (shared services): every ``asl/`` machine as ``<prefix>-<module>-<name>`` (what
  ``terraform/stacks/refresh-shared-services`` deploys), the event queue with the Step Functions
  rule (``matching.RULE_PATTERNS["sfn"]``), and the history table.

``adapt`` rewrites each definition before it is created (default ``moto_casing.to_moto``): moto's
Step Functions speaks boto's casing, not Step Functions' SDK-v2 casing.
"""

from __future__ import annotations

import functools
import io
import json
import zipfile
from collections.abc import Callable

from platform_ops.events.matching import RULE_PATTERNS
from platform_ops.local.clients import account_client
from platform_ops.registry import REPO_ROOT, registry

PASSWORD = "LocalOnly-Refresh-1"  # moto needs one; nothing reads it
ENGINE_VERSION = "8.0.mysql_aurora.3.05.2"
MASK_SCRIPT_NAME = "010-mask-personal-data.sql"
MASK_SCRIPT = b"""-- Anonymise personal data before anyone can read it (runs on <target>-restore).
UPDATE customers SET email = CONCAT('customer-', id, '@example.invalid'), phone = NULL;
UPDATE users SET password_hash = 'reset-required', api_token = NULL;
"""


def definitions() -> dict[str, dict]:
    """``{"db/restore_cluster": definition, ...}`` of every machine under ``asl/``."""
    root = REPO_ROOT / "asl"
    return {
        f"{p.parent.name}/{p.name.removesuffix('.asl.json')}": json.loads(p.read_text())
        for p in sorted(root.glob("*/*.asl.json"))
    }


def _zip(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", text)
    return buffer.getvalue()


def deploy_machines(endpoint: str, adapt: Callable[[dict], dict]) -> dict[str, str]:
    """Create every machine in the refresh account; returns ``{definition: ARN}``."""
    settings = registry().refresh
    sfn = account_client(endpoint, settings.account.name, "stepfunctions", settings.region)
    role = f"arn:aws:iam::{settings.account.account_id}:role/{settings.name_prefix}-sfn-execution"
    arns = {}
    for definition, body in definitions().items():
        arn = settings.state_machine_arn(definition)
        sfn.create_state_machine(
            name=arn.rsplit(":", 1)[-1], definition=json.dumps(adapt(body)), roleArn=role
        )
        arns[definition] = arn
    return arns


def _refresh_account(client) -> None:
    settings = registry().refresh
    account, region = settings.account.name, settings.region
    sqs = client(account, "sqs", region)
    url = sqs.create_queue(QueueName=settings.event_queue, Attributes={"SqsManagedSseEnabled": "true"})[
        "QueueUrl"
    ]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events = client(account, "events", region)
    rule = f"{settings.event_queue}-sfn"
    events.put_rule(Name=rule, EventPattern=json.dumps(RULE_PATTERNS["sfn"]))
    events.put_targets(Rule=rule, Targets=[{"Id": "queue", "Arn": arn}])
    client(account, "dynamodb", region).create_table(
        TableName=settings.history_table,
        AttributeDefinitions=[
            {"AttributeName": "destination", "AttributeType": "S"},
            {"AttributeName": "run_id", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "destination", "KeyType": "HASH"},
            {"AttributeName": "run_id", "KeyType": "RANGE"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def _cluster(rds, name: str, tags: list[dict], kms_key_arn: str | None = None) -> None:
    rds.create_db_cluster(
        DBClusterIdentifier=name,
        Engine="aurora-mysql",
        EngineVersion=ENGINE_VERSION,
        MasterUsername="platform_admin",
        MasterUserPassword=PASSWORD,
        StorageEncrypted=True,
        **({"KmsKeyId": kms_key_arn} if kms_key_arn else {}),
        Tags=tags,
    )
    rds.create_db_instance(
        DBInstanceIdentifier=f"{name}-1",
        DBClusterIdentifier=name,
        Engine="aurora-mysql",
        DBInstanceClass="db.r6g.large",
    )


def _destination(client, dest, settings) -> None:
    account, region = dest.destination.name, settings.region
    _cluster(
        client(account, "rds", region), dest.database["target_cluster"], [{"Key": "refresh", "Value": "true"}]
    )
    s3 = client(account, "s3", region)
    s3.create_bucket(Bucket=dest.sql["bucket"], CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_object(Bucket=dest.sql["bucket"], Key=dest.sql["prefix"] + MASK_SCRIPT_NAME, Body=MASK_SCRIPT)
    iam = client(account, "iam", region)
    role = iam.create_role(
        RoleName=f"{settings.name_prefix}-run-sql",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "sts:AssumeRole",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                    }
                ],
            }  # fmt: skip
        ),
    )["Role"]["Arn"]
    handler = (REPO_ROOT / "lambdas" / "run_sql" / "handler.py").read_text()
    client(account, "lambda", region).create_function(
        FunctionName=f"{settings.name_prefix}-run-sql",
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": _zip(handler)},
    )


def refresh_pools() -> dict[str, tuple[int, str]]:
    """``{pool: (slots, description)}`` of every refresh destination, for ``make demo``."""
    reg = registry()
    return {
        reg.refresh_destination(n).pool: (4, f"refresh_{n}: the tasks of one refresh at a time")
        for n in reg.refresh_destination_names()
    }


def seed_refresh(endpoint: str, adapt: Callable[[dict], dict] | None = None) -> None:
    """Seed every refresh destination and deploy the machines (through ``adapt``)."""
    reg = registry()
    settings = reg.refresh

    @functools.cache
    def client(account: str, service: str, region: str):
        return account_client(endpoint, account, service, region)

    _refresh_account(client)
    sources = set()
    for name in reg.refresh_destination_names():
        dest = reg.refresh_destination(name)
        source = (dest.source.name, dest.database["source_cluster"])
        if source not in sources:
            sources.add(source)
            # a customer managed key: share_snapshot grants the destination role on it
            kms = client(dest.source.name, "kms", settings.region)
            key = kms.create_key(Description=f"{source[1]} storage")["KeyMetadata"]["Arn"]
            _cluster(client(dest.source.name, "rds", settings.region), source[1], [], key)
        _destination(client, dest, settings)
    if adapt is None:
        from platform_ops.local.moto_casing import to_moto as adapt
    deploy_machines(endpoint, adapt)
