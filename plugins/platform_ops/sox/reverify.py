"""Re-verify an archived PG-01 run from S3 alone, as an auditor would (read-only).

``python -m platform_ops.sox.reverify s3://<bucket>/<prefix>/period=2026-04/company=EC_NG/latest.json``
(or the run prefix ``.../run=<id>-try<n>/``). With read access to the evidence bucket, it:

1. follows ``latest.json`` to the run and checks the manifest's SHA-256 and version against it;
2. downloads every object **at the version the manifest lists** and recomputes its SHA-256;
3. reports objects added under the run prefix after the manifest, or overwritten since;
4. runs the verification checklist again on those exact bytes (package integrity recomputed
   from the files, ZIPs against folders, sources, quality, row counts, parameter echo) and
   compares the verdict with the one recorded at run time.

Exit code 0 when everything matches, 1 otherwise; the findings are printed either way.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field

from platform_ops.evidence.writer import EvidenceStore, sha256_hex
from platform_ops.sox.layout import MANIFEST, POINTER, VERIFICATION, parse_uri
from platform_ops.sox.period import Period
from platform_ops.sox.verification import Expectation, verify_run


@dataclass
class Reverification:
    run_prefix: str
    problems: list[str] = field(default_factory=list)
    checked_objects: int = 0
    verdict_at_run_time: bool | None = None
    verdict_now: bool | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _current_versions(store: EvidenceStore, prefix: str) -> dict[str, str | None]:
    """The current version id of every key under ``prefix`` (deleted keys excluded)."""
    current: dict[str, str | None] = {}
    paginator = store.s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=store.bucket, Prefix=prefix):
        for version in page.get("Versions", []):
            if version["IsLatest"]:
                current[version["Key"]] = version.get("VersionId")
    return current


def reverify(store: EvidenceStore, key_or_prefix: str) -> Reverification:
    """Check a run given its ``latest.json`` key or its run prefix (ending in ``/``)."""
    expected_sha = expected_version = None
    prefix = key_or_prefix
    if key_or_prefix.endswith(POINTER):
        pointer = store.get_json(key_or_prefix)
        prefix, expected_sha = pointer["run_prefix"], pointer["manifest_sha256"]
        expected_version = pointer.get("manifest_version_id")
    result = Reverification(run_prefix=prefix)
    manifest_key = prefix + MANIFEST
    raw = store.get_bytes(manifest_key, expected_version)
    if expected_sha and sha256_hex(raw) != expected_sha:
        result.problems.append(f"{manifest_key}: SHA-256 differs from the one latest.json recorded")
    manifest = json.loads(raw)

    objects: dict[str, bytes] = {}
    for entry in manifest["objects"]:
        data = store.get_bytes(entry["key"], entry.get("version_id"))
        result.checked_objects += 1
        if sha256_hex(data) != entry["sha256"]:
            result.problems.append(f"{entry['key']}: SHA-256 differs from the manifest")
        objects[entry["key"][len(prefix) :]] = data
    listed = {entry["key"]: entry.get("version_id") for entry in manifest["objects"]}
    for key, current_version in _current_versions(store, prefix).items():
        if key == manifest_key:
            continue
        if key not in listed:
            result.problems.append(f"{key}: added after the manifest was written")
        elif listed[key] and current_version != listed[key]:
            result.problems.append(
                f"{key}: overwritten after the manifest (the manifest's version is still intact and was checked)"
            )

    objects.pop(VERIFICATION, None)
    period = Period.parse(manifest["period"])
    report = verify_run(
        objects,
        Expectation(
            company=manifest["company"],
            cutoff=manifest["cutoff_date"],
            period_label=period.label,
            items=manifest["ipes"],
            container_exit_code=manifest["ecs"]["exit_code"],
            quality_allow_list=[
                item
                for item, info in manifest["verification"]["items"].items()
                if info.get("quality") != "PASS"
            ]
            if manifest["verification"]["passed"]
            else [],
        ),
    )
    result.verdict_at_run_time = manifest["verification"]["passed"]
    result.verdict_now = report.passed
    if report.passed != result.verdict_at_run_time:
        result.problems.append(
            f"the checklist now says passed={report.passed} but the run recorded passed={result.verdict_at_run_time}"
        )
    if result.verdict_at_run_time:
        result.problems += [f"checklist: {failure}" for failure in report.failures]
    return result


def main(argv: list[str] | None = None) -> int:
    import boto3

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("uri", help="s3://bucket/.../latest.json or s3://bucket/.../run=<id>-try<n>/")
    parser.add_argument("--endpoint-url", help="S3 endpoint (tests, the local AWS)")
    args = parser.parse_args(argv)
    if args.uri.endswith("/"):
        bucket, key = parse_uri(args.uri)
    else:
        bucket, key = args.uri[len("s3://") :].split("/", 1)
    store = EvidenceStore(boto3.client("s3", endpoint_url=args.endpoint_url), bucket)
    result = reverify(store, key)
    print(f"run: s3://{bucket}/{result.run_prefix}")
    print(f"objects re-hashed: {result.checked_objects}")
    print(f"verdict at run time: {result.verdict_at_run_time}; verdict now: {result.verdict_now}")
    for problem in result.problems:
        print(f"PROBLEM: {problem}")
    print("OK: the archived run is intact" if result.ok else "FAILED: see the problems above")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
