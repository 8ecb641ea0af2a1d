"""The local AWS's adapter: the same definition, rewritten so moto's Step Functions can execute it.

Used where ``asl/`` machines are created in the local AWS: the machine tests, the refresh stack
tests, and ``local/refresh_seed`` (refresh DAG tests and ``make demo``). Never for real AWS.

Real Step Functions speaks SDK-v2 casing in ``aws-sdk`` tasks (``DbClusterIdentifier`` in,
``DbClusters`` out) and raises ``Rds.DbClusterNotFoundException``. moto passes parameters straight to
boto3 (``DBClusterIdentifier``), returns boto-cased results and raises
``rds.DBClusterNotFoundFaultException``. This module rewrites, guided by botocore's shapes:

- Parameters keys of aws-sdk tasks (recursively, map keys untouched);
- every JSONPath that reads an SDK result: in ResultSelector, and later through the places a result
  was stored (a ResultPath slot, a ResultSelector field, a Map item handed on by ItemSelector);
- Retry/Catch error names.

Our own field names are never touched, so a wrong path in a definition still fails here.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from botocore.model import ListShape, MapShape, Shape, StructureShape

from platform_ops.stepfunctions import asl, intrinsics, sdk


@dataclass(frozen=True)
class Typed:
    shape: Shape
    projected: bool = False  # a [*] made it a list of `shape`


def to_moto(definition: dict) -> dict:
    adapted = copy.deepcopy(definition)
    _adapt_scope(adapted.get("States") or {}, {})
    return adapted


def _task_model(state: dict):
    resource = state.get("Resource")
    return sdk.parse_resource(resource) if state.get("Type") == "Task" and isinstance(resource, str) else None


def _join(root: str, segments: list[str]) -> str:
    out = root
    for segment in segments:
        if segment.startswith("[") or segment == "..":
            out += segment
        elif out.endswith(".."):
            out += segment
        else:
            out += f".{segment}"
    return out


def _resolve(typed: Typed | None, segments: list[str]) -> tuple[list[str], Typed | None]:
    """Rewrite member names along a path and return the type it ends on (None when unknown)."""
    if typed is None:
        return segments, None
    shape, projected, out = typed.shape, typed.projected, []
    for index, segment in enumerate(segments):
        if segment.startswith("["):
            if not isinstance(shape, ListShape):
                return out + segments[index:], None
            shape = shape.member
            if segment.startswith("[?("):
                segment = _rewrite_filter(segment, shape)
            if not segment[1:-1].isdigit():
                projected = True
            out.append(segment)
            continue
        if isinstance(shape, MapShape) or not isinstance(shape, StructureShape) or segment == "..":
            return out + segments[index:], None
        found = sdk.member(shape, segment)
        if found is None:
            return out + segments[index:], None
        out.append(found[0])
        shape = found[1]
    return out, Typed(shape, projected)


def _rewrite_filter(segment: str, item: Shape) -> str:
    import re

    def replace(match):
        found = sdk.member(item, match.group(1))
        return f"@.{found[0]}" if found else match.group(0)

    return re.sub(r"@\.([A-Za-z0-9_]+)", replace, segment)


def _rewrite_path(
    path: str, slots: dict[str, Typed], result: Typed | None = None, item: Typed | None = None
) -> str:
    """Rewrite one JSONPath: relative to a task result (``$`` = result), a Map item, or a typed slot."""
    if path.startswith("$$.Map.Item.Value"):
        rest = asl.split_path(path)[3:]
        segments, _ = _resolve(item, rest)
        return _join("$$.Map.Item.Value", segments)
    if not path.startswith("$") or path.startswith("$$"):
        return path
    segments = asl.split_path(path)
    if result is not None:
        return _join("$", _resolve(result, segments)[0])
    best = None
    for slot in slots:
        slot_segments = asl.split_path(slot)
        if segments[: len(slot_segments)] == slot_segments and (
            best is None or len(slot_segments) > len(asl.split_path(best))
        ):
            best = slot
    if best is None:
        return path
    cut = len(asl.split_path(best))
    rewritten, _ = _resolve(slots[best], segments[cut:])
    return _join("$", segments[:cut] + rewritten)


def _type_of(
    path: str, slots: dict[str, Typed], result: Typed | None = None, item: Typed | None = None
) -> Typed | None:
    """The botocore type a value reads: a path, or States.ArrayGetItem(<path>, n) of one."""
    if isinstance(path, str) and path.startswith("States.ArrayGetItem("):
        call = intrinsics.parse(path)
        first = call.args[0] if call.args else None
        listed = _type_of(first.text, slots, result, item) if isinstance(first, intrinsics.Path) else None
        if listed is None:
            return None
        if listed.projected:
            return Typed(listed.shape)
        return Typed(listed.shape.member) if isinstance(listed.shape, ListShape) else None
    if not isinstance(path, str) or intrinsics.is_intrinsic(path):
        return None
    if path.startswith("$$.Map.Item.Value"):
        return _resolve(item, asl.split_path(path)[3:])[1]
    if result is not None and path.startswith("$") and not path.startswith("$$"):
        return _resolve(result, asl.split_path(path))[1]
    segments = asl.split_path(path) if path.startswith("$") and not path.startswith("$$") else None
    if segments is None:
        return None
    for slot, typed in sorted(slots.items(), key=lambda kv: -len(asl.split_path(kv[0]))):
        slot_segments = asl.split_path(slot)
        if segments[: len(slot_segments)] == slot_segments:
            return _resolve(typed, segments[len(slot_segments) :])[1]
    return None


def _rewrite_value(value, slots, result=None, item=None):
    if not isinstance(value, str):
        return value
    if intrinsics.is_intrinsic(value):
        call = intrinsics.parse(value)
        return _serialise(call, lambda p: _rewrite_path(p, slots, result, item))
    return _rewrite_path(value, slots, result, item)


def _serialise(call: intrinsics.Call, rewrite) -> str:
    parts = []
    for arg in call.args:
        if isinstance(arg, intrinsics.Call):
            parts.append(_serialise(arg, rewrite))
        elif isinstance(arg, intrinsics.Path):
            parts.append(rewrite(arg.text))
        elif isinstance(arg.value, str):
            parts.append(f"'{arg.value}'")
        elif arg.value is None:
            parts.append("null")
        elif isinstance(arg.value, bool):
            parts.append("true" if arg.value else "false")
        else:
            parts.append(str(arg.value))
    return f"{call.name}({', '.join(parts)})"


def _rewrite_template(template, slots, result=None, item=None):
    """Rewrite the dynamic values of a payload template (keys stay: they are ours)."""
    if isinstance(template, dict):
        return {
            key: _rewrite_value(value, slots, result, item)
            if key.endswith(".$")
            else _rewrite_template(value, slots, result, item)
            for key, value in template.items()
        }
    if isinstance(template, list):
        return [_rewrite_template(value, slots, result, item) for value in template]
    return template


def _boto_parameters(template, shape: Shape | None, slots):
    """Rename Parameters keys to botocore's member names; dynamic values are rewritten via slots."""
    if isinstance(template, list):
        member = shape.member if isinstance(shape, ListShape) else None
        return [_boto_parameters(value, member, slots) for value in template]
    if not isinstance(template, dict):
        return template
    out = {}
    for key, value in template.items():
        dynamic = key.endswith(".$")
        name = key[:-2] if dynamic else key
        member_shape = None
        if isinstance(shape, StructureShape):
            found = sdk.member(shape, name)
            if found:
                name, member_shape = found
        elif isinstance(shape, MapShape):
            member_shape = shape.value
        new_key = f"{name}.$" if dynamic else name
        out[new_key] = (
            _rewrite_value(value, slots) if dynamic else _boto_parameters(value, member_shape, slots)
        )
    return out


def _moto_error(task, name: str) -> str:
    shape_name = sdk.error_names(task.sfn_service).get(name)
    if not shape_name:
        return name
    return f"{task.sfn_service}.{shape_name}" + ("" if shape_name.endswith("Exception") else "Exception")


def _slot_path(result_path, key: str) -> str:
    base = result_path if isinstance(result_path, str) else "$"
    return f"{base}.{key}" if base != "$" else f"$.{key}"


def _collect_slots(states: dict, slots: dict[str, Typed]) -> None:
    for _ in range(3):  # a few rounds: a slot may feed a later Pass
        for state in states.values():
            task = _task_model(state)
            if task is not None and task.operation is not None:
                result = Typed(task.operation.output_shape)
                if isinstance(state.get("ResultSelector"), dict):
                    for key, value in state["ResultSelector"].items():
                        if key.endswith(".$"):
                            typed = _type_of(value, {}, result=result)
                            if typed is not None:
                                slots[_slot_path(state.get("ResultPath"), key[:-2])] = typed
                elif isinstance(state.get("ResultPath"), str):
                    slots[state["ResultPath"]] = result
            elif state.get("Type") == "Pass":
                if isinstance(state.get("Parameters"), dict):
                    for key, value in state["Parameters"].items():
                        typed = _type_of(value, slots) if key.endswith(".$") else None
                        if typed is not None:
                            slots[_slot_path(state.get("ResultPath"), key[:-2])] = typed
                elif isinstance(state.get("InputPath"), str) and isinstance(state.get("ResultPath"), str):
                    typed = _type_of(state["InputPath"], slots)
                    if typed is not None:
                        slots[state["ResultPath"]] = typed


def _adapt_scope(states: dict, inherited: dict[str, Typed]) -> None:
    slots = dict(inherited)
    _collect_slots(states, slots)
    for state in states.values():
        task = _task_model(state)
        for field in ("InputPath", "OutputPath"):
            if isinstance(state.get(field), str):
                state[field] = _rewrite_path(state[field], slots)
        for rule in asl.choice_rules(state):
            for key, value in list(rule.items()):
                if key == "Variable" or key in asl.COMPARATORS_WITH_PATH:
                    rule[key] = _rewrite_path(value, slots)
        if task is not None and task.operation is not None:
            state["Parameters"] = _boto_parameters(
                state.get("Parameters") or {}, task.operation.input_shape, slots
            )
            if isinstance(state.get("ResultSelector"), dict):
                state["ResultSelector"] = _rewrite_template(
                    state["ResultSelector"], {}, result=Typed(task.operation.output_shape)
                )
            for field in ("Retry", "Catch"):
                for handler in state.get(field) or []:
                    handler["ErrorEquals"] = [
                        _moto_error(task, name) for name in handler.get("ErrorEquals", [])
                    ]
        elif isinstance(state.get("Parameters"), dict) and state.get("Type") != "Map":
            state["Parameters"] = _rewrite_template(state["Parameters"], slots)
        if state.get("Type") == "Map":
            _adapt_map(state, slots)
        if state.get("Type") == "Parallel":
            for branch in state.get("Branches") or []:
                _adapt_scope(branch.get("States") or {}, slots)


def _adapt_map(state: dict, slots: dict[str, Typed]) -> None:
    item = None
    if isinstance(state.get("ItemsPath"), str):
        items = _type_of(state["ItemsPath"], slots)
        if items is not None:
            item = (
                Typed(items.shape)
                if items.projected
                else (Typed(items.shape.member) if isinstance(items.shape, ListShape) else None)
            )
        state["ItemsPath"] = _rewrite_path(state["ItemsPath"], slots)
    inner: dict[str, Typed] = {}
    selector = state.get("ItemSelector")
    if isinstance(selector, dict):
        for key, value in selector.items():
            if key.endswith(".$"):
                typed = _type_of(value, slots, item=item)
                if typed is not None:
                    inner[f"$.{key[:-2]}"] = typed
        state["ItemSelector"] = _rewrite_template(selector, slots, item=item)
    processor = state.get("ItemProcessor") or state.get("Iterator") or {}
    _adapt_scope(processor.get("States") or {}, inner)
