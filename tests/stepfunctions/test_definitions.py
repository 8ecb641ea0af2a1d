"""Static facts about asl/: the machine set, input contracts, and moto's CreateStateMachine."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import jsonschema
import pytest
from platform_ops.stepfunctions import asl

ASL = Path(__file__).resolve().parents[2] / "asl"
MACHINES = {
    "db": {
        "create_manual_snapshot",
        "share_snapshot",
        "list_shared_snapshots",
        "restore_cluster",
        "create_instance",
        "enable_master_secret",
        "configure_s3_integration",
        "ensure_cluster_available",
        "ensure_cluster_not_exists",
        "delete_cluster",
        "rename_cluster",
        "stop_cluster",
        "rotate_secrets",
        "run_sql_lambda",
        "run_sql_from_s3",
        "run_mysqldump_on_eks",
        "run_mysqlimport_on_eks",
    },
    "efs": {
        "restore_from_backup",
        "create_filesystem",
        "create_mount_targets",
        "delete_filesystem",
        "get_subpath_and_store_in_ssm",
        "setup_cross_account_replication",
        "check_replication_sync",
        "cleanup_efs_helpers",
    },
    "eks": {"manage_storage", "scale_nodegroup"},
    "utils": {"prepare_refresh", "tag_resources", "run_archive_job"},
}
ALL = sorted((module, name) for module, names in MACHINES.items() for name in names)


def load(module, name):
    return (
        json.loads((ASL / module / f"{name}.asl.json").read_text()),
        json.loads((ASL / module / f"{name}.schema.json").read_text()),
    )


def test_the_machine_set_is_complete_and_nothing_orchestrates():
    found = {(p.parent.name, p.name.removesuffix(".asl.json")) for p in ASL.rglob("*.asl.json")}
    assert found == set(ALL)
    assert {p.name.removesuffix(".schema.json") for p in ASL.rglob("*.schema.json")} == {n for _, n in ALL}


@pytest.mark.parametrize(("module", "name"), ALL)
def test_input_contract(module, name):
    definition, schema = load(module, name)
    jsonschema.Draft202012Validator.check_schema(schema)
    for example in schema["examples"]:
        jsonschema.validate(example, schema)
    assert set(schema["x-output"]["Status"]) <= {"Completed", "NoChange"}
    assert schema["x-leaves-behind"]
    properties = schema["properties"]
    for field in schema["required"]:
        assert "default" not in properties[field], f"{field} is required and has a default"
    # The defaults the machine applies are exactly the contract's.
    declared = {key: prop["default"] for key, prop in properties.items() if "default" in prop}
    applied = definition["States"].get("ApplyDefaults", {}).get("Parameters", {}).get("Defaults", {})
    assert applied == declared
    # A missing required field is refused by the contract before any execution exists.
    for field in schema["required"]:
        broken = {k: v for k, v in schema["examples"][0].items() if k != field}
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, schema)


@pytest.mark.parametrize(("module", "name"), ALL)
def test_every_task_assumes_a_role_from_the_input(module, name):
    definition, schema = load(module, name)
    roles = set()
    for _, _, state in asl.all_states(definition):
        if state.get("Type") == "Task":
            roles.add(state["Credentials"]["RoleArn.$"])
    assert roles <= {"$.SourceAccount.RoleArn", "$.DestinationAccount.RoleArn"}
    for path in roles:
        assert path.split(".")[1] in schema["required"]


def test_secrets_never_enter_state_or_job_specs():
    """No task reads a secret value, and Kubernetes Jobs get the secret's ARN, never a password."""
    jobs = 0
    for module, name in ALL:
        definition, _ = load(module, name)
        for _, _, state in asl.all_states(definition):
            resource = state.get("Resource", "")
            assert not resource.endswith(":getSecretValue"), name
            if resource.startswith("arn:aws:states:::eks:runJob"):
                jobs += 1
                for container in state["Parameters"]["Job"]["spec"]["template"]["spec"]["containers"]:
                    env = {e["name"] for e in container["env"]}
                    assert not any("PASS" in e for e in env), (name, env)
                    assert "DB_SECRET_ARN" in env or module == "utils", (name, env)
    assert jobs == 4  # mysqldump, mysqlimport, archive (two variants)


def test_moto_accepts_every_definition(local_aws):
    sfn = boto3.client(
        "stepfunctions",
        endpoint_url=local_aws.endpoint,
        region_name="eu-west-1",
        aws_access_key_id="definitions",
        aws_secret_access_key="definitions",
    )
    for module, name in ALL:
        definition = (ASL / module / f"{name}.asl.json").read_text()
        arn = sfn.create_state_machine(
            name=f"accept-{module}-{name}",
            definition=definition,
            roleArn="arn:aws:iam::123456789012:role/sfn",
        )["stateMachineArn"]
        sfn.delete_state_machine(stateMachineArn=arn)


def _job_name_templates(definition) -> list[str]:
    """The States.Format templates that name Kubernetes Jobs (directly or through a Map's ItemSelector)."""
    templates = []
    for _, _, state in asl.all_states(definition):
        for key, value in asl.template_entries(state.get("ItemSelector")):
            if key == "JobName":
                templates.append(value)
        if state.get("Resource", "").startswith("arn:aws:states:::eks:runJob"):
            name = state["Parameters"]["Job"]["metadata"]["name.$"]
            if name != "$.JobName":
                templates.append(name)
    return templates


def test_job_names_are_dns_1123_and_unique_per_execution():
    import hashlib
    import re

    from platform_ops.stepfunctions import intrinsics

    execution_id = "arn:aws:states:eu-west-1:111111111111:execution:DB-Dump:manual__2026-01-01T02:00:00+00:00"
    md5 = hashlib.md5(execution_id.encode()).hexdigest()  # what States.Hash($$.Execution.Id, 'MD5') gives
    seen = 0
    for module, name in ALL:
        definition, _ = load(module, name)
        templates = _job_name_templates(definition)
        if not templates:
            continue
        run_id = definition["States"]["RunId"]["Parameters"]["Hash.$"]
        assert run_id == "States.Hash($$.Execution.Id, 'MD5')"
        for template in templates:
            call = intrinsics.parse(template)
            assert call.name == "States.Format" and call.args[1].text == "$.Run.Hash"
            values = [md5] + ["99"] * (len(call.args) - 2)  # a Map index, two digits
            rendered = call.args[0].value.replace("{}", "%s") % tuple(values)
            assert re.fullmatch(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", rendered), rendered
            seen += 1
    assert seen == 4


@pytest.mark.parametrize(("module", "name"), ALL)
def test_declared_errors_are_the_machines_fail_errors(module, name):
    """Where a contract lists its non-success outcomes (x-errors), they are exactly the Error names
    of the machine's Fail states: none is missing and none is reported as a success Status."""
    definition, schema = load(module, name)
    if "x-errors" not in schema:
        return
    errors = {s["Error"] for _, _, s in asl.all_states(definition) if s.get("Type") == "Fail"}
    assert set(schema["x-errors"]["enum"]) == errors
    assert not errors & set(schema["x-output"]["Status"])
