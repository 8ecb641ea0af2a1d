"""Where a PG-01 run lives in S3 (one prefix per period, company, DAG run and try).

``<prefix>/period=YYYY-MM/company=<CODE>/run=<dag run id>-try<n>/`` holds what the wrapper
uploads (``result.json``, ``run.json``, ``evidence/``, ``outputs/``) and what the DAG adds
(``verification.json``, ``manifest.json``). ``latest.json`` one level up points at the last
verified run. Keys are keyed by the full company code: the job's own folder names only carry the
first two letters (EC_NG and EC_KE would collide).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")

RESULT = "result.json"
WRAPPER_RECORD = "run.json"
VERIFICATION = "verification.json"
MANIFEST = "manifest.json"
POINTER = "latest.json"
EVIDENCE_DIR = "evidence/"
OUTPUTS_DIR = "outputs/"


def safe_run_id(run_id: str) -> str:
    """A DAG run id usable in a key (``manual__2026-05-03T06:00:00+00:00`` → ``manual__2026-05-03T06_00_00_00_00``)."""
    return _UNSAFE.sub("_", run_id)


@dataclass(frozen=True)
class RunLocation:
    bucket: str
    base_prefix: str
    period: str
    company: str
    run_id: str
    try_number: int

    @property
    def company_prefix(self) -> str:
        return f"{self.base_prefix.rstrip('/')}/period={self.period}/company={self.company}/"

    @property
    def prefix(self) -> str:
        return f"{self.company_prefix}run={safe_run_id(self.run_id)}-try{self.try_number}/"

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    @property
    def pointer_key(self) -> str:
        return f"{self.company_prefix}{POINTER}"

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"


def parse_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix/`` → ``("bucket", "some/prefix/")``."""
    match = re.match(r"^s3://([^/]+)/(.+/)$", uri)
    if not match:
        raise ValueError(f"{uri!r} is not an s3://bucket/prefix/ URI ending in '/'")
    return match.group(1), match.group(2)
