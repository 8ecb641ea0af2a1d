"""terraform/stacks/rds-snapshots planned against the local AWS: what the rds_snapshots DAG needs.

One module fixture on a local AWS of its own: first the local seeder (``seed_snapshots``) runs
and what it made is read back through the AWS APIs; then the server is reset, the state buckets
are seeded, and the registry stack ``rds-snapshots-production`` is planned with the real
terraform binary and the image's provider mirror. The tests read the plan's JSON (``show
-json``): its event pattern against ``matching.RULE_PATTERNS``, its queues, rules and key alias
against the seeder's (the registry's names), and the DR key's policy.

Planned, not applied: an apply takes 75 s or more of the provider's own SQS waits (each queue,
its dead-letter queue and its policy wait about 25 s, one after the other, for the attributes to
settle), over this module's time budget. The event delivery through exactly these rules is
exercised with the seeder's rules (``tests/snapshots/test_local_rds.py``), which the test below
proves equal to the stack's.
"""

from __future__ import annotations

import functools
import json

import pytest
from platform_ops.events import matching
from platform_ops.local.clients import account_client
from platform_ops.local.seed import seed_terraform_state
from platform_ops.local.server import start_local_aws
from platform_ops.local.snapshots_seed import seed_snapshots
from platform_ops.registry import registry
from platform_ops.terraform.workspace import stack_workspace

from tests.stacks import account_credentials

STACK, TARGET = "rds-snapshots-production", "production-eu-west-1"
STACKS = ("rds-snapshots-production", "rds-snapshots-staging")
MODULES = {"primary": "events_primary", "dr": "events_dr"}


def _seeded_wiring(endpoint: str, target) -> dict:
    """Per Region of a snapshot target: its queues, its rules (name -> pattern, target queue) and key aliases."""
    found = {}
    for region in (target.region, target.dr_region):
        client = functools.partial(account_client, endpoint, target.account.name, region=region)
        urls = client("sqs").list_queues(QueueNamePrefix=target.event_queue).get("QueueUrls", [])
        events = client("events")
        rules = {}
        for rule in events.list_rules(NamePrefix=target.event_queue)["Rules"]:
            (queue,) = [t["Arn"] for t in events.list_targets_by_rule(Rule=rule["Name"])["Targets"]]
            rules[rule["Name"]] = {
                "pattern": json.loads(rule["EventPattern"]),
                "queue": queue.rsplit(":", 1)[1],
            }
        aliases = {a["AliasName"] for a in client("kms").list_aliases()["Aliases"]}
        aliases = {a for a in aliases if not a.startswith("alias/aws/")}  # moto's AWS managed keys
        found[region] = {
            "queues": sorted(u.rsplit("/", 1)[1] for u in urls),
            "rules": rules,
            "aliases": aliases,
        }
    return found


@pytest.fixture(scope="module")
def planned():
    """The seeder's wiring, then the production stack's plan (show -json)."""
    local = start_local_aws()
    try:
        endpoint = local.endpoint
        target = registry().snapshot_target(TARGET)
        seed_snapshots(endpoint)
        seeded = _seeded_wiring(endpoint, target)
        local.reset()
        seed_terraform_state(endpoint)
        stack = registry().stack(STACK)
        with stack_workspace(stack, account_credentials(endpoint, stack.account.name), endpoint) as tf:
            assert tf.plan("tfplan", variables=stack.vars), "a first plan must have changes"
            plan = tf.show_json("tfplan")
    finally:
        local.stop()
    return {"target": target, "seeded": seeded, "plan": plan}


class Plan:
    """What a plan creates, by module: planned values, the Region its provider read, references."""

    def __init__(self, plan: dict):
        self.plan = plan
        self.created = {
            rc["address"]: rc for rc in plan["resource_changes"] if rc["change"]["actions"] == ["create"]
        }

    def of_type(self, module: str, type_: str) -> list[dict]:
        prefix = f"module.{module}."
        return [
            rc["change"]["after"]
            for a, rc in self.created.items()
            if a.startswith(prefix) and rc["type"] == type_
        ]

    def region(self, module: str) -> str:
        """The Region of the module's provider, as terraform read it (data.aws_region.current)."""
        (child,) = [c for c in self.plan["prior_state"]["values"]["root_module"]["child_modules"]
                    if c["address"] == f"module.{module}"]  # fmt: skip
        (region,) = [
            r["values"]["name"]
            for r in child["resources"]
            if r["address"].endswith("data.aws_region.current")
        ]
        return region

    def references(self, module: str, resource: str, attribute: str) -> list[str]:
        call = self.plan["configuration"]["root_module"]["module_calls"][module]["module"]
        (config,) = [r for r in call["resources"] if r["address"] == resource]
        return config["expressions"][attribute]["references"]

    def output(self, name: str):
        return self.plan["output_changes"][name]["after"]


def test_the_planned_rules_carry_the_pattern_of_rule_patterns(planned):
    """The module's rendered pattern (plan JSON, both Regions) is exactly the matcher's table entry."""
    plan = Plan(planned["plan"])
    for module in MODULES.values():
        (rule,) = plan.of_type(module, "aws_cloudwatch_event_rule")
        assert json.loads(rule["event_pattern"]) == matching.RULE_PATTERNS["rds_snapshot"]
        assert rule["event_bus_name"] == "default"
    assert json.loads(plan.output("rds_snapshot_event_pattern")) == matching.RULE_PATTERNS["rds_snapshot"]
    kinds = {rc["index"] for rc in plan.created.values() if rc["type"] == "aws_cloudwatch_event_rule"}
    assert kinds == {"rds_snapshot"}, (
        "only the RDS snapshot source is on: no Step Functions, ECS or alarm rule"
    )


def test_seeder_and_stack_make_the_registry_names(planned):
    """Queue, rule (name, pattern, the queue it feeds) in each Region and the DR alias: the seeder's."""
    plan, target, seeded = Plan(planned["plan"]), planned["target"], planned["seeded"]
    regions = {"primary": target.region, "dr": target.dr_region}
    for role, module in MODULES.items():
        region = regions[role]
        assert plan.region(module) == region
        queues = {q["name"] for q in plan.of_type(module, "aws_sqs_queue")}
        assert queues == {target.event_queue, f"{target.event_queue}-dlq"}
        assert seeded[region]["queues"] == [target.event_queue]
        (rule,) = plan.of_type(module, "aws_cloudwatch_event_rule")
        # The rule's target is the module's event queue (named var.name_prefix = event_queue).
        assert "aws_sqs_queue.events.arn" in plan.references(
            module, "aws_cloudwatch_event_target.queue", "arn"
        )
        made = {rule["name"]: {"pattern": json.loads(rule["event_pattern"]), "queue": target.event_queue}}
        assert made == seeded[region]["rules"], region
        assert plan.output("event_queues")[role] == {
            "region": region,
            "name": target.event_queue,
            "dlq_alarm_name": f"{target.event_queue}-dlq-not-empty",
        }
    assert plan.region("dr_key") == target.dr_region
    (alias,) = plan.of_type("dr_key", "aws_kms_alias")
    assert alias["name"] == target.dr_kms_key_alias
    assert seeded[target.dr_region]["aliases"] == {target.dr_kms_key_alias}
    assert plan.output("dr_kms_key") == {"region": target.dr_region, "alias": target.dr_kms_key_alias}


def test_the_dr_key_lets_rds_of_this_account_use_it_through_the_dr_region_only(planned):
    plan, target = Plan(planned["plan"]), planned["target"]
    (key,) = plan.of_type("dr_key", "aws_kms_key")
    assert key["enable_key_rotation"] is True and key["multi_region"] is False
    policy = json.loads(key["policy"])
    (rds,) = [s for s in policy["Statement"] if s["Sid"] == "ServicesInThisAccount"]
    assert rds["Principal"] == {"AWS": "*"}
    assert rds["Condition"]["StringEquals"] == {
        "kms:CallerAccount": target.account.account_id,
        "kms:ViaService": f"rds.{target.dr_region}.amazonaws.com",
    }
    # CopyDBSnapshot with KmsKeyId: RDS describes the key, creates a grant and encrypts under it.
    assert {"kms:CreateGrant", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*"} <= set(rds["Action"])


def test_each_registry_stack_names_what_its_snapshot_target_expects():
    """One directory, two stacks (own state each), each with its target's Regions and names."""
    reg = registry()
    targets = {}
    for name in reg.snapshot_target_names():
        target = reg.snapshot_target(name)
        targets[target.account.name] = target
    stacks = [reg.stack(name) for name in STACKS]
    assert {s.path for s in stacks} == {"terraform/stacks/rds-snapshots"}
    assert len({(s.state_bucket, s.state_key) for s in stacks}) == len(STACKS)
    assert sorted(s.account.name for s in stacks) == sorted(targets), "one stack per target account"
    for stack in stacks:
        target = targets[stack.account.name]
        assert stack.region == target.region
        assert stack.vars == {
            "environment": stack.account.environment,
            "region": target.region,
            "dr_region": target.dr_region,
            "event_queue_name": target.event_queue,
            "dr_kms_key_alias": target.dr_kms_key_alias,
        }
