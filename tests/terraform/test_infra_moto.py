"""Plan every infrastructure stack against the local AWS (moto) and apply what moto can create.

The real terraform binary and the image's hashicorp/aws provider run through
``platform_ops.terraform.workspace``, which adds the local-endpoint override; the stacks are the
plain real-AWS code from ``terraform/stacks``.

What is applied and what is only planned:
- ``dr-platform``: planned and applied in full (two VPCs with NAT gateways, EKS with on-demand
  and spot node groups, the Aurora global cluster, S3 replication, Route 53 failover, alarms,
  the drill-target SSM parameters). The provider's Aurora waiters (30 s for each cluster and
  instance, in a chain) make this the longest apply (about 3 minutes).
- ``data``: planned with ElastiCache on, applied with ``enable_elasticache = false``: moto
  cannot create a replication group (``DescribeCacheClusters`` answers 404 for member
  ``<group>-001``: moto creates the group but not its member clusters), so the Redis module is planned, never
  applied here.
- ``state-bootstrap``: planned and applied under test names (the local AWS already holds the
  real state bucket of each account).

The three stacks run one after the other, dr-platform first. Moto is started here rather than shared: AWS-managed IAM policies
(EKS, RDS monitoring) exist in moto only with ``MOTO_IAM_LOAD_MANAGED_POLICIES=true``, and the
stacks attach them.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field

import pytest
from botocore.exceptions import ClientError
from platform_ops.local.clients import account_client, account_session
from platform_ops.local.server import is_cut_short_conflict, start_local_aws
from platform_ops.registry import Stack, registry
from platform_ops.terraform.workspace import AwsCredentials, backend_config, stack_workspace

PRIMARY, SECONDARY = "eu-west-1", "us-east-1"
ZONE = "dr.example.test"
# The data stack belongs next to the platform (account dr) in real life. Here it runs in another
# account: moto's DescribeDBInstances ignores the dbi-resource-id filter and returns every instance
# of the Region, so the provider loses its DB instance once the Aurora instances exist beside it.
DR_ACCOUNT, DATA_ACCOUNT, BOOTSTRAP_ACCOUNT = "dr", "production", "dev"

DR_VARS = {
    "name": "platform-dr",
    "dns": {
        "hosted_zone_name": ZONE,
        "record": "app",
        "primary_ingress_hostname": "ingress-euw1.dr.example.test",
        "secondary_ingress_hostname": "ingress-use1.dr.example.test",
    },
    # Small instance counts keep the Aurora waiter chain short; the shape is the same.
    "aurora": {"primary_instance_count": 1, "secondary_instance_count": 1},
}
BOOTSTRAP_VARS = {"bucket_prefix": "bootstrap-test-tfstate", "lock_table_name": "bootstrap-test-tflock"}


@dataclass
class StackRun:
    """What one stack left behind: plans (show -json), outputs and state, or the error."""

    name: str
    plans: dict[str, dict] = field(default_factory=dict)
    outputs: dict = field(default_factory=dict)
    state_text: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    error: BaseException | None = None

    def check(self) -> StackRun:
        if self.error is not None:
            raise AssertionError(
                f"stack {self.name} failed against the local AWS: {self.error}"
            ) from self.error
        return self


@dataclass(frozen=True)
class Job:
    """One stack's run: the variables it is planned with, those it is applied with (None: the
    planned variables), and whether the tests need its state."""

    stack: Stack
    plan_vars: dict
    apply_vars: dict | None = None
    keep_state: bool = False


def _stack(name: str, account: str, region: str = PRIMARY) -> Stack:
    return Stack(
        name=name,
        path=f"terraform/stacks/{name}",
        account=registry().account(account),
        region=region,
        drift_check=False,
    )


def _credentials(endpoint: str, account: str) -> AwsCredentials:
    creds = account_session(endpoint, account).get_credentials()
    return AwsCredentials(creds.access_key, creds.secret_key, creds.token)


def _ensure_backend(endpoint: str, stack: Stack) -> None:
    """The stack's own state bucket and lock table (what state-bootstrap makes in real life)."""
    s3 = account_client(endpoint, stack.account.name, "s3", stack.region)
    if stack.state_bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        location = {"LocationConstraint": stack.region}
        s3.create_bucket(Bucket=stack.state_bucket, CreateBucketConfiguration=location)
    dynamodb = account_client(endpoint, stack.account.name, "dynamodb", stack.region)
    if stack.lock_table not in dynamodb.list_tables()["TableNames"]:
        dynamodb.create_table(
            TableName=stack.lock_table,
            AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )


def _run_stack(endpoint: str, job: Job) -> StackRun:
    """Plan; apply (after a second plan when ``apply_vars`` are given); keep outputs and state."""
    stack = job.stack
    run = StackRun(stack.name)
    log = logging.getLogger(f"tests.terraform.{stack.name}")
    started = time.monotonic()

    def lap(phase: str) -> None:
        run.seconds[phase] = round(time.monotonic() - started - sum(run.seconds.values()), 1)

    try:
        _ensure_backend(endpoint, stack)
        credentials = _credentials(endpoint, stack.account.name)
        with stack_workspace(stack, credentials, endpoint, 900, log, init=False) as tf:
            backend = tf.workdir / "test-backend.hcl"
            backend.write_text(backend_config(stack, endpoint))
            tf.init(backend_config_file=str(backend))
            lap("init")
            assert tf.plan("full.tfplan", variables=job.plan_vars), (
                f"{stack.name}: a first plan must have changes"
            )
            run.plans["full"] = tf.show_json("full.tfplan")
            lap("plan")
            planfile = "full.tfplan"
            if job.apply_vars is not None:
                assert tf.plan("apply.tfplan", variables=job.apply_vars)
                planfile = "apply.tfplan"
                lap("plan_for_apply")
            tf.apply_plan(planfile)
            run.outputs = tf.output()
            lap("apply")
        if job.keep_state:
            # The state exactly as the S3 backend stores it.
            s3 = account_client(endpoint, stack.account.name, "s3", stack.region)
            run.state_text = (
                s3.get_object(Bucket=stack.state_bucket, Key=stack.state_key)["Body"].read().decode()
            )
    except BaseException as exc:  # reported per stack by StackRun.check()
        run.error = exc
    log.warning("%s against the local AWS, seconds per phase: %s", stack.name, run.seconds)
    return run


def _prepare_data_network(endpoint: str) -> dict:
    """A VPC with two private subnets and a client security group for the data stack."""
    ec2 = account_client(endpoint, DATA_ACCOUNT, "ec2", PRIMARY)
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.30.{i}.0/24", AvailabilityZone=f"{PRIMARY}{az}")[
            "Subnet"
        ]["SubnetId"]
        for i, az in enumerate("ab")
    ]
    sg = ec2.create_security_group(GroupName="eks-nodes", Description="clients", VpcId=vpc)["GroupId"]
    return {"vpc_id": vpc, "private_subnet_ids": subnets, "allowed_security_groups": {"eks_nodes": sg}}


@pytest.fixture(scope="module")
def moto():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        local = start_local_aws()
    yield local
    local.stop()


@pytest.fixture(scope="module")
def runs(moto) -> dict[str, StackRun]:
    done = _run_all(moto.endpoint)
    error = done["dr-platform"].error
    if is_cut_short_conflict(error):  # see platform_ops.local.server: once more, from a clean local AWS
        logging.getLogger("tests.terraform").warning("dr-platform: %s; starting over once", error)
        moto.reset()
        done = _run_all(moto.endpoint)
    return done


def _run_all(endpoint: str) -> dict[str, StackRun]:
    account_client(endpoint, DR_ACCOUNT, "route53").create_hosted_zone(Name=ZONE, CallerReference="issue-6")
    network = _prepare_data_network(endpoint)
    data_plan_vars = {**network, "cloudfront_wait_for_deployment": False}
    jobs = [
        Job(_stack("dr-platform", DR_ACCOUNT), DR_VARS, keep_state=True),
        Job(_stack("data", DATA_ACCOUNT), data_plan_vars, {**data_plan_vars, "enable_elasticache": False}),
        Job(_stack("state-bootstrap", BOOTSTRAP_ACCOUNT), BOOTSTRAP_VARS),
    ]
    # One stack at a time: under concurrent stacks the local AWS sometimes cuts a response short,
    # and the SDK's retry of a create that did succeed (e.g. CreateRoute) then fails the apply.
    return {job.stack.name: _run_stack(endpoint, job) for job in jobs}


def _planned(plan: dict) -> dict[str, dict]:
    """address -> resource_change of every resource the plan creates."""
    return {rc["address"]: rc for rc in plan["resource_changes"] if "create" in rc["change"]["actions"]}


def _tags(tag_list: list[dict]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tag_list}


# ---------------------------------------------------------------------------------- dr-platform


def test_dr_platform_plan_spans_both_regions(runs):
    created = _planned(runs["dr-platform"].check().plans["full"])
    types = [rc["type"] for rc in created.values()]
    assert types.count("aws_rds_cluster") == 2 and "aws_rds_global_cluster" in types
    assert types.count("aws_eks_cluster") == 2 and types.count("aws_vpc") == 2
    capacity = sorted(
        rc["change"]["after"]["capacity_type"]
        for rc in created.values()
        if rc["type"] == "aws_eks_node_group"
    )
    assert capacity == ["ON_DEMAND", "ON_DEMAND", "SPOT", "SPOT"]
    failover = sorted(
        rc["change"]["after"]["failover_routing_policy"][0]["type"]
        for rc in created.values()
        if rc["type"] == "aws_route53_record"
    )
    assert failover == ["PRIMARY", "SECONDARY"]
    replication = next(
        rc for rc in created.values() if rc["type"] == "aws_s3_bucket_replication_configuration"
    )
    destination = replication["change"]["after"]["rule"][0]["destination"][0]
    assert destination["replication_time"][0]["status"] == "Enabled"
    assert destination["metrics"][0]["status"] == "Enabled"


def test_aurora_master_password_is_in_secrets_manager_only(runs, moto):
    run = runs["dr-platform"].check()
    secret_arn = run.outputs["aurora_master_secret_arn"]
    secrets = account_client(moto.endpoint, DR_ACCOUNT, "secretsmanager", PRIMARY)
    secret = json.loads(secrets.get_secret_value(SecretId=secret_arn)["SecretString"])
    assert len(secret["password"]) == 40 and secret["username"] == "platform_admin"
    # Write-only arguments: the generated password reaches AWS but neither the plan nor the state.
    assert secret["password"] not in json.dumps(run.plans["full"])
    assert '"aws_rds_cluster"' in run.state_text, "the state must be the one that holds the clusters"
    assert secret["password"] not in run.state_text
    replicas = secrets.describe_secret(SecretId=secret_arn).get("ReplicationStatus", [])
    assert [r["Region"] for r in replicas] == [SECONDARY]


def test_drill_targets_are_published_in_both_regions(runs, moto):
    run = runs["dr-platform"].check()
    targets = run.outputs["drill_targets"]
    path = run.outputs["drill_targets_ssm_path"]
    assert path == "/platform/dr/drill-targets/platform-dr"
    assert targets["schema_version"] == 1
    assert targets["regions"] == {"primary": PRIMARY, "secondary": SECONDARY}
    for region in (PRIMARY, SECONDARY):
        ssm = account_client(moto.endpoint, DR_ACCOUNT, "ssm", region)
        assert json.loads(ssm.get_parameter(Name=f"{path}/json")["Parameter"]["Value"]) == targets
        value = ssm.get_parameter(Name=f"{path}/aurora/secondary/cluster-arn")["Parameter"]["Value"]
        assert value == targets["aurora"]["clusters"]["secondary"]["cluster_arn"]
        names = json.loads(
            ssm.get_parameter(Name=f"{path}/eks/primary/node-group-names")["Parameter"]["Value"]
        )
        assert names == targets["eks"]["primary"]["node_group_names"]


def test_alarm_state_changes_reach_the_event_queue_of_their_region(runs, moto):
    """module "native_events" per Region: its alarm rule names the Region's alarms, and delivers."""
    run = runs["dr-platform"].check()
    queues = run.outputs["event_queues"]
    alarms = run.outputs["drill_targets"]["alarms"]
    stop_alarm = {
        "primary": alarms["s3_replication"]["backlog_bytes"],
        "secondary": alarms["aurora_replication_lag"]["secondary"],
    }
    for role, region in (("primary", PRIMARY), ("secondary", SECONDARY)):
        assert queues[role]["region"] == region
        events = account_client(moto.endpoint, DR_ACCOUNT, "events", region)
        pattern = json.loads(events.describe_rule(Name="platform-dr-events-alarm")["EventPattern"])
        assert stop_alarm[role] in pattern["detail"]["alarmName"]
        account_client(moto.endpoint, DR_ACCOUNT, "cloudwatch", region).set_alarm_state(
            AlarmName=stop_alarm[role], StateValue="ALARM", StateReason="drill stop condition"
        )
        sqs = account_client(moto.endpoint, DR_ACCOUNT, "sqs", region)
        bodies = [
            json.loads(m["Body"])
            for m in sqs.receive_message(
                QueueUrl=queues[role]["queue_url"], MaxNumberOfMessages=10, WaitTimeSeconds=10
            ).get("Messages", [])
        ]
        assert any(b["detail"]["alarmName"] == stop_alarm[role] for b in bodies), bodies


def test_drill_targets_name_real_resources(runs, moto):
    targets = runs["dr-platform"].check().outputs["drill_targets"]
    endpoint = moto.endpoint
    aurora = targets["aurora"]
    rds = account_client(endpoint, DR_ACCOUNT, "rds", PRIMARY)
    members = rds.describe_global_clusters(GlobalClusterIdentifier=aurora["global_cluster_id"])[
        "GlobalClusters"
    ][0]["GlobalClusterMembers"]
    writers = {m["DBClusterArn"]: m["IsWriter"] for m in members}
    assert writers[aurora["clusters"]["primary"]["cluster_arn"]] is True
    assert writers[aurora["clusters"]["secondary"]["cluster_arn"]] is False

    for role, region in (("primary", PRIMARY), ("secondary", SECONDARY)):
        ec2 = account_client(endpoint, DR_ACCOUNT, "ec2", region)
        nats = targets["network"][role]["nat_gateways"]
        assert len(nats) == 1, "single_nat_gateway is the stack default"
        [(nat_id, nat)] = nats.items()
        assert len(nat["private_route_table_ids"]) == 3
        for table in ec2.describe_route_tables(RouteTableIds=nat["private_route_table_ids"])["RouteTables"]:
            default = next(r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0")
            assert default["NatGatewayId"] == nat_id
        eks = account_client(endpoint, DR_ACCOUNT, "eks", region)
        cluster = targets["eks"][role]["cluster_name"]
        capacity = {
            eks.describe_nodegroup(clusterName=cluster, nodegroupName=name)["nodegroup"]["capacityType"]
            for name in targets["eks"][role]["node_group_names"].values()
        }
        assert capacity == {"ON_DEMAND", "SPOT"}

    route53 = account_client(endpoint, DR_ACCOUNT, "route53")
    for health_check_id in targets["route53"]["health_check_ids"].values():
        config = route53.get_health_check(HealthCheckId=health_check_id)["HealthCheck"]["HealthCheckConfig"]
        assert config["Type"] == "HTTPS" and config["ResourcePath"] == "/healthz"
    records = route53.list_resource_record_sets(HostedZoneId=targets["route53"]["zone_id"])[
        "ResourceRecordSets"
    ]
    failover = {r["Failover"]: r["HealthCheckId"] for r in records if r["Name"].rstrip(".") == f"app.{ZONE}"}
    health_check_ids = targets["route53"]["health_check_ids"]
    assert failover == {"PRIMARY": health_check_ids["primary"], "SECONDARY": health_check_ids["secondary"]}

    alarms = targets["alarms"]
    cloudwatch = account_client(endpoint, DR_ACCOUNT, "cloudwatch", SECONDARY)
    found = cloudwatch.describe_alarms(AlarmNames=list(alarms["health_check"].values()))["MetricAlarms"]
    assert {a["Namespace"] for a in found} == {"AWS/Route53"} and len(found) == 2
    cloudwatch = account_client(endpoint, DR_ACCOUNT, "cloudwatch", PRIMARY)
    backlog = cloudwatch.describe_alarms(AlarmNames=[alarms["s3_replication"]["backlog_bytes"]])[
        "MetricAlarms"
    ][0]
    assert backlog["MetricName"] == "BytesPendingReplication" and backlog["Threshold"] == 524288000
    assert backlog["AlarmActions"] == [alarms["sns_topic_arns"]["primary"]]


def test_drill_touchable_resources_carry_the_drill_tag(runs, moto):
    targets = runs["dr-platform"].check().outputs["drill_targets"]
    endpoint = moto.endpoint
    assert targets["drill_tag"] == {"DrillEligible": "true", "DrillScope": "platform-dr"}
    ec2 = account_client(endpoint, DR_ACCOUNT, "ec2", PRIMARY)
    network = targets["network"]["primary"]
    tagged = ec2.describe_nat_gateways(NatGatewayIds=list(network["nat_gateways"]))["NatGateways"]
    tagged += ec2.describe_route_tables(RouteTableIds=network["private_route_table_ids"])["RouteTables"]
    assert all(_tags(item["Tags"]).get("DrillEligible") == "true" for item in tagged)
    rds = account_client(endpoint, DR_ACCOUNT, "rds", SECONDARY)
    cluster_arn = targets["aurora"]["clusters"]["secondary"]["cluster_arn"]
    assert _tags(rds.list_tags_for_resource(ResourceName=cluster_arn)["TagList"])["DrillEligible"] == "true"
    s3 = account_client(endpoint, DR_ACCOUNT, "s3", PRIMARY)
    bucket_tags = _tags(s3.get_bucket_tagging(Bucket=targets["s3"]["source_bucket"])["TagSet"])
    assert bucket_tags["DrillScope"] == "platform-dr"


# ------------------------------------------------------------------------------------------ data


def test_data_plan_includes_redis_that_moto_cannot_apply(runs, moto):
    run = runs["data"].check()
    full = _planned(run.plans["full"])
    group = next(rc for rc in full.values() if rc["type"] == "aws_elasticache_replication_group")
    after = group["change"]["after"]
    assert after["transit_encryption_enabled"] is True
    assert str(after["at_rest_encryption_enabled"]).lower() == "true"
    assert after["automatic_failover_enabled"] is True and after["multi_az_enabled"] is True
    assert after.get("auth_token") is None, "Redis signs in with IAM through RBAC users, never a static token"
    users = [rc["change"]["after"] for rc in full.values() if rc["type"] == "aws_elasticache_user"]
    assert sorted(u["authentication_mode"][0]["type"] for u in users) == ["iam", "no-password-required"]
    # Applied with enable_elasticache = false: nothing of Redis reached the local AWS.
    assert run.outputs.get("redis") is None, "the redis output must be null when enable_elasticache is false"
    elasticache = account_client(moto.endpoint, DATA_ACCOUNT, "elasticache", PRIMARY)
    assert elasticache.describe_replication_groups()["ReplicationGroups"] == []


def test_data_stores_are_created_encrypted_and_private(runs, moto):
    outputs = runs["data"].check().outputs
    endpoint = moto.endpoint
    rds = account_client(endpoint, DATA_ACCOUNT, "rds", PRIMARY)
    instance = rds.describe_db_instances(DBInstanceIdentifier=outputs["postgres"]["identifier"])[
        "DBInstances"
    ][0]
    assert instance["StorageEncrypted"] and not instance["PubliclyAccessible"]
    assert instance["DeletionProtection"] and instance["BackupRetentionPeriod"] == 7
    assert instance["MasterUserSecret"]["SecretArn"] == outputs["postgres"]["master_user_secret_arn"]

    ecr = account_client(endpoint, DATA_ACCOUNT, "ecr", PRIMARY)
    repos = ecr.describe_repositories(repositoryNames=["platform-app/api", "platform-app/worker"])[
        "repositories"
    ]
    assert {r["imageTagMutability"] for r in repos} == {"IMMUTABLE"}
    assert all(r["imageScanningConfiguration"]["scanOnPush"] for r in repos)

    # Only the distribution reads the bucket, through a signing origin access control.
    cloudfront = account_client(endpoint, DATA_ACCOUNT, "cloudfront", PRIMARY)
    distribution = cloudfront.get_distribution(Id=outputs["assets"]["distribution_id"])["Distribution"]
    config = distribution["DistributionConfig"]
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    controls = cloudfront.list_origin_access_controls()["OriginAccessControlList"]["Items"]
    assert [(c["Name"], c["SigningBehavior"]) for c in controls] == [
        (outputs["assets"]["bucket_id"], "always")
    ]
    s3 = account_client(endpoint, DATA_ACCOUNT, "s3", PRIMARY)
    policy = json.loads(s3.get_bucket_policy(Bucket=outputs["assets"]["bucket_id"])["Policy"])
    reader = next(st for st in policy["Statement"] if st["Effect"] == "Allow")
    assert reader["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert reader["Condition"]["StringEquals"]["AWS:SourceArn"] == distribution["ARN"]


# ------------------------------------------------------------------------------- state-bootstrap


def test_state_bootstrap_makes_a_locked_down_backend(runs, moto):
    backend = runs["state-bootstrap"].check().outputs["backend"]
    assert backend["bucket"] == f"bootstrap-test-tfstate-{registry().account(BOOTSTRAP_ACCOUNT).account_id}"
    endpoint = moto.endpoint
    s3 = account_client(endpoint, BOOTSTRAP_ACCOUNT, "s3", PRIMARY)
    assert s3.get_bucket_versioning(Bucket=backend["bucket"])["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket=backend["bucket"])["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == backend["kms_key_id"]
    blocks = s3.get_public_access_block(Bucket=backend["bucket"])["PublicAccessBlockConfiguration"]
    assert all(blocks.values())
    dynamodb = account_client(endpoint, BOOTSTRAP_ACCOUNT, "dynamodb", PRIMARY)
    assert backend["use_lockfile"] is True  # the state lock is an S3 object, not DynamoDB
    lease_table = runs["state-bootstrap"].check().outputs["lease_table"]
    table = dynamodb.describe_table(TableName=lease_table)["Table"]
    assert table["KeySchema"] == [{"AttributeName": "LockID", "KeyType": "HASH"}]
    assert table["SSEDescription"]["Status"] == "ENABLED"
    backups = dynamodb.describe_continuous_backups(TableName=lease_table)
    assert backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"][
        "PointInTimeRecoveryStatus"
    ] == ("ENABLED")
    # The bucket policy refuses requests without TLS; the local AWS speaks plain HTTP, so even the
    # account itself is turned away (on AWS, the backend uses HTTPS).
    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket=backend["bucket"], Key="probe/terraform.tfstate", Body=b"{}")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
