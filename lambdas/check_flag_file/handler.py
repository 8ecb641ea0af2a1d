"""Write, check, delete or list a replication flag file on a mounted EFS file system.

Used by asl/efs/check_replication_sync: write a flag on the source file system, wait until it
appears on the replicated destination, delete it on the source. Event::

    {"action": "write" | "check" | "delete" | "list", "flag_id": "<md5 of the execution>",
     "subpath": "/aws-backup-restore_...", "max_age_seconds": 3600, "max_entries": 100}

The flag is ``<mount>/<subpath>/.refresh-flag-<flag_id>`` holding ``{"flag_id", "created_at"}``.
``subpath`` is resolved inside the mount (``..`` or links out of it are refused) and is never
created: writing needs an existing directory. Returns ``{"Status": "Completed", ...}``; raises
``InvalidInput`` or ``NotFound``.
"""

from __future__ import annotations

import json
import os
import re
import time

DEFAULT_MOUNT = "/mnt/efs"  # Lambda file system mounts live under /mnt
FLAG_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
FLAG_PREFIX = ".refresh-flag-"


class InvalidInput(Exception):
    """The event is malformed or points outside the mount."""


class NotFound(Exception):
    """The mount or the subpath does not exist."""


def _base(event: dict) -> str:
    mount = os.path.realpath(event.get("mount_path") or os.environ.get("EFS_MOUNT_PATH") or DEFAULT_MOUNT)
    if not os.path.isdir(mount):
        raise NotFound(f"{mount} is not a mounted directory")
    subpath = (event.get("subpath") or "/").lstrip("/")
    base = os.path.realpath(os.path.join(mount, subpath))
    if os.path.commonpath([mount, base]) != mount:
        raise InvalidInput("subpath leaves the mount")
    if not os.path.isdir(base):
        raise NotFound(f"subpath {event.get('subpath')!r} does not exist on the file system")
    return base


def _flag_path(event: dict, base: str) -> str:
    flag_id = event.get("flag_id")
    if not isinstance(flag_id, str) or not FLAG_ID.match(flag_id):
        raise InvalidInput("flag_id must be 1-64 letters, digits, '_' or '-'")
    return os.path.join(base, f"{FLAG_PREFIX}{flag_id}")


def handler(event: dict, context=None) -> dict:
    action = event.get("action", "check")
    base = _base(event)
    if action == "list":
        limit = int(event.get("max_entries", 100))
        names = sorted(os.listdir(base))
        return {"Status": "Completed", "Entries": names[:limit], "Truncated": len(names) > limit}
    path = _flag_path(event, base)
    if action == "write":
        body = {"flag_id": event["flag_id"], "created_at": time.time()}
        temporary = f"{path}.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(body, handle)
        os.replace(temporary, path)  # readers never see a half-written flag
        return {"Status": "Completed", "Written": True, "CreatedAt": body["created_at"]}
    if action == "check":
        try:
            with open(path, encoding="utf-8") as handle:
                body = json.load(handle)
        except FileNotFoundError:
            return {"Status": "Completed", "Found": False}
        except ValueError:
            return {"Status": "Completed", "Found": False, "Corrupt": True}
        if body.get("flag_id") != event["flag_id"]:
            return {"Status": "Completed", "Found": False, "Corrupt": True}
        age = max(0.0, time.time() - float(body.get("created_at", 0)))
        fresh = age <= float(event.get("max_age_seconds", 3600))
        return {"Status": "Completed", "Found": fresh, "AgeSeconds": round(age, 3), "Stale": not fresh}
    if action == "delete":
        try:
            os.remove(path)
        except FileNotFoundError:
            return {"Status": "Completed", "Deleted": False}
        return {"Status": "Completed", "Deleted": True}
    raise InvalidInput(f"unknown action {action!r}: use write, check, delete or list")
