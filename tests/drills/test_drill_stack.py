"""When the drills' stack apply starts over: only on a conflict that a cut-short response causes."""

from __future__ import annotations

import pytest
from platform_ops.local import drill_stack
from platform_ops.terraform.cli import TerraformError


def _applies(monkeypatch, *outcomes):
    calls = []

    def fake_apply(endpoint):
        calls.append(endpoint)
        outcome = outcomes[len(calls) - 1]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(drill_stack, "_apply", fake_apply)
    return calls


def test_a_retried_create_conflict_starts_over_once_from_a_clean_local_aws(monkeypatch):
    conflict = TerraformError("creating EC2 Subnet: api error InvalidSubnet.Conflict: The CIDR conflicts")
    calls = _applies(monkeypatch, conflict, {"ok": True})
    started_over = []
    assert drill_stack.apply_for_drills("http://x", start_over=lambda: started_over.append(1)) == {"ok": True}
    assert calls == ["http://x", "http://x"] and started_over == [1]


def test_any_other_failure_or_a_second_conflict_is_raised(monkeypatch):
    _applies(monkeypatch, TerraformError("Error: Invalid reference"))
    with pytest.raises(TerraformError, match="Invalid reference"):
        drill_stack.apply_for_drills("http://x", start_over=lambda: None)

    conflict = TerraformError("InvalidPermission.NotFound")
    _applies(monkeypatch, conflict, conflict)
    with pytest.raises(TerraformError):
        drill_stack.apply_for_drills("http://x", start_over=lambda: None)

    _applies(monkeypatch, conflict)
    with pytest.raises(TerraformError):
        drill_stack.apply_for_drills("http://x")  # no way to start over: the demo's one apply
