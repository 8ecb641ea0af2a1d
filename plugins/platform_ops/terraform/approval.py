"""Who approved a change: a person's answer on a HITL gate, or (for a plan) the stack's policy.

The registry gives every stack ``approval: required | auto_when_no_destroy`` (default
``required``). ``auto_when_no_destroy`` is the seed's "staging applies automatically": the review
is skipped only for a plan that destroys and replaces nothing, since those are the changes that
lose data. A production account's stack can only be ``required``; the registry refuses anything
else, and ``decide`` checks it again on the plan that is about to be applied.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from platform_ops.registry import Stack

AUTO_WHEN_NO_DESTROY = "auto_when_no_destroy"


class NotApproved(RuntimeError):
    """No valid approval was given: nothing is changed."""


@dataclass(frozen=True)
class ApprovalDecision:
    """Whether a person must review a plan, under which policy, and why."""

    policy: str
    review_required: bool
    reason: str

    def as_dict(self) -> dict:
        return asdict(self)

    def sentence(self) -> str:
        needed = "a person reviews this plan" if self.review_required else "applied without review"
        return f"Approval policy `{self.policy}`: {needed}, since {self.reason}."


def decide(stack: Stack, destroying: list[str]) -> ApprovalDecision:
    """The review rule for a plan of ``stack`` that destroys or replaces ``destroying``."""
    policy = stack.approval
    if stack.account.production:
        return ApprovalDecision(policy, True, f"account {stack.account.name!r} is production")
    if policy != AUTO_WHEN_NO_DESTROY:
        return ApprovalDecision(policy, True, f"the stack's policy is {policy!r}")
    if destroying:
        shown = ", ".join(destroying[:5]) + (
            f" and {len(destroying) - 5} more" if len(destroying) > 5 else ""
        )
        return ApprovalDecision(policy, True, f"the plan destroys or replaces {shown}")
    return ApprovalDecision(policy, False, "the plan destroys and replaces nothing")


def approver(approval: dict | None, not_before: str | datetime, what: str) -> str:
    """Who approved ``what``; raises ``NotApproved`` unless it is an Approve given after ``not_before``.

    ``not_before`` is when the reviewed material was made: an answer older than that was given
    for something else (a re-made plan, an earlier check), so it does not count.
    """
    if not approval or approval.get("chosen_options") != ["Approve"]:
        raise NotApproved(f"{what} was not approved; nothing was changed")
    responded_at = as_datetime(approval.get("responded_at"))
    if responded_at is None or responded_at < as_datetime(not_before):
        raise NotApproved(f"the approval predates {what} (it was made again); a new review is needed")
    user = approval.get("responded_by_user") or approval.get("responded_by") or {}
    return user.get("name") if isinstance(user, dict) else str(user)


def as_datetime(value) -> datetime | None:
    """An aware datetime from an ISO string (``Z`` or offset; naive means UTC) or a datetime."""
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
