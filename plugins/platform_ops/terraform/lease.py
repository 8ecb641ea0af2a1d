"""One active run per stack: a lease row in the stack's lock table, held from plan to apply.

Terraform's own lock covers one command; a run holds a stack from its plan, through review, to its
apply. The lease has an expiry (the approval timeout plus slack) so a crashed run never blocks a
stack forever, and release only deletes a lease this run holds.
"""

from __future__ import annotations

import time

from platform_ops.aws.access import aws_client
from platform_ops.registry import Stack


class StackBusyError(RuntimeError):
    """Another run holds the stack."""


def _key(stack: Stack) -> dict:
    return {"LockID": {"S": f"platform-ops-run-lease/{stack.name}"}}


def _client(stack: Stack):
    return aws_client(stack.account, "dynamodb", stack.region)


def acquire(stack: Stack, holder: str, ttl_seconds: int, client=None) -> None:
    client = client or _client(stack)
    now = int(time.time())
    item = {**_key(stack), "Holder": {"S": holder}, "Acquired": {"N": str(now)}, "Expires": {"N": str(now + ttl_seconds)}}
    try:
        client.put_item(
            TableName=stack.lock_table,
            Item=item,
            ConditionExpression="attribute_not_exists(LockID) OR Holder = :me OR Expires < :now",
            ExpressionAttributeValues={":me": {"S": holder}, ":now": {"N": str(now)}},
        )
    except client.exceptions.ConditionalCheckFailedException:
        current = client.get_item(TableName=stack.lock_table, Key=_key(stack)).get("Item", {})
        other = current.get("Holder", {}).get("S", "unknown")
        since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(current.get("Acquired", {}).get("N", "0"))))
        raise StackBusyError(
            f"stack {stack.name!r} is in use by run {other} since {since}; one run at a time per stack. "
            "Wait for it to finish (or reject its approval)."
        ) from None


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
