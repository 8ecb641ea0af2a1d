"""A local AWS of this module's own, with moto's request recorder on and snapshots that take time.

The shared ``local_aws`` has neither: ``MOTO_ENABLE_RECORDING`` (every request, to prove a dry run
mutates nothing) and ``MOTO_RDS_SNAPSHOT_SECONDS`` (a snapshot says ``creating`` for 1 s, then its
RDS event is sent: the wait really defers and ends on the event) must be set when the server
starts. Import the fixtures into a test module: ``from tests.snapshots.recording import recorded_aws``.
"""

from __future__ import annotations

import json
import urllib.request

import pytest
from platform_ops.local.recording import read_requests

MUTATING_PREFIXES = ("Create", "Copy", "Delete", "Modify", "Put", "Add", "Remove", "Start", "Stop",
                     "Restore", "Reboot", "Update", "Tag", "Untag", "Send", "Publish")  # fmt: skip
READ_ONLY_S3 = {"GET", "HEAD"}


@pytest.fixture(scope="module")
def recording_server(tmp_path_factory):
    from platform_ops.local.server import start_local_aws

    path = tmp_path_factory.mktemp("recording") / "requests.jsonl"
    server = start_local_aws(
        env={"MOTO_ENABLE_RECORDING": "1", "MOTO_RECORDER_FILEPATH": str(path), "MOTO_RDS_SNAPSHOT_SECONDS": "1"}
    )
    server.recording = path
    yield server
    server.stop()


@pytest.fixture
def fast_registry(tmp_path, monkeypatch):
    """The registry with 1 s between Describe calls of snapshot waits and GetInvalidation calls."""
    from platform_ops.registry import DEFAULT_REGISTRY

    raw = json.loads(DEFAULT_REGISTRY.read_text())
    raw["snapshots"]["backstop_seconds"] = 1
    raw["cdn"]["poll_seconds"] = 1
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(raw))
    monkeypatch.setenv("PLATFORM_OPS_REGISTRY", str(path))
    return path


@pytest.fixture
def recorded_aws(recording_server, airflow_db, fast_registry, monkeypatch):
    """Reset, seeded, connections pointing at it; the recording starts empty after seeding."""
    from platform_ops.local.connections import local_environment
    from platform_ops.local.seed import seed_all

    recording_server.reset()
    seed_all(recording_server.endpoint)
    for key, value in local_environment(recording_server.endpoint).items():
        monkeypatch.setenv(key, value)
    reset_recording(recording_server)
    return recording_server


def reset_recording(server) -> None:
    request = urllib.request.Request(
        f"{server.endpoint}/moto-api/recorder/reset-recording", data=b"", method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310 - loopback only
        resp.read()


def requests_made(server) -> list[dict]:
    """``[{"method", "path", "action", "body"}]`` of every request since the last reset."""
    return [
        {"method": r.method, "path": r.url, "action": r.action, "body": r.body}
        for r in read_requests(server.recording)
    ]


def mutating(requests: list[dict]) -> list[dict]:
    """Requests that change something: a mutating API action, or any S3 write."""
    found = []
    for r in requests:
        if r["action"].startswith(MUTATING_PREFIXES) or (not r["action"] and r["method"] not in READ_ONLY_S3):
            found.append(r)
    return found
