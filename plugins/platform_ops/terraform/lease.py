"""One active run per stack: a lease row in the stack's lock table, held from plan to apply.

Terraform's own lock covers one command; a run holds a stack from its plan, through review, to its
apply. The lease has an expiry (the approval timeout plus slack) so a crashed run never blocks a
stack forever, and release only deletes a lease this run holds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from platform_ops.aws.access import aws_client
from platform_ops.registry import Stack


class StackBusyError(RuntimeError):
    """Another run holds the stack."""


@dataclass(frozen=True)
class Lease:
    """Who holds a stack: a run id, the DAG of that run ("" on a lease that did not record it)."""

    holder: str
    dag_id: str
    acquired: int
    expires: int

    def expired(self, now: float | None = None) -> bool:
        return self.expires < (time.time() if now is None else now)


def _key(stack: Stack) -> dict:
    return {"LockID": {"S": f"platform-ops-run-lease/{stack.name}"}}


def _client(stack: Stack):
    return aws_client(stack.account, "dynamodb", stack.region)


def current(stack: Stack, client=None) -> Lease | None:
    """The stack's lease row (expired or not), or None when no run ever held it or it was released."""
    client = client or _client(stack)
    item = client.get_item(TableName=stack.lock_table, Key=_key(stack), ConsistentRead=True).get("Item")
    if not item:
        return None
    return Lease(
        holder=item.get("Holder", {}).get("S", "unknown"),
        dag_id=item.get("Dag", {}).get("S", ""),
        acquired=int(item.get("Acquired", {}).get("N", "0")),
        expires=int(item.get("Expires", {}).get("N", "0")),
    )


def _busy(stack: Stack, lease: Lease | None) -> StackBusyError:
    other = lease.holder if lease else "unknown"
    dag = f" of {lease.dag_id}" if lease and lease.dag_id else ""
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(lease.acquired if lease else 0))
    return StackBusyError(
        f"stack {stack.name!r} is in use by run {other}{dag} since {since}; one run at a time per stack. "
        "Wait for it to finish (or reject its approval)."
    )


def acquire(stack: Stack, holder: str, ttl_seconds: int, client=None, dag_id: str = "") -> None:
    """Take the stack for run ``holder`` (of DAG ``dag_id``); a retry of the same run keeps it."""
    client = client or _client(stack)
    now = int(time.time())
    item = {**_key(stack), "Holder": {"S": holder}, "Acquired": {"N": str(now)}, "Expires": {"N": str(now + ttl_seconds)}}
    if dag_id:
        item["Dag"] = {"S": dag_id}
    try:
        client.put_item(
            TableName=stack.lock_table,
            Item=item,
            ConditionExpression="attribute_not_exists(LockID) OR Holder = :me OR Expires < :now",
            ExpressionAttributeValues={":me": {"S": holder}, ":now": {"N": str(now)}},
        )
    except client.exceptions.ConditionalCheckFailedException:
        raise _busy(stack, current(stack, client)) from None


def ensure_free(stack: Stack, holder: str, client=None) -> None:
    """Raise ``StackBusyError`` if another run holds the stack; reads only (for dry runs)."""
    lease = current(stack, client)
    if lease and lease.holder != holder and not lease.expired():
        raise _busy(stack, lease)


def release(stack: Stack, holder: str, client=None) -> bool:
    """Release the lease if ``holder`` has it; False when it was not (or no longer) held by it."""
    client = client or _client(stack)
    try:
        client.delete_item(
            TableName=stack.lock_table,
            Key=_key(stack),
            ConditionExpression="Holder = :me",
            ExpressionAttributeValues={":me": {"S": holder}},
        )
        return True
    except client.exceptions.ConditionalCheckFailedException:
        return False
