"""The ASL validator: it flags every anchor definition defect (fixtures) and passes asl/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from platform_ops.stepfunctions import intrinsics, sdk
from platform_ops.stepfunctions.validate import main, validate_definition, validate_file

FIXTURES = Path(__file__).parent / "fixtures" / "anchor_defects"
ASL = Path(__file__).resolve().parents[2] / "asl"

# fixture -> the exact set of rules it must trip (one fixture per defect pattern of the anchor).
EXPECTED = {
    "error_names_fault_form": {"error-name"},
    "map_without_item_selector": {"map-selector", "delete-tag-gate"},
    "json_merge_two_arguments": {"intrinsic"},
    "array_concat_and_iterator_mix": {"intrinsic", "map-legacy"},
    "catch_without_result_path": {"catch-result"},
    "unbounded_poll_no_timeout": {"poll-bound", "timeout"},
    "snapshot_by_list_index": {"fixed-index"},
    "boolean_as_string": {"sdk-params"},
    "delete_without_tag_check": {"delete-tag-gate"},
    "timeout_reported_as_success": {"status-set"},
    "nested_execution_by_name": {"nested-execution", "credentials"},
    "hard_coded_account": {"account-id"},
    "filter_reads_other_field": {"filter-path"},
    "optional_default_idiom": {"default-idiom"},
    "reads_field_nobody_provides": {"contract"},
    "wrong_parameter_name": {"sdk-params"},
    "unknown_action": {"sdk-action"},
    "no_credentials": {"credentials"},
    "broken_graph": {"targets", "unreachable"},
    "double_wildcard_on_tags": {"multi-wildcard"},
    "no_status_in_output": {"status-output"},
}
# The fixtures are minimal, so most also end without a Status; only its own fixture must show it.
INCIDENTAL = {"status-output"}


def test_status_output_is_required_at_every_successful_end():
    done = {"Type": "Pass", "Parameters": {"Status": "Completed", "Id.$": "$.Id"}, "End": True}
    assert {f.rule for f in validate_definition(_machine({"Done": done}))} == set()
    assert {f.rule for f in validate_definition(_machine({"Done": {"Type": "Succeed"}}))} == {"status-output"}
    discarded = dict(done, ResultPath=None)  # output = input: the Status is thrown away
    assert {f.rule for f in validate_definition(_machine({"Done": discarded}))} == {"status-output"}


def test_every_fixture_is_listed():
    assert {p.name.removesuffix(".asl.json") for p in FIXTURES.glob("*.asl.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_anchor_defect_is_flagged(name):
    findings = validate_file(FIXTURES / f"{name}.asl.json", require_schema=False)
    rules = {f.rule for f in findings}
    assert EXPECTED[name] <= rules and rules - EXPECTED[name] <= INCIDENTAL, "\n".join(map(str, findings))


def test_error_name_hint_gives_the_form_step_functions_raises():
    findings = validate_file(FIXTURES / "error_names_fault_form.asl.json", require_schema=False)
    messages = " ".join(f.message for f in findings)
    assert "did you mean Rds.DbClusterNotFoundException?" in messages
    assert "did you mean Rds.InvalidDbClusterStateException?" in messages
    assert "did you mean Efs.ReplicationNotFoundException?" in messages


def test_all_repository_definitions_pass():
    files = sorted(ASL.rglob("*.asl.json"))
    assert len(files) == 30
    findings = [f for path in files for f in validate_file(path)]
    assert findings == [], "\n".join(map(str, findings))


def test_cli_exit_codes(capsys):
    assert main([str(ASL)]) == 0
    assert main(["--no-schema", str(FIXTURES)]) == 1
    out = capsys.readouterr().out
    assert "[delete-tag-gate]" in out and "[poll-bound]" in out


def test_cli_requires_the_input_contract(tmp_path):
    definition = json.loads((ASL / "db" / "stop_cluster.asl.json").read_text())
    (tmp_path / "stop.asl.json").write_text(json.dumps(definition))
    assert [f.rule for f in validate_file(tmp_path / "stop.asl.json")] == ["contract"]
    (tmp_path / "stop.schema.json").write_text('{"type": "object", "properties": {"x": {"type": 7}}}')
    assert [f.rule for f in validate_file(tmp_path / "stop.asl.json")] == ["contract"]


def test_not_json(tmp_path):
    (tmp_path / "bad.asl.json").write_text("{not json")
    assert [f.rule for f in validate_file(tmp_path / "bad.asl.json")] == ["json"]


def _machine(states, **extra):
    return {"StartAt": next(iter(states)), "TimeoutSeconds": 60, "States": states, **extra}


def _rules(states) -> set[str]:
    """Rules a small machine trips, minus the missing-Status finding these snippets all share."""
    return {f.rule for f in validate_definition(_machine(states))} - INCIDENTAL


def test_bounded_poll_loop_is_accepted():
    states = {
        "Init": {"Type": "Pass", "Result": {"Count": 0}, "ResultPath": "$.Polls", "Next": "Check"},
        "Check": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.Polls.Count", "NumericGreaterThanEqualsPath": "$.Max", "Next": "Fail"}
            ],
            "Default": "Wait",
        },
        "Wait": {"Type": "Wait", "Seconds": 1, "Next": "Count"},
        "Count": {
            "Type": "Pass",
            "Parameters": {"Count.$": "States.MathAdd($.Polls.Count, 1)"},
            "ResultPath": "$.Polls",
            "Next": "Check",
        },
        "Fail": {"Type": "Fail", "Error": "PollLimitExceeded"},
    }
    assert _rules(states) == set()
    states["Count"]["Parameters"] = {"Count.$": "$.Polls.Count"}
    assert _rules(states) == {"poll-bound"}


def test_tag_gated_delete_is_accepted():
    delete = {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:efs:deleteFileSystem",
        "Parameters": {"FileSystemId.$": "$.Id"},
        "Credentials": {"RoleArn.$": "$.Role"},
        "ResultPath": None,
        "End": True,
    }
    gate = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.TaggedForRefresh", "BooleanEquals": True, "Next": "Delete"}],
        "Default": "No",
    }
    assert _rules({"Gate": gate, "Delete": delete, "No": {"Type": "Fail"}}) == set()
    around = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.Force", "BooleanEquals": True, "Next": "Delete"}],
        "Default": "Gate",
    }
    assert _rules({"Start": around, "Gate": gate, "Delete": delete, "No": {"Type": "Fail"}}) == {
        "delete-tag-gate"
    }


def test_raw_result_and_catch_all_last():
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:rds:describeDBClusters",
        "Parameters": {},
        "Credentials": {"RoleArn.$": "$.Role"},
        "Next": "Done",
        "Catch": [
            {"ErrorEquals": ["States.ALL"], "ResultPath": "$.E", "Next": "Done"},
            {"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.E", "Next": "Done"},
        ],
    }
    assert _rules({"Describe": task, "Done": {"Type": "Succeed"}}) == {"catch-all-last", "raw-result"}


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("States.Format('{}-{}', $.a)", "2 placeholders and 1 values"),
        ("States.Hash($.a, 'SHA-999')", "unknown hash algorithm"),
        ("States.JsonMerge($.a, $.b, true)", "third argument must be false"),
        ("States.MathAdd($.a)", "takes 2 arguments, got 1"),
        ("States.UUID(1)", "takes 0 arguments"),
        ("States.Nope($.a)", "not a Step Functions intrinsic"),
        ("States.Format('x'", "unterminated"),
    ],
)
def test_intrinsic_checks(expression, problem):
    states = {"P": {"Type": "Pass", "Parameters": {"v.$": expression}, "End": True}}
    findings = validate_definition(_machine(states))
    assert any(problem in f.message for f in findings if f.rule == "intrinsic"), findings


def test_intrinsic_parser_reads_nesting_escapes_and_paths():
    call = intrinsics.parse(
        "States.Format('a\\'{}\\{', States.MathAdd($$.Map.Item.Index, 1), $.x[?(@.k == 'v,w')].y)"
    )
    assert call.name == "States.Format" and len(call.args) == 3
    assert sorted(intrinsics.paths(call)) == ["$$.Map.Item.Index", "$.x[?(@.k == 'v,w')].y"]
    assert intrinsics.placeholder_count("a\\{}{}") == 1


def test_sdk_casing_and_error_names():
    assert sdk.sfn_case("DBClusterIdentifier") == "DbClusterIdentifier"
    assert sdk.sfn_case("KMSKeyId") == "KmsKeyId"
    assert sdk.sfn_case("clusterName") == "ClusterName"
    names = sdk.error_names("rds")
    assert names["Rds.DbClusterNotFoundException"] == "DBClusterNotFoundFault"
    assert "Rds.DBClusterNotFoundFault" not in names
    assert "Efs.FileSystemNotFoundException" in sdk.error_names("efs")
    assert "SecretsManager.ResourceNotFoundException" in sdk.error_names("secretsmanager")
    assert (
        sdk.parse_resource("arn:aws:states:::aws-sdk:sfn:startExecution").operation.name == "StartExecution"
    )
