"""Evidence records in S3: one writer for JSON records and manifests, shared by every DAG."""

from platform_ops.evidence.writer import (
    EvidenceConflict,
    EvidenceStore,
    ObjectRecord,
    canonical_json,
    sha256_hex,
)

__all__ = ["EvidenceConflict", "EvidenceStore", "ObjectRecord", "canonical_json", "sha256_hex"]
