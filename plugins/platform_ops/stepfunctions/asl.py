"""Walk an Amazon States Language (JSONPath) definition: scopes, transitions, paths and templates."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from platform_ops.stepfunctions import intrinsics

TERMINAL_TYPES = {"Succeed", "Fail"}
STATE_TYPES = {"Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"}
TEMPLATE_FIELDS = ("Parameters", "ItemSelector", "ResultSelector", "Arguments")
PATH_FIELDS = (
    "InputPath",
    "OutputPath",
    "ResultPath",
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "ErrorPath",
    "CausePath",
)
COMPARATORS_WITH_PATH = (
    "StringEqualsPath",
    "StringLessThanPath",
    "StringGreaterThanPath",
    "StringLessThanEqualsPath",
    "StringGreaterThanEqualsPath",
    "NumericEqualsPath",
    "NumericLessThanPath",
    "NumericGreaterThanPath",
    "NumericLessThanEqualsPath",
    "NumericGreaterThanEqualsPath",
    "BooleanEqualsPath",
    "TimestampEqualsPath",
    "TimestampLessThanPath",
    "TimestampGreaterThanPath",
    "TimestampLessThanEqualsPath",
    "TimestampGreaterThanEqualsPath",
)


@dataclass
class Scope:
    """One ``States`` block: the top level, a Map's processor or one Parallel branch."""

    label: str
    states: dict
    start_at: str | None
    owner: dict | None = None  # the Map/Parallel state that holds this scope
    owner_name: str | None = None
    parent: Scope | None = None

    def qualified(self, state_name: str) -> str:
        return f"{self.label}/{state_name}" if self.label else state_name


def child_scopes(scope: Scope, name: str, state: dict) -> list[Scope]:
    """The scopes nested in a Map or Parallel state."""
    found = []
    if state.get("Type") == "Map":
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if isinstance(processor, dict):
            found.append(
                Scope(
                    scope.qualified(name),
                    processor.get("States") or {},
                    processor.get("StartAt"),
                    state,
                    name,
                    scope,
                )
            )
    elif state.get("Type") == "Parallel":
        for index, branch in enumerate(state.get("Branches") or []):
            if isinstance(branch, dict):
                found.append(
                    Scope(
                        f"{scope.qualified(name)}[{index}]",
                        branch.get("States") or {},
                        branch.get("StartAt"),
                        state,
                        name,
                        scope,
                    )
                )
    return found


def all_scopes(definition: dict) -> list[Scope]:
    """Every scope of the definition, the top level first."""
    top = Scope("", definition.get("States") or {}, definition.get("StartAt"))
    out, todo = [], [top]
    while todo:
        scope = todo.pop(0)
        out.append(scope)
        for name, state in scope.states.items():
            if isinstance(state, dict):
                todo.extend(child_scopes(scope, name, state))
    return out


def all_states(definition: dict) -> Iterator[tuple[Scope, str, dict]]:
    for scope in all_scopes(definition):
        for name, state in scope.states.items():
            if isinstance(state, dict):
                yield scope, name, state


def choice_rules(state: dict) -> Iterator[dict]:
    """Every rule of a Choice state, including those nested in And/Or/Not."""
    todo = list(state.get("Choices") or [])
    while todo:
        rule = todo.pop()
        if not isinstance(rule, dict):
            continue
        yield rule
        todo.extend(rule.get("And") or [])
        todo.extend(rule.get("Or") or [])
        if isinstance(rule.get("Not"), dict):
            todo.append(rule["Not"])


def transitions(state: dict) -> list[tuple[str, str]]:
    """``(field, target)`` for every transition out of a state."""
    out = []
    if isinstance(state.get("Next"), str):
        out.append(("Next", state["Next"]))
    if isinstance(state.get("Default"), str):
        out.append(("Default", state["Default"]))
    for rule in state.get("Choices") or []:
        if isinstance(rule, dict) and isinstance(rule.get("Next"), str):
            out.append(("Choices.Next", rule["Next"]))
    for catcher in state.get("Catch") or []:
        if isinstance(catcher, dict) and isinstance(catcher.get("Next"), str):
            out.append(("Catch.Next", catcher["Next"]))
    return out


def template_entries(template, prefix: str = "") -> Iterator[tuple[str, object]]:
    """``(dotted_key, value)`` for every dynamic (``.$``) entry of a payload template."""
    if isinstance(template, dict):
        for key, value in template.items():
            if isinstance(key, str) and key.endswith(".$"):
                yield f"{prefix}{key[:-2]}", value
            else:
                yield from template_entries(value, f"{prefix}{key}.")
    elif isinstance(template, list):
        for index, value in enumerate(template):
            yield from template_entries(value, f"{prefix}{index}.")


def dynamic_paths(value: object) -> list[str]:
    """JSONPaths a dynamic template value reads: the path itself or every path inside an intrinsic."""
    if not isinstance(value, str):
        return []
    if intrinsics.is_intrinsic(value):
        try:
            return intrinsics.paths(intrinsics.parse(value))
        except intrinsics.IntrinsicSyntaxError:
            return []
    if value.startswith("$"):
        return [value]
    return []


def state_paths(state: dict, result_selector: bool = False) -> list[tuple[str, str]]:
    """``(field, path)`` for every JSONPath the state evaluates against its input.

    ResultPath is excluded (it writes); ResultSelector reads the task result, not the state, and is
    only included when ``result_selector`` is true.
    """
    out = []
    for field in PATH_FIELDS:
        if field != "ResultPath" and isinstance(state.get(field), str):
            out.append((field, state[field]))
    for field in TEMPLATE_FIELDS:
        if field == "ResultSelector" and not result_selector:
            continue
        for key, value in template_entries(state.get(field)):
            out.extend((f"{field}.{key}", path) for path in dynamic_paths(value))
    credentials = state.get("Credentials")
    if isinstance(credentials, dict):
        for key, value in template_entries(credentials):
            out.extend((f"Credentials.{key}", path) for path in dynamic_paths(value))
    for rule in choice_rules(state):
        if isinstance(rule.get("Variable"), str):
            out.append(("Choices.Variable", rule["Variable"]))
        for comparator in COMPARATORS_WITH_PATH:
            if isinstance(rule.get(comparator), str):
                out.append((f"Choices.{comparator}", rule[comparator]))
    return out


def split_path(path: str) -> list[str]:
    """``$.a.b[0]['c']`` -> ``['a', 'b', '[0]', 'c']``; the root (``$`` or ``$$``) is dropped."""
    text = path[2:] if path.startswith("$$") else path[1:]
    segments, i = [], 0
    while i < len(text):
        char = text[i]
        if char == ".":
            i += 1
            if i < len(text) and text[i] == ".":
                segments.append("..")
                i += 1
            start = i
            while i < len(text) and text[i] not in ".[":
                i += 1
            if i > start:
                segments.append(text[start:i])
        elif char == "[":
            depth, start = 0, i
            while i < len(text):
                if text[i] == "[":
                    depth += 1
                elif text[i] == "]":
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
            segment = text[start : i + 1]
            if segment.startswith("['") and segment.endswith("']"):
                segment = segment[2:-2]
            segments.append(segment)
            i += 1
        else:
            i += 1
    return segments


def first_field(path: str) -> str | None:
    """The top-level field a ``$.`` path reads (None for ``$``, context paths and non-paths)."""
    if not isinstance(path, str) or not path.startswith("$") or path.startswith("$$"):
        return None
    segments = split_path(path)
    if not segments or segments[0].startswith("[") or segments[0] == "..":
        return None
    return segments[0]


def payload_keys(template) -> set[str]:
    """Top-level output keys of a payload template (``.$`` stripped)."""
    if not isinstance(template, dict):
        return set()
    return {key[:-2] if key.endswith(".$") else key for key in template}


# --- the specification's static facts ----------------------------------------------------------
# Fields every state may carry (JSONPath query language; QueryLanguage and Assign are accepted in it).
_COMMON_FIELDS = {"Type", "Comment", "QueryLanguage"}
_FLOW = {"Next", "End"}
_IO = {"InputPath", "OutputPath"}
# Fields allowed per state type (Amazon States Language, JSONPath).
STATE_FIELDS: dict[str, set[str]] = {
    "Pass": _COMMON_FIELDS | _FLOW | _IO | {"ResultPath", "Parameters", "Result", "Assign"},
    "Task": _COMMON_FIELDS
    | _FLOW
    | _IO
    | {
        "ResultPath",
        "Parameters",
        "ResultSelector",
        "Resource",
        "TimeoutSeconds",
        "TimeoutSecondsPath",
        "HeartbeatSeconds",
        "HeartbeatSecondsPath",
        "Retry",
        "Catch",
        "Credentials",
        "Assign",
    },
    "Choice": _COMMON_FIELDS | _IO | {"Choices", "Default", "Assign"},
    "Wait": _COMMON_FIELDS | _FLOW | _IO | {"Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Assign"},
    "Succeed": _COMMON_FIELDS | _IO,
    "Fail": _COMMON_FIELDS | {"Error", "ErrorPath", "Cause", "CausePath"},
    "Parallel": _COMMON_FIELDS
    | _FLOW
    | _IO
    | {"ResultPath", "Parameters", "ResultSelector", "Branches", "Retry", "Catch", "Assign"},
    "Map": _COMMON_FIELDS
    | _FLOW
    | _IO
    | {
        "ResultPath",
        "ItemsPath",
        "ItemSelector",
        "Parameters",  # deprecated synonym of ItemSelector
        "ItemProcessor",
        "Iterator",  # deprecated synonym of ItemProcessor
        "ItemReader",
        "ItemBatcher",
        "ResultWriter",
        "ResultSelector",
        "MaxConcurrency",
        "MaxConcurrencyPath",
        "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath",
        "ToleratedFailureCount",
        "ToleratedFailureCountPath",
        "Label",
        "Retry",
        "Catch",
        "Assign",
    },
}
# Map fields that only a Distributed Map (ItemProcessor.ProcessorConfig.Mode = DISTRIBUTED) accepts.
DISTRIBUTED_ONLY_FIELDS = {
    "ItemReader",
    "ItemBatcher",
    "ResultWriter",
    "ToleratedFailurePercentage",
    "ToleratedFailurePercentagePath",
    "ToleratedFailureCount",
    "ToleratedFailureCountPath",
    "Label",
}
# Only these state types accept the payload templates (Map's Parameters is the old ItemSelector).
PARAMETERS_TYPES = {"Task", "Map", "Parallel", "Pass"}
RESULT_SELECTOR_TYPES = {"Task", "Map", "Parallel"}
TOP_FIELDS = {"StartAt", "States", "Comment", "Version", "TimeoutSeconds", "QueryLanguage"}
BRANCH_FIELDS = {"StartAt", "States", "Comment", "QueryLanguage"}
PROCESSOR_FIELDS = {"StartAt", "States", "Comment", "QueryLanguage", "ProcessorConfig"}
ITERATOR_FIELDS = {"StartAt", "States", "Comment"}
PROCESSOR_CONFIG_FIELDS = {"Mode", "ExecutionType"}
PROCESSOR_MODES = {"INLINE", "DISTRIBUTED"}
EXECUTION_TYPES = {"STANDARD", "EXPRESS"}
ITEM_READER_FIELDS = {"Resource", "Parameters", "ReaderConfig"}
READER_CONFIG_FIELDS = {
    "InputType",
    "CSVHeaderLocation",
    "CSVHeaders",
    "CSVDelimiter",
    "ManifestType",
    "MaxItems",
    "MaxItemsPath",
}
ITEM_BATCHER_FIELDS = {
    "MaxItemsPerBatch",
    "MaxItemsPerBatchPath",
    "MaxInputBytesPerBatch",
    "MaxInputBytesPerBatchPath",
    "BatchInput",
}
RESULT_WRITER_FIELDS = {"Resource", "Parameters", "WriterConfig"}
WRITER_CONFIG_FIELDS = {"OutputType", "Transformation"}
RETRIER_FIELDS = {
    "ErrorEquals",
    "IntervalSeconds",
    "MaxAttempts",
    "BackoffRate",
    "MaxDelaySeconds",
    "JitterStrategy",
    "Comment",
}
CATCHER_FIELDS = {"ErrorEquals", "Next", "ResultPath", "Assign", "Comment"}
# A state in the JSONata query language takes Arguments/Output (and Items on a Map) instead of the
# JSONPath fields; this validator checks JSONPath machines and only accepts those names there.
JSONATA_FIELDS = {"Arguments", "Output", "Items"}
JITTER_STRATEGIES = {"FULL", "NONE"}


def jsonpath_error(path: object) -> str | None:
    """Why ``path`` is not a JSONPath Step Functions accepts (None when it is one).

    A path starts at ``$`` (the state input) or ``$$`` (the context object) and continues with
    ``.name``, ``..name``, ``.*`` or bracket segments (``[0]``, ``[*]``, ``['a b']``, ``[0:2]``,
    ``[1,2]``, ``[?(@.k == 'v')]``).
    """
    if not isinstance(path, str):
        return f"{type(path).__name__} {path!r} is not a path"
    if not path.startswith("$"):
        return f"{path!r} does not start with $"
    i = 2 if path.startswith("$$") else 1
    while i < len(path):
        char = path[i]
        if char == ".":
            i += 1
            if i < len(path) and path[i] == ".":
                i += 1
            start = i
            while i < len(path) and path[i] not in ".[] \t\n'\"()":
                i += 1
            if i == start:
                return f"{path!r} has an empty segment at offset {start}"
        elif char == "[":
            depth, quote, start = 0, None, i
            while i < len(path):
                c = path[i]
                if quote:
                    if c == "\\":
                        i += 1
                    elif c == quote:
                        quote = None
                elif c in "'\"":
                    quote = c
                elif c == "[":
                    depth += 1
                elif c == "]":
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
            if i >= len(path):
                return f"{path!r} has an unclosed [ at offset {start}"
            inner = path[start + 1 : i].strip()
            if not inner:
                return f"{path!r} has an empty [] at offset {start}"
            i += 1
        else:
            return f"{path!r} has {char!r} at offset {i} where . or [ must follow"
    return None
