"""Find the directory an AWS Backup restore created on an EFS file system.

A full restore of a recovery point into a new file system puts the data under
``aws-backup-restore_<timestamp>/``. Invoked by asl/efs/get_subpath_and_store_in_ssm with the file
system mounted through an access point. Event::

    {"mount_path": "/mnt/efs", "expected_prefix": "aws-backup-restore_"}

Returns ``{"Status": "Completed", "SubPath": "/aws-backup-restore_...", "Candidates": [...]}``: the
newest matching directory (by the timestamp in its name, then by modification time). Raises
``MountNotFound`` when the mount path is absent and ``SubPathNotFound`` when nothing matches.
Read-only: it only lists one directory.
"""

from __future__ import annotations

import os
import re

DEFAULT_MOUNT = "/mnt/efs"  # Lambda file system mounts live under /mnt
PREFIX = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


class InvalidInput(Exception):
    """The event is malformed."""


class MountNotFound(Exception):
    """The file system is not mounted where expected."""


class SubPathNotFound(Exception):
    """No directory with the expected prefix exists at the top of the file system."""


def handler(event: dict, context=None) -> dict:
    mount = event.get("mount_path") or os.environ.get("EFS_MOUNT_PATH") or DEFAULT_MOUNT
    prefix = event.get("expected_prefix") or "aws-backup-restore_"
    if not PREFIX.match(prefix):
        raise InvalidInput("expected_prefix may only hold letters, digits, '_', '.', '-'")
    if not os.path.isdir(mount):
        raise MountNotFound(f"{mount} is not a mounted directory")
    candidates = []
    with os.scandir(mount) as entries:
        for entry in entries:
            if entry.name.startswith(prefix) and entry.is_dir(follow_symlinks=False):
                candidates.append(
                    (entry.name[len(prefix) :], entry.stat(follow_symlinks=False).st_mtime, entry.name)
                )
    if not candidates:
        raise SubPathNotFound(f"no directory starting with {prefix!r} in {mount}")
    candidates.sort()
    newest = candidates[-1][2]
    return {"Status": "Completed", "SubPath": f"/{newest}", "Candidates": [name for _, _, name in candidates]}
