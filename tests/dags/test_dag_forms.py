"""The trigger form of every DAG, as the UI gets it: which fields it marks required, what it offers.

The UI receives each param as ``Param.dump()`` of the serialized DAG (the DAG details endpoint)
and marks a field required unless its schema's ``type`` is a list holding ``"null"`` (Airflow
3.3's form). A switch (``boolean``) always holds a value, so it stays non-null and shows the mark.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from platform_ops.registry import registry

from tests.dagrun import load_dag

REPO = Path(__file__).resolve().parents[2]
DAG_IDS = sorted(p.stem for p in (REPO / "dags").glob("*.py") if not p.name.startswith("_"))
EMPTY = (None, "", [], {})

# dag id -> the params the form marks required (every other one is optional).
REQUIRED = {
    "sox_pg01_monthly": {"companies", "dry_run"},
    "terraform_apply": {"stack", "allow_destroy"},
    "terraform_drift": set(),
    "terraform_state_locks": {"stale_after_minutes", "dry_run"},
    "terraform_state_restore": {"stack", "dry_run"},
}


def _form(dag_id: str) -> dict[str, dict]:
    """``{name: dumped param}`` as the DAG details endpoint serves them to the trigger form."""
    from airflow.serialization.serialized_objects import DagSerialization

    dag = DagSerialization.deserialize_dag(DagSerialization.serialize_dag(load_dag(dag_id)))
    return {name: param.dump() for name, param in dag.params.items()}


def _marked_required(schema: dict) -> bool:
    kind = schema.get("type")
    return bool(kind) and not (isinstance(kind, list) and "null" in kind)


@pytest.mark.parametrize("dag_id", DAG_IDS)
def test_a_field_is_marked_required_only_when_it_is(airflow_db, dag_id):
    """Every DAG: an empty default means optional, and the form must not mark it required."""
    from airflow.sdk.definitions.param import Param

    for name, dumped in _form(dag_id).items():
        assert dumped["description"], f"{name}: the form explains the field"
        Param(dumped["value"], **dumped["schema"]).resolve()  # the prefilled form is submittable
        if _marked_required(dumped["schema"]):
            assert dumped["value"] not in EMPTY, f"{dag_id}.{name}: empty by default but marked required"
        else:
            Param(None, **dumped["schema"]).resolve()  # an emptied optional field is accepted


@pytest.mark.parametrize("dag_id", sorted(REQUIRED))
def test_the_required_fields_of_each_form(airflow_db, dag_id):
    form = _form(dag_id)
    assert {name for name, p in form.items() if _marked_required(p["schema"])} == REQUIRED[dag_id]


def test_terraform_apply_offers_the_registry_stacks_and_the_readme_says_why_not_the_others(airflow_db):
    form = _form("terraform_apply")
    offered = form["stack"]["schema"]["enum"]
    assert offered == registry().stack_names() and form["stack"]["value"] in offered
    assert _form("terraform_drift")["stacks"]["schema"]["items"]["enum"] == offered

    offered_dirs = {(REPO / registry().stack(name).path).resolve() for name in offered}
    stack_dirs = {p.resolve() for p in (REPO / "terraform" / "stacks").iterdir() if p.is_dir()}
    not_offered = sorted(p.name for p in stack_dirs - offered_dirs)  # a directory may serve two stacks
    assert not_offered == ["data", "state-bootstrap"]
    readme = (REPO / "README.md").read_text()
    for stack in not_offered:
        assert re.search(rf"^- `{stack}` .+", readme, re.MULTILINE), f"README does not say why {stack} is not offered"
