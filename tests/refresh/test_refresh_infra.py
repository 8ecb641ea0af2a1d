"""The four refresh stacks against the local AWS: planned, cross-checked, applied, then run.

One module fixture (``deployment``) plans and applies the four stacks, each into its own account
(side by side: shared services takes the other stacks' role ARNs as variables fixed by name, and a
test checks them against those stacks' outputs). Its plans (``terraform show -json``) feed the IAM <-> ASL cross-check; its
applies feed the assertions on deployed resources and the runs of ``share_snapshot`` and
``restore_cluster`` as deployed (the deployed machine ARNs, execution role and refresh roles).

refresh-staging and refresh-dev are two registry stacks on one directory
(``terraform/stacks/refresh-destination``): their own account, state key and ``vars``
(``environment``, ``region``, ``execution_role_arn``).

What is planned but not applied: the destinations' EKS access entry (moto has no
CreateAccessEntry), so refresh-staging and refresh-dev are planned with ``eks_access`` (for the
cross-check) and applied without it.

The local AWS runs each task as the role it names (``platform_ops.local.moto_sfn_credentials``):
a SourceAccount task acts in production, a DestinationAccount task in the destination account.
moto's Step Functions also speaks botocore's casing instead of Step Functions' SDK-v2 casing
(``DBClusterIdentifier`` for ``DbClusterIdentifier``), so before running, each deployed machine's
definition is replaced by the same definition rewritten for moto (``tests/stepfunctions/
moto_casing``, which changes no field of ours); ARN, execution role and logging stay as deployed.
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from platform_ops.local.clients import account_client
from platform_ops.local.server import is_cut_short_conflict, start_local_aws
from platform_ops.refresh import lambda_package
from platform_ops.registry import registry
from platform_ops.stepfunctions import iam

from tests.stepfunctions.moto_casing import to_moto
from tests.terraform.test_infra_moto import Job, StackRun, _run_stack
from tests.waiting import wait_until

REPO = Path(__file__).resolve().parents[2]
ASL = REPO / "asl"
REGION = "eu-west-1"
ALLOW_LIST = REPO / "plugins" / "platform_ops" / "refresh" / "unused_grants.json"
ROLES = {
    "source": "refresh-source",
    "destination": "refresh-destination",
    "execution": "refresh-sfn-execution",
}
DESTINATIONS = ("staging", "dev")
# Keys named in the plans (the production snapshot key, a destination key per account).
PROD_KEY = "arn:aws:kms:eu-west-1:222222222222:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"


def _account(name: str) -> str:
    return registry().account(name).account_id


def _network(endpoint: str, account: str, cidr: str) -> dict:
    """Two private subnets and a security group for the helper Lambdas of one account."""
    ec2 = account_client(endpoint, account, "ec2", REGION)
    vpc = ec2.create_vpc(CidrBlock=f"{cidr}.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"{cidr}.{i}.0/24", AvailabilityZone=f"{REGION}{az}")[
            "Subnet"
        ]["SubnetId"]
        for i, az in enumerate("ab")
    ]
    group = ec2.create_security_group(GroupName="refresh-helpers", Description="helpers", VpcId=vpc)[
        "GroupId"
    ]
    return {"subnet_ids": subnets, "security_group_ids": [group]}


def _jobs(endpoint: str) -> list[Job]:
    reg = registry()
    prod_net = _network(endpoint, "production", "10.40")
    production = {
        **reg.stack("refresh-production").vars,
        "snapshot_kms_key_arns": [PROD_KEY],
        "pass_role_arns": {
            "backup": ["arn:aws:iam::222222222222:role/refresh-backup-copy"],
            "elasticfilesystem": ["arn:aws:iam::222222222222:role/refresh-efs-replication"],
        },
        "flag_file_lambda": prod_net,
    }
    jobs = [Job(reg.stack("refresh-production"), production)]
    for index, name in enumerate(DESTINATIONS):
        account = _account(name)
        net = _network(endpoint, name, f"10.{41 + index}")
        applied = {
            **reg.stack(f"refresh-{name}").vars,
            "source_kms_key_arns": [PROD_KEY],
            "kms_key_arns": [f"arn:aws:kms:eu-west-1:{account}:key/1b2c3d4e-5f60-7182-93a4-b5c6d7e8f90a"],
            "sql_bucket_arns": [f"arn:aws:s3:::platform-ops-refresh-sql-{account}"],
            "pass_role_arns": {
                "rds": [f"arn:aws:iam::{account}:role/refresh-aurora-s3"],
                "backup": [f"arn:aws:iam::{account}:role/refresh-backup-restore"],
            },
            "lambda_subnet_ids": net["subnet_ids"],
            "lambda_security_group_ids": net["security_group_ids"],
        }
        if name == "staging":  # planned with the EKS access entry for the cross-check, applied without
            full = {**applied, "eks_access": {"cluster_name": f"platform-{name}", "namespaces": ["refresh"]}}
            jobs.append(Job(reg.stack(f"refresh-{name}"), full, applied))
        else:  # one plan, applied as it is (the cross-check compares it with staging's)
            jobs.append(Job(reg.stack(f"refresh-{name}"), applied))
    jobs.append(Job(reg.stack("refresh-shared-services"), reg.stack("refresh-shared-services").vars))
    return jobs


@pytest.fixture(scope="module")
def moto():
    local = start_local_aws()
    yield local
    local.stop()


@pytest.fixture(scope="module")
def deployment(moto) -> dict[str, StackRun]:
    """Build the Lambda zips where the stacks read them, then plan and apply the four stacks in order."""
    for name in lambda_package.LAMBDAS:
        lambda_package.build(name, REPO / "build" / "lambdas")
    runs = _deploy(moto.endpoint)
    errors = [run.error for run in runs.values() if run.error is not None]
    if errors and all(is_cut_short_conflict(error) for error in errors):
        # see platform_ops.local.server: once more, from a clean local AWS
        logging.getLogger("tests.refresh").warning("refresh stacks: %s; starting over once", errors)
        moto.reset()
        runs = _deploy(moto.endpoint)
    return runs


def _deploy(endpoint: str) -> dict[str, StackRun]:
    jobs = _jobs(endpoint)
    # The four stacks side by side, each in its own account. The documented order (accounts
    # first) is about the role ARNs shared services takes; they are the registry's vars, fixed by
    # name, and test_shared_services_takes_what_the_account_stacks_output checks them against the
    # account stacks' outputs.
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return {run.name: run for run in pool.map(lambda job: _run_stack(endpoint, job), jobs)}


def _plan(deployment, stack: str) -> dict:
    return deployment[stack].check().plans["full"]


# ------------------------------------------------------------------------- IAM <-> ASL cross-check


def _allow_list() -> dict[str, dict[str, str]]:
    return json.loads(ALLOW_LIST.read_text())["unused_grants"]


def test_every_state_machine_call_is_granted_and_every_grant_is_used(deployment):
    needs = iam.asl_needs(ASL)
    assert {n.role for n in needs} == {"source", "destination", "execution"}
    shared = iam.role_grants(_plan(deployment, "refresh-shared-services"))
    source = iam.role_grants(_plan(deployment, "refresh-production"))
    grants = {**shared, **source, **iam.role_grants(_plan(deployment, "refresh-staging"))}
    report = iam.cross_check(needs, grants, ROLES, _allow_list())
    assert not (report.missing or report.unused or report.stale_allowances), iam.format_report(report)


def test_dev_destination_grants_what_staging_grants(deployment):
    """refresh-dev is planned without an EKS access entry: the same grants as staging's but EKS."""

    def actions(stack: str) -> set[str]:
        return {g.action for g in iam.role_grants(_plan(deployment, stack))[ROLES["destination"]]}

    staging, dev = actions("refresh-staging"), actions("refresh-dev")
    assert {a for a in staging if not a.startswith("eks:")} == dev
    assert {a for a in staging if a.startswith("eks:")}, "the staging plan carries the EKS grants"


def test_destinations_share_one_directory_with_their_own_state_and_tags(deployment):
    """refresh-staging and refresh-dev are one Terraform directory; the registry's vars make them two."""
    stacks = [registry().stack(f"refresh-{name}") for name in DESTINATIONS]
    assert {s.path for s in stacks} == {"terraform/stacks/refresh-destination"}
    assert len({(s.account.name, s.state_bucket, s.state_key) for s in stacks}) == len(stacks)
    for stack, name in zip(stacks, DESTINATIONS, strict=True):
        assert not stack.account.production and stack.vars["environment"] == name == stack.account.name
        role = next(
            r
            for r in iam.plan_resources(_plan(deployment, stack.name)["planned_values"]["root_module"])
            if r["type"] == "aws_iam_role" and r["values"]["name"] == ROLES["destination"]
        )
        tags = {"ManagedBy": "terraform", "Stack": stack.name, "Environment": name}
        assert role["values"]["tags_all"] == tags, stack.name


def test_shared_services_takes_what_the_account_stacks_output(deployment):
    shared = registry().stack("refresh-shared-services").vars
    assert deployment["refresh-production"].check().outputs["source_role_arn"] == shared["source_role_arn"]
    destinations = [
        deployment[f"refresh-{name}"].check().outputs["destination_role_arn"] for name in DESTINATIONS
    ]
    assert destinations == shared["destination_role_arns"]
    execution = deployment["refresh-shared-services"].check().outputs["execution_role_arn"]
    for name in ("production", *DESTINATIONS):
        assert registry().stack(f"refresh-{name}").vars["execution_role_arn"] == execution, name


def test_execution_role_may_assume_exactly_the_refresh_roles(deployment):
    grants = iam.role_grants(_plan(deployment, "refresh-shared-services"))[ROLES["execution"]]
    assume = [g for g in grants if g.covers("sts:AssumeRole")]
    assert [g.action for g in assume] == ["sts:AssumeRole"], "the only cross-account right is sts:AssumeRole"
    expected = {registry().stack("refresh-shared-services").vars["source_role_arn"]}
    expected |= set(registry().stack("refresh-shared-services").vars["destination_role_arns"])
    assert set(assume[0].resources) == expected
    # Nothing else the execution role may do reaches another account or a refresh resource.
    others = {g.action.split(":")[0] for g in grants if g not in assume}
    assert others == {"logs"}, others


def test_refresh_roles_trust_only_the_execution_role(deployment):
    execution_arn = f"arn:aws:iam::{_account('shared-services')}:role/{ROLES['execution']}"
    for stack, role in (
        ("refresh-production", ROLES["source"]),
        ("refresh-staging", ROLES["destination"]),
        ("refresh-dev", ROLES["destination"]),
    ):
        [statement] = iam.assume_role_policies(_plan(deployment, stack))[role]["Statement"]
        assert statement["Principal"] == {"AWS": f"arn:aws:iam::{_account('shared-services')}:root"}
        assert statement["Condition"] == {"ArnEquals": {"aws:PrincipalArn": execution_arn}}, stack


def test_helper_invoke_and_kms_grants_are_scoped(deployment):
    staging = iam.role_grants(_plan(deployment, "refresh-staging"))[ROLES["destination"]]
    invoke = next(g for g in staging if g.covers("lambda:InvokeFunction"))
    account = _account("staging")
    assert sorted(invoke.resources) == sorted(
        f"arn:aws:lambda:{REGION}:{account}:function:refresh-{n}"
        for n in ("run-sql", "get-efs-subpath", "check-flag-file")
    )
    source_plan = _plan(deployment, "refresh-production")
    document = next(
        json.loads(r["values"]["policy"])
        for r in iam.plan_resources(source_plan["planned_values"]["root_module"])
        if r["type"] == "aws_iam_role_policy" and r["values"]["role"] == ROLES["source"]
    )
    grant = next(s for s in document["Statement"] if s.get("Sid") == "GrantSnapshotKeysToDestinationsOnly")
    assert grant["Resource"] == PROD_KEY
    assert set(grant["Condition"]["StringEquals"]["kms:GranteePrincipal"]) == set(
        registry().stack("refresh-production").vars["destination_role_arns"]
    )


# ------------------------------------------------------------------------------ applied resources


def test_machines_are_deployed_from_asl_with_private_logging(deployment, moto):
    outputs = deployment["refresh-shared-services"].check().outputs
    arns = outputs["state_machine_arns"]
    assert set(arns) == {
        f"{p.parent.name}/{p.name.removesuffix('.asl.json')}" for p in ASL.glob("*/*.asl.json")
    }
    sfn = account_client(moto.endpoint, "shared-services", "stepfunctions", REGION)
    share = sfn.describe_state_machine(stateMachineArn=arns["db/share_snapshot"])
    assert json.loads(share["definition"]) == json.loads((ASL / "db" / "share_snapshot.asl.json").read_text())
    assert share["roleArn"] == outputs["execution_role_arn"]
    # moto leaves out a false includeExecutionData; the plan shows what Terraform sends.
    assert share["loggingConfiguration"].get("includeExecutionData", False) is False
    assert share["loggingConfiguration"]["level"] == "ALL"
    planned = [
        r["values"]["logging_configuration"][0]
        for r in iam.plan_resources(
            _plan(deployment, "refresh-shared-services")["planned_values"]["root_module"]
        )
        if r["type"] == "aws_sfn_state_machine"
    ]
    assert len(planned) == len(arns) and all(c["include_execution_data"] is False for c in planned)
    events = account_client(moto.endpoint, "shared-services", "events", REGION)
    pattern = json.loads(events.describe_rule(Name="refresh-events-sfn")["EventPattern"])
    assert sorted(pattern["detail"]["stateMachineArn"]) == sorted(arns.values())


def test_helper_lambdas_run_the_built_zips(deployment, moto):
    for name in DESTINATIONS:
        functions = deployment[f"refresh-{name}"].check().outputs["lambda_function_names"]
        client = account_client(moto.endpoint, name, "lambda", REGION)
        for helper, function_name in functions.items():
            config = client.get_function_configuration(FunctionName=function_name)
            zip_path = REPO / "build" / "lambdas" / f"{helper}.zip"
            assert config["CodeSha256"] == lambda_package.filebase64sha256(zip_path), function_name
            assert config["VpcConfig"]["SubnetIds"], f"{function_name} must run in the VPC"
            assert config["Role"].endswith(f":role/{function_name}-role")


# ------------------------------------------------------------------- the machines, as deployed


def _run_deployed(moto, deployment, machine: str, payload: dict) -> dict:
    """Start the deployed machine (definition rewritten for moto's casing) and wait for its end."""
    sfn = account_client(moto.endpoint, "shared-services", "stepfunctions", REGION)
    arn = deployment["refresh-shared-services"].check().outputs["state_machine_arns"][machine]
    deployed = json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"])
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(to_moto(deployed)))
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps(payload))["executionArn"]
    described = wait_until(
        lambda: (d := sfn.describe_execution(executionArn=execution))["status"] != "RUNNING" and d,
        f"{machine} to end",
    )
    history = sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
    described["roles"] = {
        e["taskScheduledEventDetails"]["taskCredentials"]["roleArn"]
        for e in history
        if "taskCredentials" in e.get("taskScheduledEventDetails", {})
    }
    return described


def _roles(deployment) -> tuple[dict, dict]:
    source = {
        "RoleArn": deployment["refresh-production"].check().outputs["source_role_arn"],
        "AccountId": _account("production"),
    }
    destination = {
        "RoleArn": deployment["refresh-staging"].check().outputs["destination_role_arn"],
        "AccountId": _account("staging"),
    }
    return source, destination


@pytest.fixture(scope="module")
def shared_snapshot(deployment, moto) -> dict:
    """share_snapshot, deployed, on an encrypted production snapshot; returns what it left behind."""
    rds = account_client(moto.endpoint, "production", "rds", REGION)
    kms = account_client(moto.endpoint, "production", "kms", REGION)
    key = kms.create_key(Description="prod aurora")["KeyMetadata"]
    rds.create_db_cluster(
        DBClusterIdentifier="prod-aurora",
        Engine="aurora-mysql",
        MasterUsername="admin",
        MasterUserPassword="not-a-real-password",
        StorageEncrypted=True,
        KmsKeyId=key["Arn"],
    )
    snapshot = rds.create_db_cluster_snapshot(
        DBClusterIdentifier="prod-aurora", DBClusterSnapshotIdentifier="refresh-1"
    )
    source, destination = _roles(deployment)
    result = _run_deployed(
        moto,
        deployment,
        "db/share_snapshot",
        {"SourceAccount": source, "DestinationAccount": destination, "SnapshotIdentifier": "refresh-1",
         "PollIntervalSeconds": 0, "MaxPolls": 20},
    )  # fmt: skip
    return {"result": result, "key": key, "arn": snapshot["DBClusterSnapshot"]["DBClusterSnapshotArn"]}


def test_share_snapshot_shares_and_grants_in_production(shared_snapshot, deployment, moto):
    result = shared_snapshot["result"]
    assert result["status"] == "SUCCEEDED", result.get("cause")
    source, destination = _roles(deployment)
    assert result["roles"] == {source["RoleArn"]}, "every task runs as the deployed source role"
    rds = account_client(moto.endpoint, "production", "rds", REGION)
    attributes = rds.describe_db_cluster_snapshot_attributes(DBClusterSnapshotIdentifier="refresh-1")
    [restore] = attributes["DBClusterSnapshotAttributesResult"]["DBClusterSnapshotAttributes"]
    assert restore["AttributeValues"] == [destination["AccountId"]]
    kms = account_client(moto.endpoint, "production", "kms", REGION)
    grants = kms.list_grants(KeyId=shared_snapshot["key"]["KeyId"])["Grants"]
    assert [g["GranteePrincipal"] for g in grants] == [destination["RoleArn"]]
    for elsewhere in ("shared-services", "staging"):
        other = account_client(moto.endpoint, elsewhere, "rds", REGION)
        assert other.describe_db_cluster_snapshots(SnapshotType="manual")["DBClusterSnapshots"] == [], (
            elsewhere
        )


def test_restore_cluster_lands_in_staging_only(shared_snapshot, deployment, moto):
    source, destination = _roles(deployment)
    result = _run_deployed(
        moto,
        deployment,
        "db/restore_cluster",
        {
            "DestinationAccount": destination,
            "RestoreType": "from-snapshot",
            "SnapshotIdentifier": shared_snapshot["arn"],
            "DbClusterIdentifier": "stg-aurora-restore",
            "EngineVersion": "8.0.mysql_aurora.3.05.2",
            "DbSubnetGroupName": "default",
            "VpcSecurityGroupIds": ["sg-0123456789abcdef0"],
            "DbClusterParameterGroupName": "default.aurora-mysql8.0",
            "KmsKeyId": "alias/stg-aurora",
            "PollIntervalSeconds": 0,
            "MaxPolls": 20,
        },
    )
    assert result["status"] == "SUCCEEDED", result.get("cause")
    assert result["roles"] == {destination["RoleArn"]}, "every task runs as the deployed destination role"

    def clusters(account: str) -> list[str]:
        rds = account_client(moto.endpoint, account, "rds", REGION)
        return [c["DBClusterIdentifier"] for c in rds.describe_db_clusters()["DBClusters"]]

    assert clusters("staging") == ["stg-aurora-restore"]
    assert clusters("production") == ["prod-aurora"]
    assert clusters("shared-services") == [] and clusters("dev") == []
