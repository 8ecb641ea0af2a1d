"""The ASL validator: it flags every definition defect found in terraform-aws-refresh v1.18.0 (fixtures) and passes asl/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from platform_ops.stepfunctions import asl, intrinsics, sdk
from platform_ops.stepfunctions.validate import main, validate_definition, validate_file

FIXTURES = Path(__file__).parent / "fixtures" / "refresh_v1_18_defects"
ASL = Path(__file__).resolve().parents[2] / "asl"

# fixture -> the exact set of rules it must trip (one fixture per defect pattern of terraform-aws-refresh v1.18.0).
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
def test_defect_is_flagged(name):
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


# --- the States Language's static rules (tests/stepfunctions/fixtures/spec_rules) -------------------
SPEC_FIXTURES = Path(__file__).parent / "fixtures" / "spec_rules"
SPEC_EXPECTED = {
    "duplicate_state_names": {"unique-names"},
    "unknown_state_fields": {"fields"},
    "inline_map_distributed_fields": {"fields"},
    "invalid_dynamic_paths": {"dynamic-value"},
    "retry_out_of_range": {"retry-range"},
    "payload_on_wrong_state": {"payload-placement"},
    "poll_budget_exceeds_history": {"history-budget"},
}


def test_every_spec_fixture_is_listed():
    assert {p.name.removesuffix(".asl.json") for p in SPEC_FIXTURES.glob("*.asl.json")} == set(SPEC_EXPECTED)


@pytest.mark.parametrize("name", sorted(SPEC_EXPECTED))
def test_spec_rule_is_flagged(name):
    findings = validate_file(SPEC_FIXTURES / f"{name}.asl.json", require_schema=False)
    rules = {f.rule for f in findings}
    assert SPEC_EXPECTED[name] <= rules and rules - SPEC_EXPECTED[name] <= INCIDENTAL, "\n".join(
        map(str, findings)
    )


def _messages(name: str, rule: str) -> list[str]:
    findings = validate_file(SPEC_FIXTURES / f"{name}.asl.json", require_schema=False)
    return sorted(f"{f.where}: {f.message}" for f in findings if f.rule == rule)


def test_spec_fixtures_flag_every_planted_defect():
    assert len(_messages("duplicate_state_names", "unique-names")) == 2
    fields = " | ".join(_messages("unknown_state_fields", "fields"))
    for planted in (
        "'Timeout'",
        "'TimeoutSeconds'",
        "'Retry'",
        "'Next'",
        "'Interval'",
        "'Default'",
        "'Cause'",
    ):
        assert planted in fields, fields
    distributed = " | ".join(_messages("inline_map_distributed_fields", "fields"))
    for planted in ("ItemReader", "ItemBatcher", "ResultWriter", "ToleratedFailurePercentage", "Label"):
        assert f"{planted} is only allowed on a DISTRIBUTED Map" in distributed
    assert (
        "'Concurrency'" in distributed and "'PARALLEL'" in distributed and "'TimeoutSeconds'" in distributed
    )
    paths = " | ".join(_messages("invalid_dynamic_paths", "dynamic-value"))
    for planted in ("Id.$", "Count.$", "First.$", "Name.$", "Size.$", "Credentials.RoleArn.$"):
        assert f"Parameters.{planted}" in paths or planted.startswith("Credentials") and planted in paths
    assert "Nested" not in paths  # $$.Map.Item.Index and $.Ok are valid
    assert len(_messages("retry_out_of_range", "retry-range")) == 6
    assert _messages("payload_on_wrong_state", "payload-placement") == [
        "Pause: Parameters is not allowed on a Wait state (only Map, Parallel, Pass, Task)",
        "Route: Parameters is not allowed on a Choice state (only Map, Parallel, Pass, Task)",
        "Shape: ResultSelector is not allowed on a Pass state (only Map, Parallel, Task)",
    ]


@pytest.mark.parametrize(
    "path",
    [
        "$",
        "$$",
        "$.a",
        "$.a.b[0]",
        "$['a b'].c",
        "$..a",
        "$.a[*].b",
        "$.a[?(@.k == 'v]')].b",
        "$$.Map.Item.Value",
    ],
)
def test_valid_jsonpaths(path):
    assert asl.jsonpath_error(path) is None


@pytest.mark.parametrize("path", ["", "a", "$a", "$.", "$.a.", "$.a[", "$.a[]", "$ .a", "$.a b"])
def test_invalid_jsonpaths(path):
    assert asl.jsonpath_error(path)


def test_valid_retriers_pass_the_range_rule():
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:rds:describeDBClusters",
        "Parameters": {},
        "Credentials": {"RoleArn.$": "$.Role"},
        "ResultSelector": {"Count.$": "States.ArrayLength($.DbClusters)"},
        "ResultPath": "$.Clusters",
        "Retry": [
            {"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1, "MaxAttempts": 0, "BackoffRate": 1},
            {
                "ErrorEquals": ["States.ALL"],
                "MaxDelaySeconds": 5,
                "JitterStrategy": "FULL",
                "BackoffRate": 1.5,
            },
        ],
        "End": True,
    }
    assert _rules({"Describe": task}) == set()


def _budget_machine(maximum: int, extra_schema: dict | None = None) -> tuple[dict, dict]:
    definition = json.loads((SPEC_FIXTURES / "poll_budget_exceeds_history.asl.json").read_text())
    definition["States"]["ApplyDefaults"]["Parameters"]["Defaults"]["MaxPolls"] = 1
    schema = {
        "type": "object",
        "properties": {"MaxPolls": {"type": "integer", "maximum": maximum, "default": 1}},
    }
    schema.update(extra_schema or {})
    return definition, schema


def test_history_budget_is_derived_from_the_events_of_one_round():
    """Fixed part: ExecutionStarted/Succeeded 2 + ApplyDefaults, MergeInput, InitPolls and
    FailPollLimit 2 each = 10; a round (PollBudget Choice, PollWait Wait, PollCount Pass) writes 6 and
    runs MaxPolls + 1 times. The check allows 25,000 - 2,500 reserved = 22,500 events, so the largest
    budget that fits is (22,500 - 10) / 6 - 1 = 3,747."""
    fits, schema = _budget_machine(3747)
    assert [f for f in validate_definition(fits, schema=schema) if f.rule == "history-budget"] == []
    too_big, schema = _budget_machine(3748)
    findings = [f for f in validate_definition(too_big, schema=schema) if f.rule == "history-budget"]
    assert [f.message.split(" (")[0] for f in findings] == ["the worst case writes 22504 history events"]


def test_history_budget_counts_tasks_retries_and_map_items():
    """A Task round writes 5 (TaskStateEntered, TaskScheduled, TaskStarted, TaskSucceeded,
    TaskStateExited) plus 3 per allowed retry; a loop inside a Map runs once per item, and every item
    adds MapIterationStarted/Succeeded."""
    describe = {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:rds:describeDBInstances",
        "Parameters": {},
        "Credentials": {"RoleArn.$": "$.Role"},
        "ResultSelector": {"Count.$": "States.ArrayLength($.DbInstances)"},
        "ResultPath": "$.Instances",
        "Retry": [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 2}],
        "Next": "Budget",
    }
    inner = {
        "Init": {"Type": "Pass", "Result": {"Count": 0}, "ResultPath": "$.Polls", "Next": "Describe"},
        "Describe": describe,
        "Budget": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.Polls.Count", "NumericGreaterThanEqualsPath": "$.MaxPolls", "Next": "Stop"}
            ],
            "Default": "Count",
        },
        "Count": {
            "Type": "Pass",
            "Parameters": {"Count.$": "States.MathAdd($.Polls.Count, 1)"},
            "ResultPath": "$.Polls",
            "Next": "Describe",
        },
        "Stop": {"Type": "Fail", "Error": "PollLimitExceeded"},
    }
    machine = _machine(
        {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.Ids",
                "ItemSelector": {"Role.$": "$.Role", "MaxPolls.$": "$.Limit"},
                "ItemProcessor": {"StartAt": "Init", "States": inner},
                "ResultPath": None,
                "End": True,
            }
        }
    )
    schema = {
        "type": "object",
        "properties": {"Limit": {"type": "integer", "maximum": 100}, "Ids": {"type": "array", "maxItems": 4}},
    }
    findings = [f for f in validate_definition(machine, schema=schema) if f.rule == "history-budget"]
    assert findings == []
    # round = Task 5 + 2 retries x 3 + Choice 2 + Pass 2 = 15, 101 rounds, plus Init 2 and Fail 2:
    # 1519 per item; 4 items x (1519 + 2) + Map 4 + execution 2 = 6090.
    from platform_ops.stepfunctions import validate as module

    checker = module._Checker(machine, "m", schema, None)
    checker.run()
    assert checker.history_events == 6090
    schema["properties"]["Ids"].pop("maxItems")
    findings = [f for f in validate_definition(machine, schema=schema) if f.rule == "history-budget"]
    assert [f.where for f in findings] == ["Each"] and "maxItems" in findings[0].message


def test_history_budget_checks_defaults_and_undeclared_bounds():
    definition, schema = _budget_machine(100)
    definition["States"]["ApplyDefaults"]["Parameters"]["Defaults"]["MaxPolls"] = 150
    schema["properties"]["MaxPolls"]["default"] = 150
    messages = sorted(
        f.message for f in validate_definition(definition, schema=schema) if f.rule == "history-budget"
    )
    assert messages == [
        "ApplyDefaults's default MaxPolls=150 exceeds the maximum 100",
        "the contract's default MaxPolls=150 exceeds the maximum 100",
    ]
    definition, schema = _budget_machine(100)
    schema["properties"]["MaxPolls"].pop("maximum")
    assert [
        f.message for f in validate_definition(definition, schema=schema) if f.rule == "history-budget"
    ] == [
        "poll budget MaxPolls has no integer maximum in the contract",
        "loop through PollBudget, PollCount, PollWait has no known bound: compare its counter to an input "
        "field with a schema maximum, or declare x-history-bounds for its Choice in the contract",
    ]
    schema["x-history-bounds"] = {"PollBudget": {"maximum": 10, "description": "fixed for the test"}}
    rules = [f.message for f in validate_definition(definition, schema=schema) if f.rule == "history-budget"]
    assert rules == ["poll budget MaxPolls has no integer maximum in the contract"]


def test_repository_poll_budgets_fit_the_history():
    """Every machine's worst case, with every budget at its contract maximum, fits the history."""
    from platform_ops.stepfunctions import validate as module

    for path in sorted(ASL.rglob("*.asl.json")):
        schema = json.loads(module.schema_path(path).read_text())
        checker = module._Checker(json.loads(path.read_text()), str(path), schema, None)
        assert checker.run() == []
        assert checker.history_events <= module.HISTORY_LIMIT - module.HISTORY_RESERVE, path
