"""The options of a refresh run: one JSON schema for the DAG's Params and the registry's defaults.

The DAG builds its Params from ``OPTION_SCHEMAS`` with the destination's registry ``options`` as
defaults, so bad input is refused by Airflow before a run exists; ``check_options`` applies the
same schema plus what a schema cannot say (``restore_to`` not in the future) and runs at DAG
parse (registry defaults) and again in ``preflight``. No Airflow import here.
"""

from __future__ import annotations

from datetime import UTC, datetime

import jsonschema

SNAPSHOT_MODES = ("latest_automated", "new_manual", "point_in_time", "fast_clone")

OPTION_SCHEMAS: dict[str, dict] = {
    "snapshot": {
        "type": "string",
        "enum": list(SNAPSHOT_MODES),
        "title": "Snapshot",
        "description": "latest_automated: the newest snapshot of the source cluster already shared with the "
        "destination; new_manual: snapshot production now and share it; point_in_time: restore to "
        "restore_to; fast_clone: copy-on-write clone of the source cluster.",
    },
    "restore_to": {
        "type": ["null", "string"],
        "format": "date-time",
        "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z$",
        "title": "Restore to (point_in_time)",
        "description": "UTC timestamp, e.g. 2026-11-30T22:00:00Z, not in the future; only with point_in_time.",
    },
    "rename_old": {
        "type": "boolean",
        "title": "Rename old",
        "description": "Keep the current target as <target>-old (false: delete it before the switch).",
    },
    "delete_old": {
        "type": "boolean",
        "title": "Delete old",
        "description": "Delete <target>-old after a successful switch (only clusters tagged refresh=true).",
    },
    "keep_old_days": {
        "type": "integer",
        "minimum": 0,
        "maximum": 35,
        "title": "Keep old (days)",
        "description": "Without delete_old: tag <target>-old with refresh:delete-after = today + N days.",
    },
    "efs": {
        "type": "boolean",
        "title": "EFS",
        "description": "Also restore the EFS file system (registry efs).",
    },
    "rotate_secrets": {
        "type": "boolean",
        "title": "Rotate secrets",
        "description": "Rotate the application secrets (registry database.secret_ids) after the switch.",
    },
    "stop_at_end": {"type": "boolean", "title": "Stop at end", "description": "Stop the refreshed cluster."},
    "scale_down_at_end": {
        "type": "boolean",
        "title": "Scale down at end",
        "description": "Scale the EKS node group (registry eks) to 0 instead of its configured size.",
    },
    "dry_run": {
        "type": "boolean",
        "title": "Dry run",
        "description": "Resolve names, accounts, snapshot and the plan of steps, log them, and change nothing.",
    },
}
BUILT_IN_DEFAULTS = {
    "snapshot": "new_manual",
    "restore_to": None,
    "rename_old": True,
    "delete_old": False,
    "keep_old_days": 0,
    "efs": False,
    "rotate_secrets": False,
    "stop_at_end": False,
    "scale_down_at_end": False,
    "dry_run": False,
}
OPTIONS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": OPTION_SCHEMAS,
    "allOf": [
        {
            "if": {"properties": {"snapshot": {"const": "point_in_time"}}},
            "then": {"properties": {"restore_to": {"type": "string"}}, "required": ["restore_to"]},
            "else": {"properties": {"restore_to": {"type": "null"}}},
        },
        {
            "if": {"properties": {"delete_old": {"const": True}}, "required": ["delete_old"]},
            "then": {"properties": {"keep_old_days": {"const": 0}, "rename_old": {"const": True}}},
        },
    ],
}


def not_after_pattern(bound: datetime) -> str:
    """A regex matching ``YYYY-MM-DDTHH:MM:SSZ`` texts not later than ``bound`` (UTC).

    JSON schema cannot compare a timestamp with "now"; for fixed-width UTC text, "not later" is
    lexicographic, so the DAG puts this pattern (bound = parse time) into the ``restore_to``
    Param and a future value is refused before a run exists, in the UI's form too. ``preflight``
    checks against the real clock again (the bound lags by the parse interval).
    """
    text = bound.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    rest = ["[0-9]" if ch.isdigit() else ch for ch in text]  # "-", ":" and "T" need no escape
    branches = [
        text[:i] + f"[0-{int(ch) - 1}]" + "".join(rest[i + 1 :])
        for i, ch in enumerate(text)
        if ch.isdigit() and ch != "0"
    ]
    return "^(?:" + "|".join([*branches, text]) + ")Z$"


def param_schemas(now: datetime) -> dict[str, dict]:
    """``OPTION_SCHEMAS`` with ``restore_to`` bounded by ``now`` (see ``not_after_pattern``)."""
    restore_to = dict(OPTION_SCHEMAS["restore_to"])
    restore_to["allOf"] = [{"pattern": not_after_pattern(now)}]
    return {**OPTION_SCHEMAS, "restore_to": restore_to}


class OptionsError(ValueError):
    """Options that no refresh may run with."""


def defaults(registry_options: dict) -> dict:
    """The registry's options over the built-in defaults, checked."""
    merged = {**BUILT_IN_DEFAULTS, **registry_options}
    check_options(merged)
    return merged


def check_options(options: dict, now: datetime | None = None) -> dict:
    """Refuse options outside ``OPTIONS_SCHEMA`` or a ``restore_to`` in the future."""
    errors = sorted(jsonschema.Draft202012Validator(OPTIONS_SCHEMA).iter_errors(options), key=str)
    if errors:
        raise OptionsError(
            "; ".join(f"{'/'.join(map(str, e.absolute_path)) or 'options'}: {e.message}" for e in errors)
        )
    if options.get("restore_to"):
        when = datetime.fromisoformat(options["restore_to"].replace("Z", "+00:00"))
        if when > (now or datetime.now(UTC)):
            raise OptionsError(f"restore_to {options['restore_to']} is in the future")
    return options
