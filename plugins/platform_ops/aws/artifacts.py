"""The artifacts bucket (shared-services account): plans, reports and records, by run.

Keys are built from the DAG run id with ``safe_run_id`` so a run's objects sit together and a
retry of a task finds what an earlier try stored.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from platform_ops.aws.access import aws_hook
from platform_ops.registry import registry


def safe_run_id(run_id: str) -> str:
    """A run id usable in S3 keys and AWS names (``manual__2026-…+00:00`` → ``manual__2026-…_00_00``)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", run_id)


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ArtifactStore:
    """S3 access to the registry's artifacts bucket through the shared-services connection."""

    def __init__(self):
        reg = registry()
        self.bucket = reg.artifacts_bucket
        self.hook = aws_hook(reg.artifacts_account, "s3", reg.artifacts_region)

    def upload_file(self, key: str, path: str | Path) -> str:
        """Upload (the bucket's default SSE-KMS encryption applies); returns the file's SHA-256."""
        self.hook.load_file(str(path), key=key, bucket_name=self.bucket, replace=True)
        return sha256_file(path)

    def download_file(self, key: str, path: str | Path) -> str:
        """Download to ``path``; returns its SHA-256."""
        client = self.hook.get_conn()
        client.download_file(self.bucket, key, str(path))
        return sha256_file(path)

    def put_json(self, key: str, document: dict) -> None:
        self.hook.load_string(
            json.dumps(document, indent=2, sort_keys=True, default=str), key=key, bucket_name=self.bucket,
            replace=True,
        )  # fmt: skip

    def get_json(self, key: str) -> dict | None:
        """The JSON document at ``key``, or None when there is none."""
        if not self.hook.check_for_key(key, bucket_name=self.bucket):
            return None
        return json.loads(self.hook.read_key(key, bucket_name=self.bucket))
