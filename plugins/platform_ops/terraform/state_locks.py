"""Terraform state locks of the registry's stacks: where they are, who holds them, which are stale.

Where the locks are. Every stack's S3 backend (``workspace.backend_config``) sets
``use_lockfile = true`` and no ``dynamodb_table``, so terraform (>= 1.10) locks a stack's state
with one object beside it, ``<state key>.tflock``, written with a conditional PutObject and
holding terraform's lock info as JSON (``ID``, ``Operation``, ``Info``, ``Who``, ``Version``,
``Created``, ``Path``). Terraform would lock in DynamoDB as well only with ``dynamodb_table``
configured; none is, and the registry's DynamoDB ``lock_table`` holds no terraform lock, only the
stacks' run leases (``lease.py``). So the seed's "scan the DynamoDB lock table" is a read of each
stack's ``.tflock`` object here (``tests/terraform/test_state_locks.py`` pins the backend).

Stale. Terraform's lock names a user and host (``Who``), never an Airflow run; what ties a lock to
a run is the stack's lease. A lock is held by an Airflow run while a running DAG run holds the
stack's lease (a lease without a DAG id counts while unexpired). A lock older than the threshold
that no running run accounts for is stale: a crashed laptop or a killed worker left it behind.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from platform_ops.registry import Stack
from platform_ops.terraform.approval import as_datetime
from platform_ops.terraform.cli import StateLockedError
from platform_ops.terraform.lease import Lease

# (dag_id, run_id) -> is that DAG run running now? (the DAG passes the Task SDK's get_dr_count)
RunningCheck = Callable[[str, str], bool]

HELD_BY_RUN, RECENT, STALE = "held-by-airflow-run", "recent", "stale"


class LockNotReleasable(RuntimeError):
    """The lock asked for is gone, has another ID, or is not stale: nothing is unlocked."""


@dataclass(frozen=True)
class StateLock:
    """One held terraform state lock, as terraform wrote it."""

    stack: str
    id: str
    operation: str
    who: str
    version: str
    created: str
    path: str
    info: str = ""
    object_version: str = ""  # the S3 version of the .tflock object (names an unreadable lock)

    def as_terraform(self) -> dict:
        """The lock info JSON as terraform writes it."""
        return {"ID": self.id, "Operation": self.operation, "Info": self.info, "Who": self.who,
                "Version": self.version, "Created": self.created, "Path": self.path}  # fmt: skip

    @property
    def name(self) -> str:
        """What identifies this lock in notices and markers: its ID, else its object version."""
        return self.id or f"unreadable-{self.object_version}"


def lock_key(stack: Stack) -> str:
    return f"{stack.state_key}.tflock"


def read_lock(stack: Stack, s3) -> StateLock | None:
    """The stack's held lock, or None when its state is not locked."""
    try:
        response = s3.get_object(Bucket=stack.state_bucket, Key=lock_key(stack))
    except s3.exceptions.NoSuchKey:
        return None
    body = response["Body"].read()
    written = response["LastModified"].astimezone(UTC).isoformat()
    try:
        info = json.loads(body)
    except ValueError:
        info = {"Who": "(unreadable lock info)", "Created": written}
    return StateLock(
        stack=stack.name,
        id=str(info.get("ID", "")),
        operation=str(info.get("Operation", "")),
        who=str(info.get("Who", "")),
        version=str(info.get("Version", "")),
        created=str(info.get("Created") or written),
        path=str(info.get("Path", "")),
        info=str(info.get("Info", "")),
        object_version=str(response.get("VersionId", "")),
    )


def format_age(seconds: float) -> str:
    minutes = max(0, int(seconds // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return f"{days}d {hours}h {minutes:02d}m" if days else f"{hours}h {minutes:02d}m"


@dataclass(frozen=True)
class LockStatus:
    """A lock, how old it is, and whether an Airflow run accounts for it."""

    lock: StateLock
    age_seconds: int
    status: str  # HELD_BY_RUN, RECENT or STALE
    holder_run: str  # "<dag id>/<run id>" of the lease holder, "" when no lease
    reason: str

    def as_dict(self) -> dict:
        return {**asdict(self.lock), "name": self.lock.name, "age_seconds": self.age_seconds,
                "age": format_age(self.age_seconds), "status": self.status, "holder_run": self.holder_run,
                "reason": self.reason}  # fmt: skip


def classify(
    lock: StateLock, lease: Lease | None, is_running: RunningCheck, now: datetime, stale_after_seconds: int
) -> LockStatus:
    """Held by a running Airflow run, recent, or stale (see the module docstring)."""
    age = int((now - as_datetime(lock.created)).total_seconds())
    holder = f"{lease.dag_id or '(unknown DAG)'}/{lease.holder}" if lease else ""
    if lease:
        running = (
            is_running(lease.dag_id, lease.holder) if lease.dag_id else not lease.expired(now.timestamp())
        )
        if running:
            return LockStatus(
                lock, age, HELD_BY_RUN, holder, f"run {holder} holds the stack's lease and is running"
            )
    if age < stale_after_seconds:
        return LockStatus(lock, age, RECENT, holder, f"younger than {format_age(stale_after_seconds)}")
    why = f"the lease holder {holder} is not running" if lease else "no Airflow run holds the stack"
    return LockStatus(lock, age, STALE, holder, f"{format_age(age)} old and {why}")


def holder_table(status: LockStatus) -> str:
    """The lock's fields as a markdown table, for the approval page and notices."""
    lock = status.lock
    rows = [
        ("Stack", lock.stack), ("Lock ID", lock.id or "(unreadable)"), ("Operation", lock.operation),
        ("Who", lock.who), ("Terraform version", lock.version), ("Created", lock.created),
        ("Age", format_age(status.age_seconds)), ("Path", lock.path), ("Info", lock.info or "-"),
        ("Lease holder", status.holder_run or "none"), ("Status", f"{status.status}: {status.reason}"),
    ]  # fmt: skip
    return "\n".join(["| field | value |", "|---|---|", *(f"| {k} | `{v}` |" for k, v in rows)])


@contextmanager
def holding_state_lock(stack: Stack, s3, who: str, operation: str, info: str = "") -> Iterator[StateLock]:
    """Hold the stack's state lock for a write terraform does not make itself (a state restore).

    Taken as terraform takes it: a conditional PutObject (``If-None-Match: *``) of the lock info
    JSON, so a terraform starting meanwhile sees a held lock with ``who``; given back only if it
    is still ours.
    """
    lock = StateLock(stack=stack.name, id=str(uuid.uuid4()), operation=operation, who=who,
                     version="platform-ops", created=datetime.now(UTC).isoformat(),
                     path=f"{stack.state_bucket}/{stack.state_key}", info=info)  # fmt: skip
    try:
        s3.put_object(Bucket=stack.state_bucket, Key=lock_key(stack), Body=json.dumps(lock.as_terraform()).encode(),
                      IfNoneMatch="*", ContentType="application/json", ServerSideEncryption="AES256")  # fmt: skip
    except s3.exceptions.ClientError as err:
        if err.response.get("Error", {}).get("Code") not in {
            "PreconditionFailed",
            "ConditionalRequestConflict",
        }:
            raise
        holder = read_lock(stack, s3)
        who_holds = (
            f"{holder.who} ({holder.operation}, lock {holder.name}, since {holder.created})"
            if holder
            else "someone"
        )
        raise StateLockedError(
            f"the state of {stack.name!r} is locked by {who_holds}; nothing was written"
        ) from None
    try:
        yield lock
    finally:
        current = read_lock(stack, s3)
        if current is not None and current.id == lock.id:
            s3.delete_object(Bucket=stack.state_bucket, Key=lock_key(stack))
