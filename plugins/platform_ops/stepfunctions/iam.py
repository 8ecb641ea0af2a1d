"""Which IAM actions each Task state of a definition needs, and whether a plan's policies grant them.

The IAM <-> ASL cross-check: for every Task state, the role that runs it (the ``Credentials``
role, resolved through the input contract to the source or destination role; the execution role
otherwise) and the actions the call needs:

- ``aws-sdk:<service>:<action>``: ``<iam prefix>:<Operation>``. The prefix is the service's
  endpoint prefix in botocore's model (``efs`` -> ``elasticfilesystem``, ``sfn`` -> ``states``)
  except where IAM differs from it (``tagging`` -> ``tag``); the operation is botocore's name, except
  where IAM names the action otherwise (``s3:ListObjectsV2`` -> ``s3:ListBucket``);
- optimized integrations (``lambda:invoke`` -> ``lambda:InvokeFunction``, ``sqs:sendMessage``,
  ``events:putEvents``, ``states:startExecution[.sync]``); ``eks:runJob`` and ``eks:call`` need no
  IAM action: Kubernetes authorises the role through an EKS access entry;
- ``iam:PassRole`` wherever a parameter hands a role ARN to the service (``...RoleArn``);
- what the service calls in the caller's name (``IMPLIED``: tags at creation, KMS for encrypted
  restores and file systems, EC2 network interfaces of EFS mount targets, Secrets Manager and KMS
  for RDS-managed master passwords), each line from the service's API reference;
- ``sts:AssumeRole`` on the ``Credentials`` role for the execution role.

Policies are read from ``terraform show -json`` of a plan (``aws_iam_role_policy`` documents), not
from the ``.tf`` text, so what is checked is what Terraform would send to IAM.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from platform_ops.stepfunctions import asl, sdk

# Input-contract fields whose RoleArn a Task's Credentials may read, and the role each stands for.
ROLE_FIELDS = {"SourceAccount": "source", "DestinationAccount": "destination"}
EXECUTION = "execution"

# botocore endpoint prefix -> IAM service prefix, where they differ.
_IAM_PREFIX = {"tagging": "tag"}
# (IAM prefix, botocore operation) -> IAM action, where IAM names the action otherwise.
_IAM_ACTION = {
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "ListObjects"): "s3:ListBucket",
    ("s3", "HeadObject"): "s3:GetObject",
    ("lambda", "Invoke"): "lambda:InvokeFunction",
}
# Optimized integrations: resource (without the arn:aws:states::: prefix and .sync/.waitForTaskToken)
# -> actions.
_OPTIMIZED = {
    "lambda:invoke": ("lambda:InvokeFunction",),
    "sqs:sendMessage": ("sqs:SendMessage",),
    "sns:publish": ("sns:Publish",),
    "events:putEvents": ("events:PutEvents",),
    "dynamodb:putItem": ("dynamodb:PutItem",),
    "states:startExecution": ("states:StartExecution",),
    "eks:runJob": (),
    "eks:call": (),
}
_SYNC_EXTRA = {
    "states:startExecution": ("states:DescribeExecution", "states:StopExecution", "events:PutTargets",
                              "events:PutRule", "events:DescribeRule"),
}  # fmt: skip


@dataclass(frozen=True)
class Implied:
    """Actions a call makes the caller need besides its own (``when``: a parameter it must carry)."""

    action: str
    needs: tuple[str, ...]
    when: str | None = None
    source: str = ""


IMPLIED = (
    Implied("rds:CreateDBClusterSnapshot", ("rds:AddTagsToResource",), "Tags", "RDS: tags at creation"),
    Implied("rds:CreateDBInstance", ("rds:AddTagsToResource",), "Tags", "RDS: tags at creation"),
    Implied("rds:RestoreDBClusterFromSnapshot", ("rds:AddTagsToResource",), "Tags", "RDS: tags at creation"),
    Implied("rds:RestoreDBClusterToPointInTime", ("rds:AddTagsToResource",), "Tags", "RDS: tags at creation"),
    # A shared snapshot encrypted with the source key, or a restore into KmsKeyId: RDS creates a
    # grant on the key in the caller's name (RDS: sharing encrypted snapshots).
    Implied("rds:RestoreDBClusterFromSnapshot", ("kms:CreateGrant", "kms:DescribeKey"), None,
            "RDS: restoring an encrypted (shared) snapshot"),
    Implied("rds:RestoreDBClusterToPointInTime", ("kms:CreateGrant", "kms:DescribeKey"), "KmsKeyId",
            "RDS: restore into a customer managed key"),
    # ManageMasterUserPassword: RDS creates the secret, encrypted with MasterUserSecretKmsKeyId, in
    # the caller's name (RDS: password management with Secrets Manager, required permissions).
    Implied("rds:ModifyDBCluster", ("secretsmanager:CreateSecret", "secretsmanager:TagResource"),
            "ManageMasterUserPassword", "RDS: master password in Secrets Manager"),
    Implied("rds:ModifyDBCluster", ("kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey", "kms:CreateGrant"),
            "MasterUserSecretKmsKeyId", "RDS: master secret encrypted with a customer key"),
    Implied("elasticfilesystem:CreateFileSystem", ("elasticfilesystem:TagResource",), "Tags", "EFS: tags at creation"),
    Implied("elasticfilesystem:CreateFileSystem", ("kms:CreateGrant", "kms:DescribeKey"), "KmsKeyId",
            "EFS: encryption with a customer managed key"),
    Implied("elasticfilesystem:CreateAccessPoint", ("elasticfilesystem:TagResource",), "Tags", "EFS: tags at creation"),
    Implied("elasticfilesystem:CreateMountTarget",
            ("ec2:DescribeSubnets", "ec2:DescribeNetworkInterfaces", "ec2:CreateNetworkInterface"), None,
            "EFS API reference, CreateMountTarget"),
    Implied("elasticfilesystem:DeleteMountTarget", ("ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces"),
            None, "EFS API reference, DeleteMountTarget"),
    Implied("lambda:UpdateFunctionConfiguration", ("elasticfilesystem:DescribeMountTargets",), "FileSystemConfigs",
            "Lambda: configuring file system access"),
    Implied("tag:TagResources", ("rds:AddTagsToResource", "elasticfilesystem:TagResource"), None,
            "Resource Groups Tagging API: the tagged service's own tagging permission"),
    Implied("secretsmanager:RotateSecret", ("lambda:InvokeFunction",), "RotationLambdaARN",
            "Secrets Manager API reference, RotateSecret"),
    Implied("ssm:PutParameter", ("ssm:AddTagsToResource",), "Tags", "SSM: tags at creation"),
)  # fmt: skip


class ContractError(ValueError):
    """A task's Credentials read a field the input contract does not declare as an account role."""


@dataclass(frozen=True)
class Need:
    """One action one state needs, and from which role."""

    machine: str
    state: str
    role: str  # source, destination or execution
    action: str
    why: str


def iam_action(resource: str) -> tuple[str, ...]:
    """The IAM actions of a Task resource's own call (an empty tuple: none, e.g. eks:runJob)."""
    task = sdk.parse_resource(resource)
    if task is not None:
        if task.model is None or task.operation is None:
            raise ValueError(f"{resource}: not an operation in botocore's model")
        prefix = _IAM_PREFIX.get(task.model.endpoint_prefix, task.model.endpoint_prefix)
        name = task.operation.name
        return (_IAM_ACTION.get((prefix, name), f"{prefix}:{name}"),)
    rest = resource.removeprefix("arn:aws:states:::")
    base, _, pattern = rest.partition(".")
    if base not in _OPTIMIZED:
        raise ValueError(f"{resource}: no IAM mapping for this integration")
    extra = _SYNC_EXTRA.get(base, ()) if pattern.startswith("sync") else ()
    return _OPTIMIZED[base] + extra


def _keys(template, prefix: str = "") -> Iterator[str]:
    """Dotted parameter names of a payload template (``.$`` stripped), nested ones included."""
    if isinstance(template, dict):
        for key, value in template.items():
            name = key[:-2] if key.endswith(".$") else key
            yield f"{prefix}{name}"
            yield from _keys(value, f"{prefix}{name}.")
    elif isinstance(template, list):
        for value in template:
            yield from _keys(value, prefix)


def _passes_role(parameters) -> bool:
    """A parameter hands a role ARN to the service (``RoleArn``, ``IamRoleArn``, ``Destinations.RoleArn``)."""
    return any(key.rsplit(".", 1)[-1].lower().endswith("rolearn") for key in _keys(parameters))


def _has_parameter(parameters, name: str) -> bool:
    """``name`` is a top-level parameter with a value (not an empty list) in the template."""
    if not isinstance(parameters, dict):
        return False
    for key, value in parameters.items():
        if (key[:-2] if key.endswith(".$") else key) == name:
            return value not in ([], None, {})
    return False


def task_actions(state: dict) -> list[tuple[str, str]]:
    """``(action, why)`` for everything a Task state's call needs."""
    resource = state["Resource"]
    parameters = state.get("Parameters") or {}
    own = iam_action(resource)
    out = [(action, resource) for action in own]
    if _passes_role(parameters):
        out.append(("iam:PassRole", "a parameter passes a role ARN to the service"))
    for action in own:
        for implied in IMPLIED:
            if implied.action == action and (
                implied.when is None or _has_parameter(parameters, implied.when)
            ):
                out.extend((need, f"{action}: {implied.source}") for need in implied.needs)
    if resource.startswith("arn:aws:states:::eks:"):
        out.append(("k8s:access-entry", "Kubernetes API through an EKS access entry of the role"))
    return out


def credentials_role(state: dict, contract: dict) -> str:
    """The role a Task runs as: ``source``/``destination`` from its Credentials, else ``execution``."""
    credentials = state.get("Credentials")
    if not isinstance(credentials, dict):
        return EXECUTION
    path = credentials.get("RoleArn.$")
    if not isinstance(path, str):
        raise ContractError(f"Credentials {credentials!r} does not read RoleArn from the input")
    field = asl.first_field(path)
    declared = (contract.get("properties") or {}).get(field) or {}
    if field not in ROLE_FIELDS or "RoleArn" not in (declared.get("properties") or {}):
        raise ContractError(
            f"Credentials read {path}, but the input contract declares no account role "
            f"({', '.join(ROLE_FIELDS)}) with a RoleArn there"
        )
    return ROLE_FIELDS[field]


def machine_needs(machine: str, definition: dict, contract: dict) -> list[Need]:
    """Every (state, role, action) of one machine, the execution role's AssumeRole included."""
    needs = []
    for scope, name, state in asl.all_states(definition):
        if state.get("Type") != "Task":
            continue
        role = credentials_role(state, contract)
        label = scope.qualified(name)
        needs.extend(Need(machine, label, role, action, why) for action, why in task_actions(state))
        if role != EXECUTION:
            needs.append(Need(machine, label, EXECUTION, "sts:AssumeRole", f"Credentials: the {role} role"))
    return needs


def asl_needs(asl_dir: Path) -> list[Need]:
    """The needs of every ``<module>/<name>.asl.json`` under ``asl_dir`` (machine = ``<module>/<name>``)."""
    out = []
    for path in sorted(asl_dir.glob("*/*.asl.json")):
        machine = f"{path.parent.name}/{path.name.removesuffix('.asl.json')}"
        contract = json.loads(path.with_name(path.name.replace(".asl.json", ".schema.json")).read_text())
        out.extend(machine_needs(machine, json.loads(path.read_text()), contract))
    return out


# --------------------------------------------------------------------------------- plan policies


@dataclass(frozen=True)
class Grant:
    """One Allow statement's action pattern on one role."""

    role: str  # the role's name
    action: str  # as written, wildcards allowed
    sid: str
    resources: tuple[str, ...]

    def covers(self, action: str) -> bool:
        return fnmatch.fnmatchcase(action.lower(), self.action.lower())


def plan_resources(module: dict) -> Iterator[dict]:
    """Every resource of a plan module (planned_values.root_module), child modules included."""
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from plan_resources(child)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def role_grants(plan: dict) -> dict[str, list[Grant]]:
    """``{role name: grants}`` from every ``aws_iam_role_policy`` in a plan's planned values.

    A policy whose role or document is not known at plan time is left out (e.g. a helper
    Lambda's own role); a role of the cross-check left out this way shows as missing everything.
    """
    out: dict[str, list[Grant]] = {}
    for resource in plan_resources(plan.get("planned_values", {}).get("root_module", {})):
        if resource.get("type") != "aws_iam_role_policy" or resource.get("mode") != "managed":
            continue
        values = resource.get("values", {})
        if not isinstance(values.get("policy"), str) or not isinstance(values.get("role"), str):
            continue
        document = json.loads(values["policy"])
        for statement in _as_list(document.get("Statement", [])):
            if statement.get("Effect") != "Allow":
                continue
            for action in _as_list(statement.get("Action", [])):
                out.setdefault(values["role"], []).append(
                    Grant(
                        values["role"],
                        action,
                        statement.get("Sid", ""),
                        tuple(_as_list(statement.get("Resource", []))),
                    )
                )
    return out


def assume_role_policies(plan: dict) -> dict[str, dict]:
    """``{role name: trust policy}`` of every ``aws_iam_role`` the plan creates."""
    return {
        r["values"]["name"]: json.loads(r["values"]["assume_role_policy"])
        for r in plan_resources(plan.get("planned_values", {}).get("root_module", {}))
        if r.get("type") == "aws_iam_role" and isinstance(r.get("values", {}).get("assume_role_policy"), str)
    }


# ---------------------------------------------------------------------------------- the check


@dataclass(frozen=True)
class Report:
    missing: list[Need]
    unused: list[Grant]  # not needed by any state and not in the allow-list
    stale_allowances: list[str]  # allow-list entries that no longer name a grant (or are needed)


def cross_check(
    needs: Iterable[Need],
    grants: dict[str, list[Grant]],
    roles: dict[str, str],
    allowed_unused: dict[str, dict[str, str]],
    outside_iam: frozenset[str] = frozenset({"k8s:access-entry"}),
) -> Report:
    """Compare ``needs`` with the ``grants`` of the roles named in ``roles`` (kind -> role name).

    ``allowed_unused`` is ``{kind: {action pattern: reason}}``: grants no state needs, kept on purpose.
    Needs in ``outside_iam`` are not IAM actions (checked elsewhere) and are skipped here.
    """
    needs = [n for n in needs if n.action not in outside_iam]
    missing = [
        need
        for need in needs
        if not any(grant.covers(need.action) for grant in grants.get(roles[need.role], []))
    ]
    unused, stale = [], []
    for kind, role_name in roles.items():
        wanted = {n.action for n in needs if n.role == kind}
        allowed = allowed_unused.get(kind, {})
        role_grants_ = grants.get(role_name, [])
        for grant in role_grants_:
            if any(grant.covers(action) for action in wanted):
                continue
            if grant.action not in allowed:
                unused.append(grant)
        for action, reason in allowed.items():
            named = any(g.action == action for g in role_grants_)
            needed = any(fnmatch.fnmatchcase(w.lower(), action.lower()) for w in wanted)
            if not named or needed or not reason.strip():
                stale.append(
                    f"{kind} {action}: "
                    + ("no such grant" if not named else "needed" if needed else "no reason")
                )
    return Report(missing, unused, stale)


def format_report(report: Report) -> str:
    lines = [f"MISSING {n.machine} {n.state} role={n.role} {n.action} ({n.why})" for n in report.missing]
    lines += [f"UNUSED role={g.role} {g.action} (statement {g.sid}): add a reason to the allow-list or drop it"
              for g in report.unused]  # fmt: skip
    lines += [f"STALE allow-list entry {entry}" for entry in report.stale_allowances]
    return "\n".join(lines)
