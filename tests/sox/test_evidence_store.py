"""The shared evidence writer and the latest.json pointer against the local S3 (versioned bucket)."""

from __future__ import annotations

import hashlib
import json

import boto3
import pytest
from platform_ops.evidence import EvidenceConflict, EvidenceStore, ObjectRecord
from platform_ops.sox.layout import RunLocation
from platform_ops.sox.pointer import PointerRefused, move_pointer

BUCKET = "evidence-store-test"


@pytest.fixture
def store(aws) -> EvidenceStore:
    s3 = boto3.client("s3", endpoint_url=aws, region_name="eu-west-1")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return EvidenceStore(s3, BUCKET)


def test_manifest_lists_every_object_with_its_sha256_and_is_written_once(store):
    store.put_bytes("run/a.txt", b"alpha", "text/plain")
    store.put_bytes("run/evidence/b.zip", b"\x00" * 3_000_000, "application/zip")  # hashed in chunks
    written = store.write_manifest("run/", {"kind": "test", "run_id": "r1"})
    manifest = store.get_json("run/manifest.json")
    assert manifest["kind"] == "test" and manifest["object_count"] == 2
    assert {o["key"]: o["sha256"] for o in manifest["objects"]} == {
        "run/a.txt": hashlib.sha256(b"alpha").hexdigest(),
        "run/evidence/b.zip": hashlib.sha256(b"\x00" * 3_000_000).hexdigest(),
    }
    assert all(o["version_id"] for o in manifest["objects"]) and written.version_id

    again = store.write_manifest("run/", {"kind": "test", "run_id": "r1"})  # a retried task
    assert again.sha256 == written.sha256
    store.put_bytes("run/late.txt", b"added after the manifest", "text/plain")
    with pytest.raises(EvidenceConflict, match="never overwritten"):
        store.write_manifest("run/", {"kind": "test", "run_id": "r1"})
    assert store.get_json("run/manifest.json")["object_count"] == 2


def test_immutable_records_refuse_other_content(store):
    store.put_json("run/verification.json", {"passed": True}, immutable=True)
    assert (
        store.put_json("run/verification.json", {"passed": True}, immutable=True).key
        == "run/verification.json"
    )
    with pytest.raises(EvidenceConflict):
        store.put_json("run/verification.json", {"passed": False}, immutable=True)


def test_pointer_moves_only_for_verified_runs_and_names_the_run_it_replaces(store):
    first = RunLocation(BUCKET, "pg01", "2026-04", "EC_NG", "run-1", 1)
    second = RunLocation(BUCKET, "pg01", "2026-04", "EC_NG", "run-2", 1)
    manifest = ObjectRecord(key=first.key("manifest.json"), sha256="ab" * 32, size=10, version_id="v1")
    with pytest.raises(PointerRefused):
        move_pointer(store, first, verified=False, manifest=manifest, dag_run_id="run-1", outcome={})
    assert not store.exists(first.pointer_key)

    move_pointer(
        store, first, verified=True, manifest=manifest, dag_run_id="run-1", outcome={"status": "RECONCILED"}
    )
    move_pointer(
        store, second, verified=True, manifest=manifest, dag_run_id="run-2", outcome={"status": "RECONCILED"}
    )
    pointer = store.get_json(second.pointer_key)
    assert pointer["run_prefix"] == second.prefix and pointer["replaces"] == first.prefix
    versions = store.s3.list_object_versions(Bucket=BUCKET, Prefix=first.pointer_key)["Versions"]
    assert len(versions) == 2  # bucket versioning keeps the earlier pointer
    (older,) = [v for v in versions if not v["IsLatest"]]
    body = store.s3.get_object(Bucket=BUCKET, Key=first.pointer_key, VersionId=older["VersionId"])[
        "Body"
    ].read()
    assert json.loads(body)["run_prefix"] == first.prefix
