"""The local AWS's answer to ValidateStateMachineDefinition (platform_ops.local.moto_sfn_validate).

The server path (terraform plan of a stack with state machines) runs in
tests/refresh/test_refresh_infra.py; here, what the answer says about a definition.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from platform_ops.local.moto_sfn_validate import diagnostics

ASL = Path(__file__).resolve().parents[2] / "asl"


def test_every_definition_of_asl_is_accepted():
    assert {p.name: diagnostics(p.read_text()) for p in ASL.glob("*/*.asl.json")} == {
        p.name: [] for p in ASL.glob("*/*.asl.json")
    }


@pytest.mark.parametrize(
    ("definition", "code"),
    [
        ("{not json", "INVALID_JSON_DESCRIPTION"),
        (json.dumps({"StartAt": "A"}), "SCHEMA_VALIDATION_FAILED"),
        (json.dumps({"StartAt": "B", "States": {"A": {"Type": "Succeed"}}}), "SCHEMA_VALIDATION_FAILED"),
    ],
)
def test_broken_definitions_fail_with_one_error(definition, code):
    [found] = diagnostics(definition)
    assert found["severity"] == "ERROR" and found["code"] == code
