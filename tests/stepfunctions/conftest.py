"""Run the asl/ definitions in the local AWS (moto, Step Functions execute mode).

The machines are created in shared-services with an execution role there, as the refresh
deploys them. The local AWS runs each task as the role it names (``moto_sfn_credentials``): a
``SourceAccount`` task acts in production, a ``DestinationAccount`` task in staging. The tests
therefore
- pass the registry's production role as the source and the staging role as the destination,
- seed and assert AWS state in those accounts (the ``source`` and ``destination`` fixtures,
  which keep what the local AWS's own seed put there apart from what a test created),
- and may still read, from the execution history, which role each task asked for.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import pytest
from platform_ops.local.clients import account_client
from platform_ops.registry import registry

from tests.stepfunctions.moto_casing import to_moto

ASL = Path(__file__).resolve().parents[2] / "asl"
REGION = "eu-west-1"
_names = itertools.count()


def role(account_name: str) -> dict:
    account = registry().account(account_name)
    return {"RoleArn": account.role_arn, "AccountId": account.account_id}


SOURCE = role("production")
DESTINATION = role("staging")


@dataclass
class Execution:
    status: str
    output: dict | None
    error: str | None
    cause: str | None
    events: list = field(repr=False, default_factory=list)

    def roles_by_state(self) -> dict[str, set[str]]:
        """Which Credentials.RoleArn each task state asked for (from the TaskScheduled events)."""
        by_id = {e["id"]: e for e in self.events}
        out: dict[str, set[str]] = {}
        for event in self.events:
            details = event.get("taskScheduledEventDetails")
            if not details or "taskCredentials" not in details:
                continue
            entered = by_id.get(event.get("previousEventId"))
            name = (entered or {}).get("stateEnteredEventDetails", {}).get("name", "?")
            out.setdefault(name, set()).add(details["taskCredentials"]["roleArn"])
        return out

    def states_entered(self) -> list[str]:
        return [e["stateEnteredEventDetails"]["name"] for e in self.events if "stateEnteredEventDetails" in e]


def load(module: str, name: str) -> tuple[dict, dict]:
    definition = json.loads((ASL / module / f"{name}.asl.json").read_text())
    schema = json.loads((ASL / module / f"{name}.schema.json").read_text())
    return definition, schema


class Runner:
    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        self.sfn = account_client(endpoint, "shared-services", "stepfunctions", REGION)
        self.arns: dict[str, str] = {}

    def run(
        self, module: str, name: str, payload: dict, timeout: float = 300.0, start_at: str | None = None
    ) -> Execution:
        """Execute asl/<module>/<name> with ``payload``.

        ``start_at`` runs the same states from another entry point (the input is then the state at
        that point, not the contract): for logic moto cannot reach end to end.
        """
        definition, schema = load(module, name)
        if start_at is None:
            jsonschema.validate(payload, schema)  # every test input honours the published contract
        else:
            definition = dict(definition, StartAt=start_at)
        key = f"{module}-{name}" + (f"-from-{start_at}" if start_at else "")
        if key not in self.arns:
            self.arns[key] = self.sfn.create_state_machine(
                name=key,
                definition=json.dumps(to_moto(definition)),
                roleArn=f"arn:aws:iam::{registry().account('shared-services').account_id}:role/platform-ops-sfn",
            )["stateMachineArn"]
        arn = self.sfn.start_execution(
            stateMachineArn=self.arns[key], name=f"{name[:40]}-{next(_names)}", input=json.dumps(payload)
        )["executionArn"]
        deadline = time.monotonic() + timeout
        while True:
            described = self.sfn.describe_execution(executionArn=arn)
            if described["status"] != "RUNNING":
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"{key} still RUNNING after {timeout}s")
            time.sleep(0.1)
        events = self.sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        output = json.loads(described["output"]) if described.get("output") else None
        return Execution(described["status"], output, described.get("error"), described.get("cause"), events)


@pytest.fixture
def sfn(aws) -> Runner:
    return Runner(aws)


# What a test may create in an account, listed by one describe each (the seed's share is kept aside).
INVENTORY = {
    "clusters": ("rds", lambda c: [x["DBClusterIdentifier"] for x in c.describe_db_clusters()["DBClusters"]]),
    "instances": (
        "rds",
        lambda c: [x["DBInstanceIdentifier"] for x in c.describe_db_instances()["DBInstances"]],
    ),
    "manual_snapshots": (
        "rds",
        lambda c: [
            x["DBClusterSnapshotIdentifier"]
            for x in c.describe_db_cluster_snapshots(SnapshotType="manual")["DBClusterSnapshots"]
        ],
    ),
    "file_systems": ("efs", lambda c: [x["FileSystemId"] for x in c.describe_file_systems()["FileSystems"]]),
}


class AccountClients:
    """boto3 clients as one registry account's role, and what the seed left there."""

    def __init__(self, endpoint: str, name: str, inventory: bool = True):
        self.endpoint, self.name = endpoint, name
        self.account_id = registry().account(name).account_id
        assert self("sts").get_caller_identity()["Account"] == self.account_id
        self.seeded = {kind: set(self._list(kind)) for kind in INVENTORY} if inventory else {}

    def __call__(self, service: str, region: str = REGION):
        return account_client(self.endpoint, self.name, service, region)

    def _list(self, kind: str) -> list[str]:
        service, lister = INVENTORY[kind]
        return lister(self(service))

    def new(self, kind: str) -> list[str]:
        """The ``kind`` resources (see INVENTORY) besides the seed's, sorted; the seed's must remain."""
        now = set(self._list(kind))
        assert self.seeded[kind] <= now, f"seeded {kind} gone: {sorted(self.seeded[kind] - now)}"
        return sorted(now - self.seeded[kind])


@pytest.fixture
def source(aws) -> AccountClients:
    """The source account (production), where ``SourceAccount`` tasks act."""
    return AccountClients(aws, "production")


@pytest.fixture
def destination(aws) -> AccountClients:
    """The destination account (staging), where ``DestinationAccount`` tasks act."""
    return AccountClients(aws, "staging")


def fast(**fields) -> dict:
    """Poll settings for tests: no real waiting, still bounded."""
    return {"PollIntervalSeconds": 0, "MaxPolls": 20, **fields}
