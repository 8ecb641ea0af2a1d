"""Validate Step Functions definitions beyond syntax: what real AWS would reject or mis-run.

Run ``python -m platform_ops.stepfunctions.validate asl/`` (directories are searched for
``*.asl.json``; each may sit next to a ``<name>.schema.json`` input contract). Exit code 1 when
anything is found. Every finding names its rule; the rules:

structure        StartAt/States/Type/Next/End/Choices/Branches/processor present and well formed
unique-names     state names are unique in the whole machine, nested Map and Parallel scopes included
                 (CreateStateMachine refuses DUPLICATE_STATE_NAMES)
fields           only the fields the States Language allows: per state type, at the top level, per
                 Parallel branch and Map processor (ItemProcessor/Iterator, ProcessorConfig), in
                 ItemReader/ItemBatcher/ResultWriter, retriers and catchers; ItemReader, ItemBatcher,
                 ResultWriter, ToleratedFailure* and Label only on a DISTRIBUTED Map
payload-placement Parameters only on Task, Map, Parallel and Pass; ResultSelector only on Task, Map
                 and Parallel
dynamic-value    every key ending in .$ holds a valid JSONPath ($ or $$ root) or an intrinsic function
retry-range      IntervalSeconds and MaxDelaySeconds positive integers, MaxAttempts an integer >= 0,
                 BackoffRate >= 1.0, JitterStrategy FULL or NONE
history-budget   the worst case fits a Standard execution's history (25,000 events) with a 10 % reserve:
                 every poll loop writes (budget + 1) x the events of its states, a loop inside a Map
                 once per item, everything else once (see HISTORY_EVENTS); a budget is the schema
                 maximum of the field its Choice compares the counter to (through a Map's ItemSelector),
                 or the schema's x-history-bounds entry for that Choice or Map; defaults must not
                 exceed the maximum
targets          every Next, Default, Choices[].Next and Catch[].Next names a state of the same scope
unreachable      no state that cannot be reached from StartAt
timeout          the machine has TimeoutSeconds (Standard workflows otherwise run up to a year)
poll-bound       every loop passes a Choice that compares a counter incremented with States.MathAdd
sdk-action       aws-sdk:<service>:<action> exists in botocore's model
sdk-params       Parameters keys are input members (case-insensitive), required members present,
                 literal values of the member's type (a "False" string for a boolean is an error)
error-name       Retry/Catch names are States.* or an error the service can raise, in the exact
                 ``Rds.DbClusterNotFoundException`` form (a ``...Fault`` name never matches)
catch-all-last   States.ALL stands alone in the last catcher/retrier
catch-result     a Catch keeps the state input (ResultPath) unless it goes straight to a Fail
raw-result       an aws-sdk result does not silently replace the whole state
intrinsic        functions exist, have the right arity, JsonMerge's 3rd argument is false,
                 Hash uses a known algorithm, Format has one argument per {}
default-idiom    ArrayGetItem(Array($.X, default), 0) is not a default: it fails when X is absent
filter-path      JSONPath filters cannot read another field ($ inside [?()])
fixed-index      no element picked by a fixed index above 0 from a list (order is not guaranteed)
multi-wildcard   at most one [*] or filter per path: a path with more that matches nothing (e.g. an
                 empty TagList) is a States.Runtime error instead of [] (as moto/LocalStack emulate);
                 select in two steps
map-selector     a Map without ItemSelector hands the iteration only the item: reading outer fields fails
map-legacy       Iterator mixed with ItemSelector / ItemProcessor
credentials      every Task runs with Credentials.RoleArn taken from the input
nested-execution no state machine starts another one (orchestration lives in the DAG)
status-set       Status values reported as success are Completed or NoChange only
status-output    every successful end of the machine outputs a Status (a Pass that sets it)
delete-tag-gate  a destructive call is reachable only through a Choice that checks the refresh tag
                 (heuristic: a Choice rule whose variable or value names "refresh")
account-id       no 12-digit account id in the definition
contract         a sibling input contract exists, is a valid JSON schema and declares every input
                 field the machine reads that no state produces
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from botocore.model import ListShape, MapShape, Shape, StructureShape

from platform_ops.stepfunctions import asl, intrinsics, sdk

STATES_ERRORS = {
    "States.ALL",
    "States.BranchFailed",
    "States.DataLimitExceeded",
    "States.ExceedToleratedFailureThreshold",
    "States.HeartbeatTimeout",
    "States.Http.Socket",
    "States.IntrinsicFailure",
    "States.ItemReaderFailed",
    "States.NoChoiceMatched",
    "States.ParameterPathFailure",
    "States.Permissions",
    "States.QueryEvaluationError",
    "States.ResultPathMatchFailure",
    "States.ResultWriterFailed",
    "States.Runtime",
    "States.TaskFailed",
    "States.Timeout",
}
# Errors the optimised lambda:invoke integration raises besides the Lambda API's modelled ones.
LAMBDA_INVOKE_ERRORS = {"Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.Unknown"}
OPTIMISED_REQUIRED = {
    "arn:aws:states:::lambda:invoke": {"FunctionName"},
    "arn:aws:states:::eks:runJob": {"ClusterName", "CertificateAuthority", "Endpoint", "Job"},
    "arn:aws:states:::eks:runJob.sync": {"ClusterName", "CertificateAuthority", "Endpoint", "Job"},
    "arn:aws:states:::eks:call": {"ClusterName", "CertificateAuthority", "Endpoint", "Method", "Path"},
}
SUCCESS_STATUSES = {"Completed", "NoChange"}
DESTRUCTIVE_ACTIONS = {
    ("rds", "deletedbcluster"),
    ("rds", "deletedbinstance"),
    ("rds", "deletedbclustersnapshot"),
    ("efs", "deletefilesystem"),
    ("efs", "deletemounttarget"),
    ("efs", "deletereplicationconfiguration"),
}
SAFETY_TAG_KEY = "refresh"
# A Standard execution's history holds at most 25,000 events; the reserve covers what the estimate
# does not count: iterations of a Map over a short AWS-returned list (tags, mount targets) without
# a declared bound are counted once, and failure paths write a few events of their own (TaskFailed
# before a Catch, MapIterationFailed).
HISTORY_LIMIT = 25_000
HISTORY_RESERVE = 2_500
# History events one visit of a state writes when it succeeds (HistoryEvent types of the Step
# Functions API): Task = TaskStateEntered, TaskScheduled, TaskStarted, TaskSucceeded,
# TaskStateExited; Pass/Wait/Choice/Succeed = <Type>StateEntered and <Type>StateExited; Fail =
# FailStateEntered and ExecutionFailed; Map = MapStateEntered, MapStateStarted, MapStateSucceeded,
# MapStateExited plus MapIterationStarted and MapIterationSucceeded per item; Parallel =
# ParallelStateEntered, ParallelStateStarted, ParallelStateSucceeded, ParallelStateExited.
HISTORY_EVENTS = {
    "Task": 5,
    "Pass": 2,
    "Wait": 2,
    "Choice": 2,
    "Succeed": 2,
    "Fail": 2,
    "Map": 4,
    "Parallel": 4,
}
EXECUTION_EVENTS = 2  # ExecutionStarted and ExecutionSucceeded/Failed
MAP_ITEM_EVENTS = 2
RETRY_EVENTS = 3  # each retry: TaskFailed of the attempt, then TaskScheduled and TaskStarted again
DEFAULT_MAX_ATTEMPTS = 3
ACCOUNT_ID = re.compile(r"(?<!\d)\d{12}(?!\d)")
FIXED_INDEX = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class Finding:
    file: str
    where: str
    rule: str
    message: str

    def __str__(self) -> str:
        where = f" {self.where}:" if self.where else ""
        return f"{self.file}:{where} [{self.rule}] {self.message}"


class _Checker:
    def __init__(self, definition: dict, file: str, schema: dict | None, schema_error: str | None):
        self.definition = definition
        self.file = file
        self.schema = schema
        self.schema_error = schema_error
        self.findings: list[Finding] = []
        self.scopes = asl.all_scopes(definition)
        self.fail_errors = {
            state.get("Error")
            for _, _, state in asl.all_states(definition)
            if state.get("Type") == "Fail" and isinstance(state.get("Error"), str)
        }

    def add(self, where: str, rule: str, message: str) -> None:
        self.findings.append(Finding(self.file, where, rule, message))

    def run(self) -> list[Finding]:
        self.check_top()
        self.check_status_output()
        for scope in self.scopes:
            self.check_scope(scope)
            self.check_loops(scope)
        self.check_unique_names()
        self.check_container_fields()
        for scope, name, state in asl.all_states(self.definition):
            where = scope.qualified(name)
            self.check_state(scope, where, state)
        self.check_tag_gates(self.scopes[0])
        self.check_history_budget()
        self.check_account_ids(self.definition, "")
        self.check_contract()
        return self.findings

    # --- structure -------------------------------------------------------------------------
    def check_top(self) -> None:
        timeout = self.definition.get("TimeoutSeconds")
        if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout <= 0:
            self.add("", "timeout", "no TimeoutSeconds: a stuck execution would run for up to a year")

    def check_status_output(self) -> None:
        top = self.scopes[0]
        for name, state in top.states.items():
            if not isinstance(state, dict):
                continue
            ends = state.get("Type") == "Succeed" or (state.get("End") and state.get("Type") != "Fail")
            if not ends:
                continue
            keys = asl.payload_keys(state.get("Parameters")) | asl.payload_keys(state.get("Result"))
            if state.get("Type") != "Pass" or "Status" not in keys or state.get("ResultPath", "$") != "$":
                self.add(
                    top.qualified(name),
                    "status-output",
                    "the machine ends here without a Status in its output",
                )

    def check_scope(self, scope: asl.Scope) -> None:
        label = scope.label or "(top)"
        if not isinstance(scope.states, dict) or not scope.states:
            self.add(label, "structure", "States is missing or empty")
            return
        if scope.start_at not in scope.states:
            self.add(label, "structure", f"StartAt {scope.start_at!r} is not a state of this scope")
            return
        for name, state in scope.states.items():
            for field, target in asl.transitions(state if isinstance(state, dict) else {}):
                if target not in scope.states:
                    self.add(
                        scope.qualified(name), "targets", f"{field} {target!r} is not a state of this scope"
                    )
        seen, todo = set(), [scope.start_at]
        while todo:
            name = todo.pop()
            if name in seen or name not in scope.states:
                continue
            seen.add(name)
            state = scope.states[name]
            todo.extend(target for _, target in asl.transitions(state if isinstance(state, dict) else {}))
        for name in scope.states:
            if name not in seen:
                self.add(scope.qualified(name), "unreachable", "no path from StartAt reaches this state")

    def check_state(self, scope: asl.Scope, where: str, state: dict) -> None:
        kind = state.get("Type")
        if kind not in asl.STATE_TYPES:
            self.add(where, "structure", f"unknown Type {kind!r}")
            return
        if kind not in asl.TERMINAL_TYPES and kind != "Choice":
            if not state.get("End") and not state.get("Next"):
                self.add(where, "structure", "needs Next or End")
        if kind == "Choice" and not state.get("Choices"):
            self.add(where, "structure", "Choice without Choices")
        if kind == "Parallel" and not state.get("Branches"):
            self.add(where, "structure", "Parallel without Branches")
        if kind == "Map":
            self.check_map(scope, where, state)
        if kind == "Task":
            self.check_task(where, state)
        for field in ("Retry", "Catch"):
            self.check_error_handlers(where, state, field)
        self.check_fields(where, state)
        self.check_retry_ranges(where, state)
        for field, template in self.templates(state):
            for key, value in asl.template_entries(template):
                self.check_dynamic_value(where, f"{field}.{key}", value)
        for field, path in asl.state_paths(state, result_selector=True):
            self.check_path(where, field, path)
        if kind == "Pass":
            for container in (state.get("Result"), state.get("Parameters")):
                status = container.get("Status") if isinstance(container, dict) else None
                if isinstance(status, str) and status not in SUCCESS_STATUSES:
                    self.add(
                        where,
                        "status-set",
                        f"Status {status!r} reported as a success; use {sorted(SUCCESS_STATUSES)} "
                        "or fail the execution",
                    )

    def check_map(self, scope: asl.Scope, where: str, state: dict) -> None:
        if not state.get("ItemProcessor") and not state.get("Iterator"):
            self.add(where, "structure", "Map without ItemProcessor")
            return
        if state.get("Iterator") and (state.get("ItemSelector") or state.get("ItemProcessor")):
            self.add(where, "map-legacy", "Iterator (legacy) mixed with ItemSelector/ItemProcessor")
        if state.get("ItemSelector") is not None or state.get("Parameters") is not None:
            return
        outer = self.fields_read(scope)
        inner = asl.Scope(
            where, (state.get("ItemProcessor") or state.get("Iterator") or {}).get("States") or {}, None
        )
        for _, name, inner_state in asl.all_states({"States": inner.states}):
            for field, path in asl.state_paths(inner_state):
                top = asl.first_field(path)
                if top and top in outer:
                    self.add(
                        f"{where}/{name}",
                        "map-selector",
                        f"{field} reads {path} but the Map has no ItemSelector: each iteration only "
                        "sees its item",
                    )

    def fields_read(self, scope: asl.Scope) -> set[str]:
        names = set()
        for state in scope.states.values():
            if isinstance(state, dict):
                names.update(filter(None, (asl.first_field(path) for _, path in asl.state_paths(state))))
        return names

    def check_task(self, where: str, state: dict) -> None:
        resource = state.get("Resource")
        if not isinstance(resource, str):
            self.add(where, "structure", "Task without Resource")
            return
        if resource.startswith("arn:aws:states:::states:startExecution"):
            self.add(
                where, "nested-execution", "starts another state machine; sequence machines from the DAG"
            )
        credentials = state.get("Credentials")
        role = credentials.get("RoleArn.$") if isinstance(credentials, dict) else None
        if not (isinstance(role, str) and role.startswith("$")):
            self.add(
                where, "credentials", "no Credentials.RoleArn.$ from the input: runs as the execution role"
            )
        task = sdk.parse_resource(resource)
        params = state.get("Parameters") or {}
        if task is None:
            base = resource.split(":::", 1)[-1]
            required = OPTIMISED_REQUIRED.get(resource) or OPTIMISED_REQUIRED.get(f"arn:aws:states:::{base}")
            keys = asl.payload_keys(params)
            for name in sorted((required or set()) - keys):
                self.add(where, "sdk-params", f"{resource} needs {name}")
            return
        if task.model is None:
            self.add(where, "sdk-action", f"unknown service {task.sfn_service!r}")
            return
        if task.operation is None:
            self.add(where, "sdk-action", f"{task.sfn_service} has no action {task.action!r}")
            return
        self.check_payload(where, "Parameters", params, task.operation.input_shape)
        if state.get("ResultSelector") is None and "ResultPath" not in state and not state.get("End"):
            self.add(
                where,
                "raw-result",
                "the raw SDK response replaces the state input; set ResultPath (or ResultSelector)",
            )

    def check_payload(self, where: str, field: str, template, shape: Shape | None) -> None:
        if isinstance(shape, StructureShape):
            if not isinstance(template, dict):
                self.add(where, "sdk-params", f"{field} must be an object ({shape.name})")
                return
            present = set()
            for key, value in template.items():
                dynamic = key.endswith(".$")
                name = key[:-2] if dynamic else key
                found = sdk.member(shape, name)
                if found is None:
                    self.add(where, "sdk-params", f"{field}.{name} is not a member of {shape.name}")
                    continue
                present.add(found[0])
                if not dynamic:
                    self.check_payload(where, f"{field}.{name}", value, found[1])
            for required in shape.required_members:
                if required not in present:
                    self.add(where, "sdk-params", f"{field} misses required {sdk.sfn_case(required)}")
        elif isinstance(shape, ListShape):
            if not isinstance(template, list):
                self.add(where, "sdk-params", f"{field} must be a list")
                return
            for index, item in enumerate(template):
                self.check_payload(where, f"{field}[{index}]", item, shape.member)
        elif isinstance(shape, MapShape):
            if not isinstance(template, dict):
                self.add(where, "sdk-params", f"{field} must be an object (map)")
                return
            for key, value in template.items():
                if not key.endswith(".$"):
                    self.check_payload(where, f"{field}.{key}", value, shape.value)
        elif shape is not None:
            expected = {
                "boolean": (bool,),
                "integer": (int,),
                "long": (int,),
                "double": (int, float),
                "float": (int, float),
                "string": (str,),
                "timestamp": (str,),
            }.get(shape.type_name)
            wrong_bool = shape.type_name in ("integer", "long", "double", "float") and isinstance(
                template, bool
            )
            if expected and (not isinstance(template, expected) or wrong_bool):
                self.add(
                    where,
                    "sdk-params",
                    f"{field} is {type(template).__name__} {template!r}, the API expects {shape.type_name}",
                )

    @staticmethod
    def templates(state: dict) -> list[tuple[str, object]]:
        """Every payload template of a state whose ``.$`` keys Step Functions evaluates."""
        out = [(field, state.get(field)) for field in (*asl.TEMPLATE_FIELDS, "Credentials")]
        for holder in ("ItemReader", "ResultWriter"):
            if isinstance(state.get(holder), dict):
                out.append((f"{holder}.Parameters", state[holder].get("Parameters")))
        return [(field, template) for field, template in out if template is not None]

    def check_dynamic_value(self, where: str, field: str, value) -> None:
        if not intrinsics.is_intrinsic(value):
            problem = asl.jsonpath_error(value)
            if problem:
                self.add(
                    where,
                    "dynamic-value",
                    f"{field}.$ must hold a JSONPath or an intrinsic function: {problem}",
                )
            return
        if "States.ArrayGetItem(States.Array(" in value.replace(" ", ""):
            self.add(where, "default-idiom", f"{field}: ArrayGetItem(Array($.X, ...)) fails when X is absent")
        try:
            call = intrinsics.parse(value)
        except intrinsics.IntrinsicSyntaxError as exc:
            self.add(where, "intrinsic", f"{field}: {exc}")
            return
        for node in intrinsics.walk(call):
            arity = intrinsics.ARITY.get(node.name)
            if arity is None:
                self.add(where, "intrinsic", f"{field}: {node.name} is not a Step Functions intrinsic")
                continue
            low, high = arity
            count = len(node.args)
            if count < low or (high is not None and count > high):
                wanted = f"{low}" if low == high else f"{low}..{high if high is not None else 'n'}"
                self.add(where, "intrinsic", f"{field}: {node.name} takes {wanted} arguments, got {count}")
                continue
            if node.name == "States.JsonMerge":
                last = node.args[2]
                if not (isinstance(last, intrinsics.Literal) and last.value is False):
                    self.add(where, "intrinsic", f"{field}: States.JsonMerge's third argument must be false")
            if node.name == "States.Hash":
                algorithm = node.args[1]
                if (
                    isinstance(algorithm, intrinsics.Literal)
                    and algorithm.value not in intrinsics.HASH_ALGORITHMS
                ):
                    self.add(where, "intrinsic", f"{field}: unknown hash algorithm {algorithm.value!r}")
            if node.name == "States.Format" and node.args:
                template = node.args[0]
                if isinstance(template, intrinsics.Literal) and isinstance(template.value, str):
                    wanted = intrinsics.placeholder_count(template.value)
                    if wanted != count - 1:
                        self.add(
                            where,
                            "intrinsic",
                            f"{field}: States.Format has {wanted} placeholders and {count - 1} values",
                        )

    def check_path(self, where: str, field: str, path: str) -> None:
        if not isinstance(path, str):
            return
        for match in re.finditer(r"\[\?\((.*?)\)\]", path):
            if "$" in match.group(1):
                self.add(where, "filter-path", f"{field}: the filter in {path} reads another field")
        if path.count("[*]") + path.count("[?(") > 1:
            self.add(
                where,
                "multi-wildcard",
                f"{field}: {path} has more than one wildcard/filter; it fails when nothing matches",
            )
        for match in FIXED_INDEX.finditer(path):
            if int(match.group(1)) > 0:
                self.add(
                    where,
                    "fixed-index",
                    f"{field}: {path} picks element {match.group(1)}; list order is not guaranteed",
                )

    # --- the specification's static rules -------------------------------------------------------
    def check_unique_names(self) -> None:
        seen: dict[str, str] = {}
        for scope, name, _ in asl.all_states(self.definition):
            where = scope.qualified(name)
            if name in seen:
                self.add(
                    where,
                    "unique-names",
                    f"state name {name!r} is already used at {seen[name]}: names are unique across the "
                    "whole machine, nested Map and Parallel scopes included",
                )
            else:
                seen[name] = where

    def unknown_fields(self, where: str, node, allowed: set[str], what: str) -> None:
        if not isinstance(node, dict):
            return
        for field in sorted(set(node) - allowed):
            self.add(where, "fields", f"{what} does not accept the field {field!r}")

    def check_container_fields(self) -> None:
        self.unknown_fields("(top)", self.definition, asl.TOP_FIELDS, "a state machine")
        for scope, name, state in asl.all_states(self.definition):
            where = scope.qualified(name)
            if state.get("Type") == "Parallel":
                for index, branch in enumerate(state.get("Branches") or []):
                    self.unknown_fields(f"{where}[{index}]", branch, asl.BRANCH_FIELDS, "a Parallel branch")

    def check_fields(self, where: str, state: dict) -> None:
        kind = state.get("Type")
        placed = {"Parameters": asl.PARAMETERS_TYPES, "ResultSelector": asl.RESULT_SELECTOR_TYPES}
        for field, types in placed.items():
            if field in state and kind not in types:
                self.add(
                    where,
                    "payload-placement",
                    f"{field} is not allowed on a {kind} state (only {', '.join(sorted(types))})",
                )
        jsonata = "JSONata" in (state.get("QueryLanguage"), self.definition.get("QueryLanguage"))
        extra = asl.JSONATA_FIELDS if jsonata else set()
        allowed = asl.STATE_FIELDS[kind] | set(placed) | extra
        self.unknown_fields(where, state, allowed, f"a {kind} state")
        for index, retrier in enumerate(state.get("Retry") or []):
            self.unknown_fields(where, retrier, asl.RETRIER_FIELDS, f"Retry[{index}]")
        for index, catcher in enumerate(state.get("Catch") or []):
            self.unknown_fields(where, catcher, asl.CATCHER_FIELDS | extra, f"Catch[{index}]")
        if kind == "Map":
            self.check_map_fields(where, state)

    def check_map_fields(self, where: str, state: dict) -> None:
        mode = "INLINE"
        if "ItemProcessor" in state:
            processor = state["ItemProcessor"]
            self.unknown_fields(where, processor, asl.PROCESSOR_FIELDS, "ItemProcessor")
            config = processor.get("ProcessorConfig") if isinstance(processor, dict) else None
            if config is not None:
                self.unknown_fields(where, config, asl.PROCESSOR_CONFIG_FIELDS, "ProcessorConfig")
                config = config if isinstance(config, dict) else {}
                mode = config.get("Mode", "INLINE")
                if mode not in asl.PROCESSOR_MODES:
                    self.add(where, "fields", f"ProcessorConfig.Mode {mode!r} is not INLINE or DISTRIBUTED")
                execution = config.get("ExecutionType")
                if mode == "DISTRIBUTED" and execution not in asl.EXECUTION_TYPES:
                    self.add(where, "fields", "a DISTRIBUTED Map needs ExecutionType STANDARD or EXPRESS")
                if mode != "DISTRIBUTED" and execution is not None:
                    self.add(where, "fields", "ExecutionType is only allowed on a DISTRIBUTED Map")
        if "Iterator" in state:
            self.unknown_fields(where, state["Iterator"], asl.ITERATOR_FIELDS, "Iterator")
        if mode != "DISTRIBUTED":
            for field in sorted(asl.DISTRIBUTED_ONLY_FIELDS & set(state)):
                self.add(where, "fields", f"{field} is only allowed on a DISTRIBUTED Map")
        subfields = (
            ("ItemReader", asl.ITEM_READER_FIELDS, "ReaderConfig", asl.READER_CONFIG_FIELDS),
            ("ItemBatcher", asl.ITEM_BATCHER_FIELDS, None, set()),
            ("ResultWriter", asl.RESULT_WRITER_FIELDS, "WriterConfig", asl.WRITER_CONFIG_FIELDS),
        )
        for field, allowed, config_field, config_allowed in subfields:
            node = state.get(field)
            self.unknown_fields(where, node, allowed, field)
            if config_field and isinstance(node, dict):
                self.unknown_fields(where, node.get(config_field), config_allowed, f"{field}.{config_field}")

    def check_retry_ranges(self, where: str, state: dict) -> None:
        retriers = state.get("Retry")
        if not isinstance(retriers, list):
            return

        def integer(value) -> bool:
            return isinstance(value, int) and not isinstance(value, bool)

        for index, retrier in enumerate(retriers):
            if not isinstance(retrier, dict):
                continue
            label = f"Retry[{index}]"
            problems = []
            if "IntervalSeconds" in retrier and not (
                integer(retrier["IntervalSeconds"]) and retrier["IntervalSeconds"] >= 1
            ):
                problems.append(f"IntervalSeconds {retrier['IntervalSeconds']!r} must be an integer >= 1")
            if "MaxAttempts" in retrier and not (
                integer(retrier["MaxAttempts"]) and retrier["MaxAttempts"] >= 0
            ):
                problems.append(f"MaxAttempts {retrier['MaxAttempts']!r} must be an integer >= 0")
            rate = retrier.get("BackoffRate", 2.0)
            if not (isinstance(rate, (int, float)) and not isinstance(rate, bool) and rate >= 1.0):
                problems.append(f"BackoffRate {rate!r} must be a number >= 1.0")
            if "MaxDelaySeconds" in retrier and not (
                integer(retrier["MaxDelaySeconds"]) and retrier["MaxDelaySeconds"] > 0
            ):
                problems.append(f"MaxDelaySeconds {retrier['MaxDelaySeconds']!r} must be an integer > 0")
            if "JitterStrategy" in retrier and retrier["JitterStrategy"] not in asl.JITTER_STRATEGIES:
                problems.append(f"JitterStrategy {retrier['JitterStrategy']!r} must be FULL or NONE")
            for problem in problems:
                self.add(where, "retry-range", f"{label}: {problem}")

    # --- execution history ---------------------------------------------------------------------
    def check_history_budget(self) -> None:
        """Worst-case history events of one execution against the 25,000-event quota."""
        if self.schema is None:
            return  # the budgets are the contract's maxima: nothing to compute without one
        bounds = self.schema.get("x-history-bounds") or {}
        properties = self.schema.get("properties") or {}
        for field in self.budget_fields():
            spec = properties.get(field) or {}
            maximum = spec.get("maximum")
            if not isinstance(maximum, int):
                self.add("", "history-budget", f"poll budget {field} has no integer maximum in the contract")
                continue
            defaults = [("the contract's default", spec.get("default"))] + [
                (f"{name}'s default", ((state.get("Parameters") or {}).get("Defaults") or {}).get(field))
                for _, name, state in asl.all_states(self.definition)
                if state.get("Type") == "Pass" and isinstance(state.get("Parameters"), dict)
            ]
            for origin, default in defaults:
                if isinstance(default, int) and default > maximum:
                    self.add(
                        "", "history-budget", f"{origin} {field}={default} exceeds the maximum {maximum}"
                    )
        history = _History(self, properties, bounds)
        total = EXECUTION_EVENTS + history.scope_events(self.scopes[0])
        if total > HISTORY_LIMIT - HISTORY_RESERVE:
            self.add(
                "",
                "history-budget",
                f"the worst case writes {total} history events ({history.describe()}); a Standard "
                f"execution holds {HISTORY_LIMIT} and {HISTORY_RESERVE} are kept in reserve: lower the "
                "poll budget maxima",
            )
        self.history_events = total

    def budget_fields(self) -> set[str]:
        """Top-level input fields some poll loop's Choice compares its counter to."""
        fields = set()
        for scope in self.scopes:
            for component in _loops(scope):
                for rule in _counter_rules(scope, component):
                    for comparator, value in rule.items():
                        if comparator.endswith("Path") and isinstance(value, str):
                            top = _resolve_outer_field(scope, value)
                            if top:
                                fields.add(top)
        return fields

    # --- errors ------------------------------------------------------------------------------
    def check_error_handlers(self, where: str, state: dict, field: str) -> None:
        handlers = state.get(field)
        if handlers is None:
            return
        if not isinstance(handlers, list):
            self.add(where, "structure", f"{field} must be a list")
            return
        allowed = self.allowed_errors(state)
        for index, handler in enumerate(handlers):
            names = handler.get("ErrorEquals") if isinstance(handler, dict) else None
            if not isinstance(names, list) or not names:
                self.add(where, "structure", f"{field}[{index}] without ErrorEquals")
                continue
            if "States.ALL" in names and (len(names) > 1 or index != len(handlers) - 1):
                self.add(where, "catch-all-last", f"{field}[{index}]: States.ALL must be alone and last")
            for name in names:
                if not isinstance(name, str):
                    continue
                if name.startswith("States."):
                    if name not in STATES_ERRORS:
                        self.add(where, "error-name", f"{field}: {name} is not a States.* error")
                elif allowed is not None and name not in allowed:
                    hint = self.error_hint(name, allowed)
                    self.add(where, "error-name", f"{field}: {name} can never match{hint}")
            if field == "Catch" and "ResultPath" not in handler:
                target = self.state_by_name(handler.get("Next"))
                if not (isinstance(target, dict) and target.get("Type") == "Fail"):
                    self.add(
                        where,
                        "catch-result",
                        f"Catch[{index}] has no ResultPath: the error object replaces the state input",
                    )

    def allowed_errors(self, state: dict) -> set[str] | None:
        """Error names the state can raise besides States.*; None when any name may occur."""
        if state.get("Type") in ("Map", "Parallel"):
            return set(self.fail_errors)
        resource = state.get("Resource")
        if not isinstance(resource, str):
            return set()
        task = sdk.parse_resource(resource)
        if task is not None:
            return set(sdk.error_names(task.sfn_service))
        if resource.startswith("arn:aws:states:::lambda:invoke"):
            return None  # a function can raise any error type; Lambda.* names are checked below
        return set()

    def error_hint(self, name: str, allowed: set[str]) -> str:
        wanted = name.split(".", 1)[-1].lower().replace("fault", "").replace("exception", "")
        close = sorted(a for a in allowed if a.split(".", 1)[-1].lower().replace("exception", "") == wanted)
        return f" (did you mean {close[0]}?)" if close else ""

    def state_by_name(self, name) -> dict | None:
        for scope in self.scopes:
            if name in scope.states:
                return scope.states[name]
        return None

    # --- loops ---------------------------------------------------------------------------------
    def check_loops(self, scope: asl.Scope) -> None:
        graph = {
            name: [t for _, t in asl.transitions(state) if t in scope.states]
            for name, state in scope.states.items()
            if isinstance(state, dict)
        }
        for component in _strongly_connected(graph):
            if len(component) == 1:
                only = next(iter(component))
                if only not in graph.get(only, []):
                    continue
            counters = set()
            for name in component:
                counters |= _incremented_counters(scope.states[name])
            bounded = any(
                _compares_counter(scope.states[name], counters)
                for name in component
                if scope.states[name].get("Type") == "Choice"
            )
            if not bounded:
                names = ", ".join(sorted(component))
                self.add(
                    scope.label or "(top)",
                    "poll-bound",
                    f"loop through {names} has no counter (States.MathAdd) checked by a Choice",
                )

    # --- destructive calls ---------------------------------------------------------------------
    def check_tag_gates(self, scope: asl.Scope) -> None:
        if scope.start_at not in scope.states:
            return
        seen, todo = set(), [scope.start_at]
        while todo:
            name = todo.pop()
            if name in seen or name not in scope.states:
                continue
            seen.add(name)
            state = scope.states[name]
            if not isinstance(state, dict) or _is_tag_gate(state):
                continue
            if _is_destructive(state):
                self.add(
                    scope.qualified(name),
                    "delete-tag-gate",
                    f"destructive call reachable without a Choice on the {SAFETY_TAG_KEY!r} tag",
                )
            for child in asl.child_scopes(scope, name, state):
                self.check_tag_gates(child)
            todo.extend(target for _, target in asl.transitions(state))

    def check_account_ids(self, node, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                self.check_account_ids(key, where)
                self.check_account_ids(value, f"{where}.{key}" if where else str(key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                self.check_account_ids(value, f"{where}[{index}]")
        elif isinstance(node, str) and ACCOUNT_ID.search(node):
            self.add(where, "account-id", f"hard-coded account id in {node!r}; take it from the input")

    # --- input contract ------------------------------------------------------------------------
    def check_contract(self) -> None:
        if self.schema_error:
            self.add("", "contract", self.schema_error)
            return
        if self.schema is None:
            return
        declared = set((self.schema.get("properties") or {}).keys())
        produced = set()
        for _, _, state in asl.all_states(self.definition):
            result_path = state.get("ResultPath")
            if isinstance(result_path, str):
                top = asl.first_field(result_path)
                if top:
                    produced.add(top)
            for field in (*asl.TEMPLATE_FIELDS, "Result"):
                produced |= asl.payload_keys(state.get(field))
        top = self.scopes[0]
        for name, state in top.states.items():
            if not isinstance(state, dict):
                continue
            for field, path in asl.state_paths(state):
                field_name = asl.first_field(path)
                if field_name and field_name not in declared and field_name not in produced:
                    self.add(
                        top.qualified(name),
                        "contract",
                        f"{field} reads {path}: {field_name!r} is neither in the input contract nor "
                        "produced by a state",
                    )


def _loops(scope: asl.Scope) -> list[set[str]]:
    """The cycles (strongly connected components with a loop) of one scope."""
    graph = {
        name: [t for _, t in asl.transitions(state) if t in scope.states]
        for name, state in scope.states.items()
        if isinstance(state, dict)
    }
    return [
        component
        for component in _strongly_connected(graph)
        if len(component) > 1 or next(iter(component)) in graph.get(next(iter(component)), [])
    ]


def _incremented_paths(state: dict) -> set[str]:
    """Paths a state adds to with States.MathAdd (``$.Polls.Count`` in MathAdd($.Polls.Count, 1))."""
    found = set()
    for field in asl.TEMPLATE_FIELDS:
        for _, value in asl.template_entries(state.get(field)):
            try:
                call = intrinsics.parse(value) if intrinsics.is_intrinsic(value) else None
            except intrinsics.IntrinsicSyntaxError:
                call = None
            for node in intrinsics.walk(call) if call else ():
                if node.name == "States.MathAdd":
                    found.update(arg.text for arg in node.args if isinstance(arg, intrinsics.Path))
    return found


def _counter_rules(scope: asl.Scope, component: set[str]) -> list[dict]:
    """Choice rules of a loop that compare one of its MathAdd counters with a number."""
    counters = set()
    for name in component:
        counters |= _incremented_paths(scope.states[name])
    rules = []
    for name in sorted(component):
        state = scope.states[name]
        if state.get("Type") != "Choice":
            continue
        for rule in asl.choice_rules(state):
            variable = rule.get("Variable")
            if variable in counters and any(key.startswith("Numeric") for key in rule):
                rules.append(dict(rule, _choice=name))
    return rules


def _resolve_outer_field(scope: asl.Scope, path: str) -> str | None:
    """The top-level input field a ``$.X`` path of a scope carries (followed through ItemSelector)."""
    segments = asl.split_path(path) if path.startswith("$.") else []
    if len(segments) != 1 or segments[0].startswith("["):
        return None
    if scope.parent is None:
        return segments[0]
    owner = scope.owner or {}
    selector = owner.get("ItemSelector") or owner.get("Parameters")
    if selector is None:
        return None if owner.get("Type") == "Map" else _resolve_outer_field(scope.parent, path)
    source = selector.get(f"{segments[0]}.$") if isinstance(selector, dict) else None
    return _resolve_outer_field(scope.parent, source) if isinstance(source, str) else None


class _History:
    """Upper bound of the history events of one execution (see HISTORY_EVENTS)."""

    def __init__(self, checker: _Checker, properties: dict, bounds: dict):
        self.checker = checker
        self.properties = properties
        self.bounds = bounds
        self.parts: list[tuple[int, str]] = []

    def declared(self, name: str) -> int | None:
        entry = self.bounds.get(name)
        value = entry.get("maximum") if isinstance(entry, dict) else entry
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def scope_events(self, scope: asl.Scope, multiplier: int = 1) -> int:
        loops = _loops(scope)
        looped = set().union(*loops) if loops else set()
        total = sum(
            self.state_events(scope, name, state, multiplier)
            for name, state in scope.states.items()
            if isinstance(state, dict) and name not in looped
        )
        for component in loops:
            per_iteration = sum(
                self.state_events(scope, name, scope.states[name], multiplier) for name in component
            )
            bound = self.loop_bound(scope, component)
            events = (bound + 1) * per_iteration
            self.parts.append(
                (
                    events * multiplier,
                    f"{scope.qualified(min(component))} loop: {bound + 1} x {per_iteration}",
                )
            )
            total += events
        return total

    def loop_bound(self, scope: asl.Scope, component: set[str]) -> int:
        found = []
        for rule in _counter_rules(scope, component):
            declared = self.declared(rule["_choice"])
            if declared is not None:
                found.append(declared)
                continue
            for comparator, value in rule.items():
                if not comparator.startswith("Numeric") or comparator.startswith("NumericLess"):
                    continue
                if comparator.endswith("Path"):
                    field = _resolve_outer_field(scope, value) if isinstance(value, str) else None
                    value = (self.properties.get(field) or {}).get("maximum") if field else None
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    found.append(
                        int(value)
                        + (
                            1
                            if comparator.startswith("NumericGreaterThan") and "Equals" not in comparator
                            else 0
                        )
                    )
        if found:
            return min(found)
        names = ", ".join(sorted(component))
        self.checker.add(
            scope.label or "(top)",
            "history-budget",
            f"loop through {names} has no known bound: compare its counter to an input field with a "
            "schema maximum, or declare x-history-bounds for its Choice in the contract",
        )
        return 0

    def state_events(self, scope: asl.Scope, name: str, state: dict, multiplier: int) -> int:
        kind = state.get("Type")
        events = HISTORY_EVENTS.get(kind, 2)
        for retrier in state.get("Retry") or []:
            attempts = retrier.get("MaxAttempts", DEFAULT_MAX_ATTEMPTS) if isinstance(retrier, dict) else 0
            events += RETRY_EVENTS * (attempts if isinstance(attempts, int) else 0)
        children = asl.child_scopes(scope, name, state)
        if kind == "Map" and children:
            items = self.map_items(name, state, children[0])
            events += items * (MAP_ITEM_EVENTS + self.scope_events(children[0], multiplier * items))
        elif kind == "Parallel":
            events += sum(self.scope_events(child, multiplier) for child in children)
        return events

    def map_items(self, name: str, state: dict, inner: asl.Scope) -> int:
        declared = self.declared(name)
        if declared is not None:
            return declared
        path = state.get("ItemsPath")
        field = asl.first_field(path) if isinstance(path, str) and len(asl.split_path(path)) == 1 else None
        maximum = (self.properties.get(field) or {}).get("maxItems") if field else None
        if isinstance(maximum, int):
            return maximum
        if _has_loop(inner):
            self.checker.add(
                inner.label,
                "history-budget",
                "a poll loop runs once per item but the item count has no bound: give the input array "
                f"maxItems or declare x-history-bounds.{name} in the contract",
            )
        return 1  # short lists without a loop inside are covered by HISTORY_RESERVE

    def describe(self) -> str:
        biggest = sorted(self.parts, reverse=True)[:3]
        return "; ".join(text for _, text in biggest)


def _has_loop(scope: asl.Scope) -> bool:
    if _loops(scope):
        return True
    return any(
        _has_loop(child)
        for name, state in scope.states.items()
        if isinstance(state, dict)
        for child in asl.child_scopes(scope, name, state)
    )


def _incremented_counters(state: dict) -> set[str]:
    names = set()
    for field in asl.TEMPLATE_FIELDS:
        for key, value in asl.template_entries(state.get(field)):
            if not intrinsics.is_intrinsic(value):
                continue
            try:
                call = intrinsics.parse(value)
            except intrinsics.IntrinsicSyntaxError:
                continue
            for node in intrinsics.walk(call):
                if node.name == "States.MathAdd":
                    names.add(key.rsplit(".", 1)[-1])
                    names.update(
                        asl.split_path(arg.text)[-1] for arg in node.args if isinstance(arg, intrinsics.Path)
                    )
    return names


def _compares_counter(state: dict, counters: set[str]) -> bool:
    for rule in asl.choice_rules(state):
        variable = rule.get("Variable")
        if not isinstance(variable, str) or not any(key.startswith("Numeric") for key in rule):
            continue
        segments = asl.split_path(variable)
        if segments and segments[-1] in counters:
            return True
    return False


def _is_tag_gate(state: dict) -> bool:
    if state.get("Type") != "Choice":
        return False
    for rule in asl.choice_rules(state):
        for value in rule.values():
            if isinstance(value, str) and SAFETY_TAG_KEY in value.lower():
                return True
    return False


def _is_destructive(state: dict) -> bool:
    if state.get("Type") != "Task":
        return False
    resource = state.get("Resource")
    task = sdk.parse_resource(resource) if isinstance(resource, str) else None
    if task is not None:
        return (task.sfn_service, task.action.lower()) in DESTRUCTIVE_ACTIONS
    if resource == "arn:aws:states:::eks:call":
        return str((state.get("Parameters") or {}).get("Method", "")).upper() == "DELETE"
    return False


def _strongly_connected(graph: dict[str, list[str]]) -> list[set[str]]:
    """Tarjan's algorithm (iterative)."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph.get(root, [])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph.get(child, []))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                out.append(component)
    return out


def schema_path(definition_path: Path) -> Path:
    return definition_path.with_name(definition_path.name.replace(".asl.json", ".schema.json"))


def _load_schema(path: Path, require: bool) -> tuple[dict | None, str | None]:
    if not path.exists():
        return None, f"no input contract {path.name} next to the definition" if require else None
    try:
        schema = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        return None, f"{path.name} is not JSON: {exc}"
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return None, f"{path.name} is not a valid JSON schema: {exc.message}"
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        return None, f"{path.name} must describe an object with properties"
    return schema, None


def validate_definition(
    definition: dict, file: str = "<definition>", schema: dict | None = None, schema_error: str | None = None
) -> list[Finding]:
    """Check one parsed definition (and optionally its input contract)."""
    if not isinstance(definition, dict):
        return [Finding(file, "", "structure", "a definition is a JSON object")]
    return _Checker(definition, file, schema, schema_error).run()


def validate_file(path: Path, require_schema: bool = True) -> list[Finding]:
    try:
        definition = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        return [Finding(str(path), "", "json", f"not JSON: {exc}")]
    schema, error = _load_schema(schema_path(path), require_schema)
    return validate_definition(definition, str(path), schema, error)


def definition_files(targets: Iterable[Path]) -> list[Path]:
    files = []
    for target in targets:
        if target.is_dir():
            files.extend(sorted(target.rglob("*.asl.json")))
        else:
            files.append(target)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("paths", nargs="+", type=Path, help="*.asl.json files or directories holding them")
    parser.add_argument("--no-schema", action="store_true", help="do not require a sibling input contract")
    args = parser.parse_args(argv)
    files = definition_files(args.paths)
    if not files:
        print("no *.asl.json found", file=sys.stderr)
        return 1
    findings = [f for path in files for f in validate_file(path, require_schema=not args.no_schema)]
    for finding in findings:
        print(finding)
    print(f"{len(files)} definitions, {len(findings)} findings", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
