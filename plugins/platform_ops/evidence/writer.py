"""Write audit evidence to S3: JSON records and manifests listing the SHA-256 of every object.

A manifest is written once (``If-None-Match: *``): a second write of the same prefix succeeds only
if it would list exactly the same objects, so a retried task is idempotent and nothing rewrites
history. With bucket versioning (and Object Lock, when enabled), each record keeps its version id.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

MANIFEST_FORMAT = "platform-ops/evidence-manifest/v1"
_CHUNK = 1024 * 1024


class EvidenceConflict(RuntimeError):
    """An immutable record already exists with different content."""


@dataclass(frozen=True)
class ObjectRecord:
    key: str
    sha256: str
    size: int
    version_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_json(obj: Any) -> bytes:
    """Stable bytes for a JSON record (sorted keys), so its hash is reproducible."""
    return (json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n").encode()


def _is_precondition_failure(err: ClientError) -> bool:
    code = err.response.get("Error", {}).get("Code", "")
    status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code in {"PreconditionFailed", "ConditionalRequestConflict"} or status == 412


class EvidenceStore:
    """One bucket of evidence, through a boto3 S3 client (any account or endpoint)."""

    def __init__(self, s3_client, bucket: str):
        self.s3 = s3_client
        self.bucket = bucket

    def list_keys(self, prefix: str) -> list[str]:
        keys: list[str] = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            keys.extend(item["Key"] for item in page.get("Contents", []))
        return sorted(keys)

    def exists(self, key: str) -> bool:
        try:
            self.s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    def get_bytes(self, key: str, version_id: str | None = None) -> bytes:
        extra = {"VersionId": version_id} if version_id else {}
        return self.s3.get_object(Bucket=self.bucket, Key=key, **extra)["Body"].read()

    def get_json(self, key: str) -> Any:
        return json.loads(self.get_bytes(key))

    def hash_object(self, key: str, version_id: str | None = None) -> ObjectRecord:
        """Stream the object (or one version of it) and hash it (objects can be large ZIPs)."""
        extra = {"VersionId": version_id} if version_id else {}
        response = self.s3.get_object(Bucket=self.bucket, Key=key, **extra)
        digest = hashlib.sha256()
        size = 0
        for chunk in iter(lambda: response["Body"].read(_CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
        return ObjectRecord(
            key=key, sha256=digest.hexdigest(), size=size, version_id=response.get("VersionId")
        )

    def hash_prefix(self, prefix: str, exclude: Iterable[str] = ()) -> list[ObjectRecord]:
        skip = set(exclude)
        return [self.hash_object(key) for key in self.list_keys(prefix) if key not in skip]

    def put_bytes(self, key: str, data: bytes, content_type: str, immutable: bool = False) -> ObjectRecord:
        kwargs: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": key,
            "Body": data,
            "ContentType": content_type,
            "ChecksumAlgorithm": "SHA256",
        }
        if immutable:
            kwargs["IfNoneMatch"] = "*"
        response = self.s3.put_object(**kwargs)
        return ObjectRecord(
            key=key, sha256=sha256_hex(data), size=len(data), version_id=response.get("VersionId")
        )

    def put_json(self, key: str, obj: Any, immutable: bool = False) -> ObjectRecord:
        """Write a JSON record; ``immutable`` refuses to replace an existing different one."""
        data = canonical_json(obj)
        try:
            return self.put_bytes(key, data, "application/json", immutable=immutable)
        except ClientError as err:
            if not (immutable and _is_precondition_failure(err)):
                raise
            existing = self.hash_object(key)
            if existing.sha256 != sha256_hex(data):
                raise EvidenceConflict(
                    f"s3://{self.bucket}/{key} already exists with other content (sha256 {existing.sha256}); "
                    "evidence records are never overwritten"
                ) from None
            return existing

    def write_manifest(self, prefix: str, body: dict[str, Any], name: str = "manifest.json") -> ObjectRecord:
        """Hash every object under ``prefix`` and write ``<prefix><name>`` once.

        ``body`` carries the caller's context (run ids, task ARNs...). A retry that finds the
        manifest already written returns it if it lists the same objects, and raises otherwise.
        """
        key = f"{prefix}{name}"
        objects = self.hash_prefix(prefix, exclude=[key])
        manifest = {
            **body,
            "format": MANIFEST_FORMAT,
            "bucket": self.bucket,
            "prefix": prefix,
            "objects": [record.as_dict() for record in objects],
            "object_count": len(objects),
        }
        try:
            return self.put_json(
                key, {**manifest, "created_at": datetime.now(UTC).isoformat()}, immutable=True
            )
        except EvidenceConflict:
            existing = self.get_json(key)
            listed = [(o["key"], o["sha256"]) for o in existing.get("objects", [])]
            if listed != [(o.key, o.sha256) for o in objects]:
                raise
            return self.hash_object(key)
