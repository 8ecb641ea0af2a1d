"""The helper Lambda zips: pinned dependencies vendored, and the same bytes on every build."""

from __future__ import annotations

import zipfile

import pytest
from platform_ops.refresh import lambda_package


def test_two_builds_give_the_same_bytes(tmp_path):
    first = {
        n: lambda_package.filebase64sha256(lambda_package.build(n, tmp_path / "a"))
        for n in lambda_package.LAMBDAS
    }
    second = {
        n: lambda_package.filebase64sha256(lambda_package.build(n, tmp_path / "b"))
        for n in lambda_package.LAMBDAS
    }
    assert first == second
    assert len(set(first.values())) == len(first), "each Lambda has its own code"


def test_run_sql_vendors_pymysql_at_the_pyproject_pin(tmp_path):
    pinned = lambda_package.project_pins()["pymysql"]
    with zipfile.ZipFile(lambda_package.build("run_sql", tmp_path)) as archive:
        names = archive.namelist()
        infos = archive.infolist()
    assert names == sorted(names) and "handler.py" in names
    assert f"pymysql-{pinned}.dist-info/METADATA" in names
    assert any(n.startswith("pymysql/") and n.endswith(".py") for n in names)
    assert not any(n.endswith(".pyc") for n in names)
    assert {i.date_time for i in infos} == {lambda_package.FIXED_TIME}


def test_helpers_without_requirements_hold_only_their_handler(tmp_path):
    with zipfile.ZipFile(lambda_package.build("get_efs_subpath", tmp_path)) as archive:
        assert archive.namelist() == ["handler.py"]


def test_a_pin_that_differs_from_pyproject_is_refused(tmp_path):
    source = tmp_path / "lambdas" / "probe"
    source.mkdir(parents=True)
    (source / "handler.py").write_text("def handler(event, context=None):\n    return {}\n")
    (source / "requirements.txt").write_text("pymysql==0.0.1\n")
    with pytest.raises(lambda_package.PackageError, match="pyproject.toml pins"):
        lambda_package.build("probe", tmp_path / "out", lambdas_dir=tmp_path / "lambdas")
    (source / "requirements.txt").write_text("pymysql>=1\n")
    with pytest.raises(lambda_package.PackageError, match="not pinned"):
        lambda_package.build("probe", tmp_path / "out", lambdas_dir=tmp_path / "lambdas")
