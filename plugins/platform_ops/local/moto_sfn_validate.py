"""The local AWS answers the Step Functions calls the AWS provider makes that moto 5.2 lacks (500).

The AWS provider (5.x) calls ``ValidateStateMachineDefinition`` while planning an
``aws_sfn_state_machine`` and ``ListStateMachineVersions`` after creating one, so without these no
stack with a state machine can be planned or applied against the local AWS.

``ListStateMachineVersions`` lists the versions moto keeps for the machine (``publish=true``),
newest first, as AWS does. ``ValidateStateMachineDefinition`` checks what a definition needs to be a machine at all (a JSON object
whose ``StartAt`` names one of its ``States``) and reports ``FAIL`` with one ERROR diagnostic
otherwise, in the API's shape. The full checks (AWS's rules and ours) are
``platform_ops.stepfunctions.validate``, run on ``asl/`` by ``make lint``.
"""

from __future__ import annotations

import json


def diagnostics(definition: str) -> list[dict]:
    """ERROR diagnostics of a definition (empty: it is structurally a state machine)."""

    def error(code: str, message: str) -> list[dict]:
        return [{"severity": "ERROR", "code": code, "message": message, "location": "/"}]

    try:
        parsed = json.loads(definition)
    except (TypeError, ValueError) as exc:
        return error("INVALID_JSON_DESCRIPTION", f"the definition is not JSON: {exc}")
    if not isinstance(parsed, dict) or not isinstance(parsed.get("States"), dict) or not parsed["States"]:
        return error("SCHEMA_VALIDATION_FAILED", "the definition needs a non-empty States object")
    if parsed.get("StartAt") not in parsed["States"]:
        return error("SCHEMA_VALIDATION_FAILED", "StartAt must name a state of States")
    return []


def install() -> None:
    """Add ValidateStateMachineDefinition and ListStateMachineVersions to moto (idempotent)."""
    from moto.core.responses import ActionResult
    from moto.stepfunctions.responses import StepFunctionResponse

    if hasattr(StepFunctionResponse, "validate_state_machine_definition"):
        return

    def validate_state_machine_definition(self) -> ActionResult:
        found = diagnostics(self._get_param("definition"))
        return ActionResult({"result": "FAIL" if found else "OK", "diagnostics": found, "truncated": False})

    def list_state_machine_versions(self) -> ActionResult:
        machine = self.stepfunction_backend.describe_state_machine(self._get_param("stateMachineArn"))
        versions = sorted(getattr(machine, "versions", {}).values(), key=lambda v: -v.version)
        listed = [{"stateMachineVersionArn": v.arn, "creationDate": v.creation_date} for v in versions]
        return ActionResult({"stateMachineVersions": listed})

    StepFunctionResponse.validate_state_machine_definition = validate_state_machine_definition
    StepFunctionResponse.list_state_machine_versions = list_state_machine_versions
