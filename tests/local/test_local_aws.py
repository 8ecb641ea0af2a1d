"""The local AWS rails every DAG test stands on: accounts, ECS completion, Step Functions, reset."""

from __future__ import annotations

import json

import pytest
from platform_ops.local.clients import account_client
from platform_ops.registry import registry

from tests.waiting import wait_until

# Each test builds what it checks (or runs seed_all itself): no seeded landing zone needed.
pytestmark = pytest.mark.seeds()


@pytest.mark.parametrize("account", [a.name for a in registry().accounts()])
def test_each_airflow_connection_lands_in_its_own_account(aws, account):
    from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

    expected = registry().account(account)
    hook = AwsBaseHook(aws_conn_id=expected.aws_conn_id, client_type="sts")
    identity = hook.get_conn().get_caller_identity()
    assert identity["Account"] == expected.account_id
    assert f"assumed-role/{expected.role_name}/" in identity["Arn"]


def test_resources_are_isolated_per_account(aws):
    account_client(aws, "staging", "s3").create_bucket(
        Bucket="only-in-staging", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    prod = [b["Name"] for b in account_client(aws, "production", "s3").list_buckets()["Buckets"]]
    assert "only-in-staging" not in prod


def test_reset_drops_everything_and_seeding_restores_the_landing_zone(local_aws, aws):
    from platform_ops.local.seed import seed_all

    account_client(aws, "dev", "sqs").create_queue(QueueName="leftover")
    local_aws.reset()
    assert account_client(aws, "dev", "sqs").list_queues().get("QueueUrls", []) == []
    seed_all(aws)
    buckets = [b["Name"] for b in account_client(aws, "shared-services", "s3").list_buckets()["Buckets"]]
    assert registry().artifacts_bucket in buckets


def _fargate_task_definition(ecs, family: str) -> None:
    ecs.register_task_definition(
        family=family,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[
            {
                "name": "job",
                "image": "public.ecr.aws/docker/library/busybox:latest",
                "memory": 512,
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {"awslogs-group": "/ecs/job", "awslogs-region": "eu-west-1",
                                "awslogs-stream-prefix": "ecs"},
                },
            }
        ],
    )  # fmt: skip


def test_ecs_tasks_stop_with_the_requested_exit_code_and_an_awslogs_stream(aws):
    ec2 = account_client(aws, "dev", "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="job", Description="job", VpcId=vpc)["GroupId"]
    ecs = account_client(aws, "dev", "ecs")
    ecs.create_cluster(clusterName="jobs")
    _fargate_task_definition(ecs, "job")
    task = ecs.run_task(
        cluster="jobs", taskDefinition="job", launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}},
        overrides={"containerOverrides": [{"name": "job", "environment": [
            {"name": "MOTO_EXIT_CODE", "value": "3"}, {"name": "MOTO_LOG_LINES", "value": "line one\\nline two"}]}]},
    )["tasks"][0]  # fmt: skip
    def stopped():
        (described,) = ecs.describe_tasks(cluster="jobs", tasks=[task["taskArn"]])["tasks"]
        return described if described["lastStatus"] == "STOPPED" else None

    described = wait_until(stopped, "the ECS task to stop")
    assert described["containers"][0]["exitCode"] == 3
    task_id = task["taskArn"].rsplit("/", 1)[-1]
    events = account_client(aws, "dev", "logs").get_log_events(
        logGroupName="/ecs/job", logStreamName=f"ecs/job/{task_id}"
    )["events"]
    assert [e["message"] for e in events] == ["line one", "line two"]


def test_step_functions_execute_for_real(aws):
    sfn = account_client(aws, "dev", "stepfunctions")
    definition = {
        "StartAt": "Double",
        "States": {"Double": {"Type": "Pass", "Parameters": {"value.$": "States.MathAdd($.n, $.n)"}, "End": True}},
    }
    arn = sfn.create_state_machine(
        name="double", definition=json.dumps(definition), roleArn="arn:aws:iam::444444444444:role/sfn"
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, name="n21", input=json.dumps({"n": 21}))["executionArn"]
    result = wait_until(
        lambda: (r := sfn.describe_execution(executionArn=execution))["status"] != "RUNNING" and r,
        "the execution to end",
    )
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"value": 42}


def test_a_server_whose_port_is_taken_never_passes_for_the_one_that_holds_it(local_aws, monkeypatch):
    """Two workers given the same free port at once: the loser must not return the winner's server.

    Asked for the taken port, the start fails; left to pick its own, it moves to another port and
    runs its own server (a different process, listening where its endpoint says).
    """
    from platform_ops.local import server

    with pytest.raises(RuntimeError, match="exited"):
        server.start_local_aws(port=local_aws.port, timeout=60)

    ports = iter([local_aws.port, server.free_port()])
    monkeypatch.setattr(server, "free_port", lambda: next(ports))
    own = server.start_local_aws(timeout=60)
    try:
        assert own.port != local_aws.port
        assert own.process.pid != local_aws.process.pid
        assert server._listening(own.process, own.port)
    finally:
        own.stop()
