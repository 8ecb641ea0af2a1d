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


@pytest.mark.parametrize(
    "message",
    [
        "creating EC2 NAT Gateway: api error Resource.AlreadyAssociated: Resource 127.161.40.223 is already associated.",
        "creating Route: api error RouteAlreadyExists: The route identified by 0.0.0.0/0 already exists",
        "creating Lambda Function (x): ResourceConflictException: Function already exist: x",
        "creating IAM Role (x): EntityAlreadyExists: Role with name x already exists.",
        "authorizing Security Group (sg-1) Rule: InvalidPermission.Duplicate: the specified rule already exists",
    ],
)
def test_every_retried_create_conflict_seen_is_a_sign(message):
    from platform_ops.local.server import is_cut_short_conflict

    assert is_cut_short_conflict(TerraformError(message))
    assert not is_cut_short_conflict(TerraformError("Error: Reference to undeclared resource"))


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
