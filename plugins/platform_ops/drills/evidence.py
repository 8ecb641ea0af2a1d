"""Where a drill leaves its records: ``drills/<drill>/runs/<run id>/`` in the artifacts bucket.

``before.json`` (the targets as recorded before the change), ``evidence.json`` (the record) and
``report.html`` (the page), and ``drills/<drill>/latest.json`` pointing at the newest run.
"""

from __future__ import annotations

import hashlib
import json

from platform_ops.aws.artifacts import ArtifactStore, safe_run_id


def run_prefix(drill: str, run_id: str) -> str:
    return f"drills/{drill}/runs/{safe_run_id(run_id)}/"


def latest_key(drill: str) -> str:
    return f"drills/{drill}/latest.json"


def put_run_object(drill: str, run_id: str, name: str, document: dict) -> str:
    key = run_prefix(drill, run_id) + name
    ArtifactStore().put_json(key, document)
    return key


def publish(drill: str, run_id: str, evidence: dict, html: str) -> dict:
    """Write the record and the page, then move ``latest.json``; returns the keys and hashes."""
    store = ArtifactStore()
    prefix = run_prefix(drill, run_id)
    body = json.dumps(evidence, indent=2, sort_keys=True, default=str)
    store.hook.load_string(body, key=prefix + "evidence.json", bucket_name=store.bucket, replace=True)
    store.hook.get_conn().put_object(
        Bucket=store.bucket,
        Key=prefix + "report.html",
        Body=html.encode(),
        ContentType="text/html; charset=utf-8",
    )
    pointer = {
        "drill": drill,
        "run_id": run_id,
        "verdict": evidence["verdict"],
        "evidence": f"s3://{store.bucket}/{prefix}evidence.json",
        "evidence_sha256": hashlib.sha256(body.encode()).hexdigest(),
        "report": f"s3://{store.bucket}/{prefix}report.html",
        "report_sha256": hashlib.sha256(html.encode()).hexdigest(),
    }
    store.put_json(latest_key(drill), pointer)
    return pointer
