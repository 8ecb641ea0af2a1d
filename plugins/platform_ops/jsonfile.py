"""Read a JSON config file and validate it against a schema, with one clear error a problem."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema


def load_validated_json(path: Path, schema: dict, error: type[Exception], what: str, env_var: str) -> dict:
    """The parsed file; raises ``error`` saying which file, where in it, and what is wrong."""
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        raise error(f"{what} {path} does not exist (set {env_var})") from None
    except json.JSONDecodeError as err:
        raise error(f"{what} {path} is not valid JSON: {err}") from None
    return validate_document(raw, schema, error, f"{what} {path}")


def validate_document(raw: dict, schema: dict, error: type[Exception], what: str) -> dict:
    """``raw`` if it matches ``schema``; else raises ``error`` naming ``what`` and where it is wrong."""
    try:
        jsonschema.validate(raw, schema)
    except jsonschema.ValidationError as err:
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        raise error(f"{what} is invalid at {where}: {err.message}") from None
    return raw
