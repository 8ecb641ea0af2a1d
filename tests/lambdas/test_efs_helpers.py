"""lambdas/get_efs_subpath and lambdas/check_flag_file against a temporary directory (the "mount")."""

from __future__ import annotations

import json
import os
import time

import pytest

from tests.lambdas.conftest import load_handler

get_efs_subpath = load_handler("get_efs_subpath")
check_flag_file = load_handler("check_flag_file")


def test_newest_restore_directory_wins(tmp_path):
    for name in (
        "aws-backup-restore_2026-01-02T02-00-00-000Z",
        "aws-backup-restore_2026-01-03T02-00-00-000Z",
        "aws-backup-restore_2025-12-31T02-00-00-000Z",
        "media",
        "aws-backup-restore-notes",
    ):
        (tmp_path / name).mkdir()
    (tmp_path / "aws-backup-restore_2099-01-01T00-00-00-000Z").write_text("a file, not a restore")
    result = get_efs_subpath.handler({"mount_path": str(tmp_path)})
    assert result["Status"] == "Completed"
    assert result["SubPath"] == "/aws-backup-restore_2026-01-03T02-00-00-000Z"
    assert len(result["Candidates"]) == 3


def test_same_name_stamp_falls_back_to_mtime(tmp_path, monkeypatch):
    older, newer = tmp_path / "restore_a", tmp_path / "restore_b"
    older.mkdir()
    newer.mkdir()
    os.utime(older, (time.time(), time.time()))
    os.utime(newer, (time.time() - 3600, time.time() - 3600))
    monkeypatch.setenv("EFS_MOUNT_PATH", str(tmp_path))
    assert get_efs_subpath.handler({"expected_prefix": "restore_"})["SubPath"] == "/restore_b"


def test_missing_mount_and_missing_restore_are_errors(tmp_path):
    with pytest.raises(get_efs_subpath.MountNotFound):
        get_efs_subpath.handler({"mount_path": str(tmp_path / "absent")})
    (tmp_path / "media").mkdir()
    with pytest.raises(get_efs_subpath.SubPathNotFound):
        get_efs_subpath.handler({"mount_path": str(tmp_path)})
    with pytest.raises(get_efs_subpath.InvalidInput):
        get_efs_subpath.handler({"mount_path": str(tmp_path), "expected_prefix": "../etc"})


@pytest.fixture
def mount(tmp_path):
    (tmp_path / "aws-backup-restore_1").mkdir()
    return tmp_path


def flag(mount, action, **extra):
    return check_flag_file.handler(
        {
            "mount_path": str(mount),
            "action": action,
            "flag_id": "abc123",
            "subpath": "/aws-backup-restore_1",
            **extra,
        }
    )


def test_flag_write_check_delete_cycle(mount):
    assert flag(mount, "check") == {"Status": "Completed", "Found": False}
    before_write = time.time()
    written = flag(mount, "write")
    assert written["Written"] is True
    stored = json.loads((mount / "aws-backup-restore_1" / ".refresh-flag-abc123").read_text())
    assert stored["flag_id"] == "abc123"
    checked = flag(mount, "check")
    assert checked["Found"] is True and 0 <= checked["AgeSeconds"] <= time.time() - before_write + 1
    assert flag(mount, "list")["Entries"] == [".refresh-flag-abc123"]
    assert flag(mount, "delete") == {"Status": "Completed", "Deleted": True}
    assert flag(mount, "delete") == {"Status": "Completed", "Deleted": False}
    assert not list((mount / "aws-backup-restore_1").iterdir())


def test_stale_or_corrupt_flags_are_not_found(mount):
    path = mount / "aws-backup-restore_1" / ".refresh-flag-abc123"
    created_at = time.time() - 7200
    path.write_text(json.dumps({"flag_id": "abc123", "created_at": created_at}))
    checked = flag(mount, "check", max_age_seconds=3600)
    age_bound = time.time() - created_at + 1  # the check ran before this line, however slow the machine
    assert {k: v for k, v in checked.items() if k != "AgeSeconds"} == {"Status": "Completed", "Found": False, "Stale": True}
    assert 7199 <= checked["AgeSeconds"] <= age_bound
    path.write_text("{half")
    assert flag(mount, "check") == {"Status": "Completed", "Found": False, "Corrupt": True}
    path.write_text(json.dumps({"flag_id": "someone-else", "created_at": time.time()}))
    assert flag(mount, "check")["Found"] is False


def test_flag_paths_cannot_leave_the_mount(mount, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    with pytest.raises(check_flag_file.InvalidInput, match="leaves the mount"):
        flag(mount, "write", subpath=f"/../{outside.name}")
    (mount / "link").symlink_to(outside)
    with pytest.raises(check_flag_file.InvalidInput, match="leaves the mount"):
        flag(mount, "write", subpath="/link")
    with pytest.raises(check_flag_file.InvalidInput, match="flag_id"):
        flag(mount, "write", flag_id="../../etc/passwd")
    assert not list(outside.iterdir())


def test_missing_subpath_is_not_created(mount):
    with pytest.raises(check_flag_file.NotFound):
        flag(mount, "write", subpath="/not-there")
    assert not (mount / "not-there").exists()
    with pytest.raises(check_flag_file.InvalidInput, match="unknown action"):
        flag(mount, "explode")


def test_list_is_bounded(mount):
    for index in range(5):
        (mount / "aws-backup-restore_1" / f"f{index}").write_text("x")
    listed = flag(mount, "list", max_entries=3)
    assert listed["Entries"] == ["f0", "f1", "f2"] and listed["Truncated"] is True
