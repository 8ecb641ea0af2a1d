"""Invalidation paths: what CloudFront accepts, checked before a run exists (the Param schema)
and again in the task (the same rules as plain functions).

CloudFront's rules (CreateInvalidation, "Specifying the objects to invalidate"): each path starts
with ``/``; ``*`` is a wildcard only as the last character; at most 3,000 paths in one request
(and in progress at a time per distribution); a path is at most 4,000 characters; characters
outside printable ASCII and spaces must be URL-encoded by the caller. ``/*`` invalidates
everything: it costs one path but makes every edge fetch every object from the origin again.
"""

from __future__ import annotations

import re

MAX_PATHS = 3000
MAX_PATH_LENGTH = 4000
FULL = "/*"
# "/" then printable ASCII without space or "*", then at most one "*" at the very end
PATH_PATTERN = r"^/[!-)+-~]*\*?$"
_PATH = re.compile(PATH_PATTERN)

PATHS_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "maxItems": MAX_PATHS,
    "uniqueItems": True,
    "items": {"type": "string", "pattern": PATH_PATTERN, "maxLength": MAX_PATH_LENGTH},
}


def path_errors(paths: list[str]) -> list[str]:
    """Every reason CloudFront would refuse ``paths`` (empty: they are fine)."""
    if not isinstance(paths, list) or not paths:
        return ["paths must be a non-empty list"]
    errors = []
    if len(paths) > MAX_PATHS:
        errors.append(f"{len(paths)} paths: at most {MAX_PATHS} in one invalidation")
    if len(set(paths)) != len(paths):
        errors.append("paths repeat")
    for path in paths:
        if not isinstance(path, str) or not path.startswith("/"):
            errors.append(f"{path!r}: must start with /")
        elif len(path) > MAX_PATH_LENGTH:
            errors.append(f"{path[:40]!r}...: longer than {MAX_PATH_LENGTH} characters")
        elif "*" in path[:-1]:
            errors.append(f"{path!r}: a wildcard is allowed only at the end")
        elif not _PATH.match(path):
            errors.append(f"{path!r}: URL-encode spaces and characters outside printable ASCII")
    return errors


def is_full(paths: list[str]) -> bool:
    return FULL in paths


def caller_reference(dag_id: str, run_id: str) -> str:
    """The same for every try of one run: CloudFront then returns the invalidation already made."""
    return f"{dag_id}__{run_id}"
