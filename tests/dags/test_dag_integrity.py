"""Every file in dags/: parses offline, and follows the house rules a reviewer would check."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DAG_FILES = sorted(p for p in (REPO / "dags").glob("*.py") if not p.name.startswith("_"))


class NetworkUsedAtImport(RuntimeError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    """Any connection attempt while a DAG file is imported raises."""

    def refuse(*args, **kwargs):
        raise NetworkUsedAtImport(f"network call at DAG import: {args[1:] or kwargs}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def _parse(path: Path):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(path))
    assert not bag.import_errors, bag.import_errors
    assert len(bag.dags) == 1, f"{path.name}: one DAG a file, found {sorted(bag.dags)}"
    return next(iter(bag.dags.values()))


def _readme_schedule(dag_id: str) -> str:
    text = (REPO / "README.md").read_text()
    match = re.search(rf"^### `{dag_id}`\n(.*?)(?=^### |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"README.md has no section '### `{dag_id}`'"
    schedule = re.search(r"\*\*Schedule:\*\* `([^`]+)`", match.group(1))
    assert schedule, f"README section of {dag_id} does not state its schedule as **Schedule:** `...`"
    return schedule.group(1)


def test_there_are_dags():
    assert DAG_FILES, "dags/ is empty"


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_dag_file_follows_house_rules(path, no_network):
    dag = _parse(path)
    assert dag.dag_id == path.stem, "the file is named after its DAG"
    assert dag.doc_md and len(dag.doc_md) > 200, "doc_md says what, when, params, what it leaves behind"
    assert dag.tags, "tags"
    assert dag.catchup is False
    assert dag.owner and dag.owner != "airflow", "a real owner"
    for task in dag.tasks:
        assert task.retries is not None
        assert task.on_failure_callback, f"{task.task_id}: failures notify (default_args callback)"
    assert dag.default_args.get("retries", 0) >= 1, "default retries >= 1 (fail-fast errors opt out by policy)"
    assert dag.params, "Params"
    for name, param in dag.params.items():
        assert param.schema.get("type"), f"param {name} has a JSON schema type"
        assert param.description, f"param {name} has a description"
    expected = _readme_schedule(dag.dag_id)
    schedule = dag.schedule  # a timetable says its cron as ``expression``
    actual = "None" if schedule is None else getattr(schedule, "expression", None) or str(schedule)
    assert actual == expected, f"README says {expected}, the DAG has {actual}"
    for task in dag.tasks:  # no hand-written xcom_pull strings that .output would express
        for field in getattr(task, "template_fields", ()):
            value = getattr(task, field, None)
            if isinstance(value, str) and "xcom_pull(" in value:
                assert field in {"body", "subject", "message"}, f"{task.task_id}.{field}: use .output"
