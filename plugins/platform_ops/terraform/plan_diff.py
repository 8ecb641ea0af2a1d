"""The changed attributes of one resource in ``terraform show -json``, masked as terraform masks them.

The plan JSON holds sensitive values in clear text, next to masks (``before_sensitive``,
``after_sensitive``) that say which they are. Everything returned here is already masked and
shortened, so it may go to XCom, S3, logs and notices. Values are shown as JSON (strings quoted).
"""

from __future__ import annotations

import json

SENSITIVE = "(sensitive value)"
UNKNOWN = "(known after apply)"
MAX_VALUE_CHARS = 80  # longer values are cut, with an ellipsis and their full length

_EMPTY = (None, {}, [], "")


def attribute_changes(
    change: dict, replace_paths: list[str] = (), secrets: set[str] = frozenset()
) -> list[dict]:
    """``[{"path", "before", "after"}]`` for every leaf that differs (dotted paths, null == empty).

    An attribute that was empty and is only known after apply is left out: on a create that is
    every computed attribute, which tells a reviewer nothing. With ``replace_paths``, rows at or
    under one of them get ``"forces_replacement": True``. A sensitive string is also masked where
    it appears unmarked (``terraform_data.output`` copies a sensitive ``input`` without the mark),
    and so are ``secrets`` (e.g. the plan's sensitive variables).
    """
    masks = (change.get("before_sensitive"), change.get("after_sensitive"), change.get("after_unknown"))
    leaves: list[tuple] = []
    _walk(change.get("before"), change.get("after"), "", masks, leaves)
    secrets = set(secrets) | _marked(change.get("before"), masks[0]) | _marked(change.get("after"), masks[1])
    rows = []
    for path, before, before_mask, after, after_mask, unknown in leaves:
        row = {"path": path or "(value)", "before": _shown(before, before_mask, False, secrets),
               "after": _shown(after, after_mask, unknown, secrets)}  # fmt: skip
        if any(_overlaps(row["path"], forced) for forced in replace_paths):
            row["forces_replacement"] = True
        rows.append(row)
    return rows


def sensitive_variables(plan_json: dict) -> set[str]:
    """String values of the root module's sensitive variables, to mask wherever they show up."""
    declared = plan_json.get("configuration", {}).get("root_module", {}).get("variables", {})
    values = plan_json.get("variables", {})
    sensitive = [name for name, declaration in declared.items() if declaration.get("sensitive")]
    return set().union(*(_marked(values.get(name, {}).get("value"), True) for name in sensitive))


def path_text(steps: list) -> str:
    """``["rule", 0, "status"]`` (as in ``replace_paths``) → ``rule[0].status``."""
    text = ""
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def describe(row: dict) -> str:
    """One row as plain text, for notices and logs."""
    forced = " (forces replacement)" if row.get("forces_replacement") else ""
    return f"{row['path']}{forced}: {row['before']} → {row['after']}"


def _overlaps(path: str, other: str) -> bool:
    short, long = sorted((path, other), key=len)
    return long == short or long.startswith((short + ".", short + "["))


def _child(mask, key):
    if mask is True:
        return True
    if isinstance(mask, dict):
        return mask.get(key, False)
    if isinstance(mask, list) and isinstance(key, int) and key < len(mask):
        return mask[key]
    return False


def _walk(before, after, path: str, masks: tuple, leaves: list[tuple]) -> None:
    """Collect ``(path, before, its mask, after, its mask, unknown)`` for each leaf that differs."""
    before_sensitive, after_sensitive, unknown = masks
    if unknown is True:
        if before not in _EMPTY:
            leaves.append((path, before, before_sensitive, None, after_sensitive, True))
        return
    if before in _EMPTY and after in _EMPTY and not unknown:
        return
    keys: list = []
    if before_sensitive is True or after_sensitive is True:
        pass  # a sensitive value is one leaf: its parts would tell what it holds
    elif all(isinstance(v, dict | None) for v in (before, after)) and not isinstance(unknown, list):
        keys = sorted(set(before or {}) | set(after or {}) | set(unknown or {}))
    elif all(isinstance(v, list | None) for v in (before, after)):
        sizes = {len(before or []), len(after or [])}
        if len(sizes) == 1 or 0 in sizes:  # other lengths: items may have moved, so one leaf
            keys = list(range(max(sizes)))
    if keys:
        for key in keys:
            child = f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else key)
            _walk(_item(before, key), _item(after, key), child, tuple(_child(m, key) for m in masks), leaves)
    elif before != after:
        leaves.append((path, before, before_sensitive, after, after_sensitive, unknown))


def _item(value, key):
    if isinstance(value, dict):
        return value.get(key)
    return value[key] if isinstance(value, list) and key < len(value) else None


def _marked(value, mask) -> set[str]:
    """The strings (3 characters or more, as the runner's log redaction) that ``mask`` marks sensitive."""
    if mask is True:
        if isinstance(value, dict):
            return set().union(*(_marked(v, True) for v in value.values()))
        if isinstance(value, list):
            return set().union(*(_marked(v, True) for v in value))
        shown = isinstance(value, str | int | float) and not isinstance(value, bool)
        return {str(value)} if shown and len(str(value)) >= 3 else set()
    if isinstance(mask, dict | list) and isinstance(value, dict | list):
        keys = value.keys() if isinstance(value, dict) else range(len(value))
        return set().union(*(_marked(_item(value, k), _child(mask, k)) for k in keys))
    return set()


def _shown(value, sensitive, unknown, secrets: set[str]) -> str:
    if sensitive is True:
        return SENSITIVE
    if unknown is True:
        return UNKNOWN
    masked = _mask(_mask(value, sensitive, SENSITIVE), unknown, UNKNOWN)
    text = json.dumps(masked, ensure_ascii=False, separators=(", ", ": "))
    for secret in sorted(secrets, key=len, reverse=True):
        if secret in text or json.dumps(secret)[1:-1] in text:
            return SENSITIVE  # a part of it would still tell what it is
    if len(text) > MAX_VALUE_CHARS:
        return f"{text[: MAX_VALUE_CHARS - 20]}… ({len(text)} chars)"
    return text


def _mask(value, mask, marker: str):
    """``value`` with the parts ``mask`` marks replaced by ``marker`` (inside a shown container)."""
    if mask is True:
        return marker
    if isinstance(mask, dict) and isinstance(value, dict):
        keys = set(value) | {k for k, m in mask.items() if m is True}
        return {k: _mask(value.get(k), mask.get(k), marker) for k in sorted(keys)}
    if isinstance(mask, list) and isinstance(value, list):
        return [_mask(v, mask[i] if i < len(mask) else False, marker) for i, v in enumerate(value)]
    return value
