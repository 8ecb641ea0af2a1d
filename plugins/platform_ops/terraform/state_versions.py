"""A stack's state as S3 object versions: list them, compare two by resource address, copy one back.

The state bucket is versioned, so every state terraform ever wrote is a version of the one object
``stacks/<stack>/terraform.tfstate``. Restoring is a server-side ``CopyObject`` of the chosen
version onto the same key: it becomes a new current version and nothing is lost (the replaced
version stays in the history, and is also copied to a backup key first). No digest has to be
updated: with ``use_lockfile`` and no ``dynamodb_table`` terraform keeps no MD5 of the state
elsewhere (with DynamoDB it would, and would refuse the restored state until it matched).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from platform_ops.registry import Stack

MAX_LISTED = 50  # addresses per list on the approval page; the record has them all


class RestoreRefused(RuntimeError):
    """The version asked for cannot be restored (unknown, already current, another lineage, ...)."""


@dataclass(frozen=True)
class StateVersion:
    version_id: str
    last_modified: str
    size: int
    is_latest: bool
    delete_marker: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def list_versions(stack: Stack, s3) -> list[StateVersion]:
    """Every version of the stack's state object, newest first (delete markers included)."""
    found: list[StateVersion] = []
    for page in s3.get_paginator("list_object_versions").paginate(
        Bucket=stack.state_bucket, Prefix=stack.state_key
    ):
        for item in page.get("Versions", []):
            if item["Key"] == stack.state_key:  # the prefix also matches the .tflock beside it
                found.append(StateVersion(item["VersionId"], item["LastModified"].isoformat(), item["Size"],
                                          item["IsLatest"]))  # fmt: skip
        for item in page.get("DeleteMarkers", []):
            if item["Key"] == stack.state_key:
                found.append(
                    StateVersion(
                        item["VersionId"], item["LastModified"].isoformat(), 0, item["IsLatest"], True
                    )
                )
    # The current one first, then by time; S3 lists a key's versions newest first (kept on ties).
    return sorted(found, key=lambda v: (v.is_latest, v.last_modified), reverse=True)


def read_version(stack: Stack, s3, version_id: str) -> tuple[dict, str]:
    """One version's state document and the SHA-256 of its bytes."""
    body = s3.get_object(Bucket=stack.state_bucket, Key=stack.state_key, VersionId=version_id)["Body"].read()
    return json.loads(body), hashlib.sha256(body).hexdigest()


def current_sha256(stack: Stack, s3) -> tuple[str, str]:
    """The current version's id and the SHA-256 of its bytes."""
    response = s3.get_object(Bucket=stack.state_bucket, Key=stack.state_key)
    return response.get("VersionId", "null"), hashlib.sha256(response["Body"].read()).hexdigest()


def state_addresses(state: dict) -> list[str]:
    """Every resource instance address in a state document (format version 4), as terraform prints it."""
    addresses = []
    for resource in state.get("resources", []):
        module = f"{resource['module']}." if resource.get("module") else ""
        data = "data." if resource.get("mode") == "data" else ""
        base = f"{module}{data}{resource['type']}.{resource['name']}"
        for instance in resource.get("instances", []):
            key = instance.get("index_key")
            if key is None:
                addresses.append(base)
            elif isinstance(key, int):
                addresses.append(f"{base}[{key}]")
            else:
                addresses.append(f"{base}[{json.dumps(key)}]")
    return sorted(addresses)


def address_diff(current: list[str], chosen: list[str]) -> dict:
    """What the restore forgets (only in the current state) and brings back (only in the chosen)."""
    now, then = set(current), set(chosen)
    return {"forgotten": sorted(now - then), "brought_back": sorted(then - now), "unchanged": len(now & then)}


def copy_version(stack: Stack, s3, version_id: str, target_key: str) -> str:
    """Server-side copy of one state version to ``target_key`` with the same encryption; new version id."""
    head = s3.head_object(Bucket=stack.state_bucket, Key=stack.state_key, VersionId=version_id)
    extra = {}
    if head.get("ServerSideEncryption"):
        extra["ServerSideEncryption"] = head["ServerSideEncryption"]
    if head.get("SSEKMSKeyId"):
        extra["SSEKMSKeyId"] = head["SSEKMSKeyId"]
    response = s3.copy_object(
        Bucket=stack.state_bucket,
        Key=target_key,
        CopySource={"Bucket": stack.state_bucket, "Key": stack.state_key, "VersionId": version_id},
        **extra,
    )
    return response.get("VersionId", "null")


def _listed(addresses: list[str]) -> str:
    if not addresses:
        return "none"
    shown = ", ".join(f"`{a}`" for a in addresses[:MAX_LISTED])
    return shown + (f" … and {len(addresses) - MAX_LISTED} more" if len(addresses) > MAX_LISTED else "")


def versions_table(versions: list[StateVersion], marks: dict[str, str], limit: int = 20) -> str:
    rows = ["| version | written (UTC) | size (bytes) | |", "|---|---|---|---|"]
    for version in versions[:limit]:
        size = "delete marker" if version.delete_marker else str(version.size)
        rows.append(
            f"| `{version.version_id}` | {version.last_modified} | {size} | {marks.get(version.version_id, '')} |"
        )
    if len(versions) > limit:
        rows.append(f"| … {len(versions) - limit} older | | | |")
    return "\n".join(rows)


def diff_markdown(diff: dict) -> str:
    return (
        f"- **Brought back** (in the chosen version, not in the current state): {_listed(diff['brought_back'])}\n"
        f"- **Forgotten** (in the current state, not in the chosen version; their objects stay in AWS, "
        f"unmanaged, and the next plan would create them again): {_listed(diff['forgotten'])}\n"
        f"- Unchanged addresses: {diff['unchanged']}"
    )
