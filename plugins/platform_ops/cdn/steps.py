"""Task bodies of ``cdn_invalidation``: resolve and check, the approval rule, the record."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from platform_ops.cdn import distributions
from platform_ops.cdn import paths as cdn_paths

log = logging.getLogger(__name__)


class InvalidationRefused(RuntimeError):
    """The invalidation is not made: bad paths, or a full invalidation of production without approval."""


def prepare(distribution: str, paths: list[str]) -> dict[str, Any]:
    """The distribution's live id and the checked paths; whether a person must approve first."""
    errors = cdn_paths.path_errors(paths)
    if errors:
        raise InvalidationRefused("; ".join(errors))
    target = distributions.resolve(distribution)
    needs_approval = target["production"] and cdn_paths.is_full(paths)
    return {
        **target,
        "paths": list(paths),
        "needs_approval": needs_approval,
        "why": "a full invalidation (/*) of a production distribution" if needs_approval else "",
        "prepared_at": datetime.now(UTC).isoformat(),
        "summary": approval_summary({**target, "paths": paths}) if needs_approval else "",
    }


def approval_summary(target: dict) -> str:
    return (
        f"**Invalidate `/*` on {target['name']}** ({target['id']}, {target['domain_name']}, production).\n\n"
        "Every edge location drops every cached object: the origin then serves every request until "
        "the caches are warm again, and you pay the origin's traffic. Approve only if a narrower "
        "path list cannot do."
    )


def check_approved(target: dict, approval: dict | None) -> str | None:
    """Who approved (None when no approval is needed); raises unless an Approve came after ``prepare``."""
    if not target["needs_approval"]:
        return None
    if not approval or approval.get("chosen_options") != ["Approve"]:
        raise InvalidationRefused(
            f"{target['why']} needs an approval; none was given, nothing was invalidated"
        )
    responded = datetime.fromisoformat(str(approval.get("responded_at")).replace("Z", "+00:00"))
    if responded < datetime.fromisoformat(target["prepared_at"]):
        raise InvalidationRefused("the approval predates this request; nothing was invalidated")
    user = approval.get("responded_by_user") or approval.get("responded_by") or {}
    return user.get("name") if isinstance(user, dict) else str(user)


def record(result: dict[str, Any], run_id: str) -> str:
    """``s3://<artifacts>/cdn/invalidations/<distribution>/<run id>/invalidation.json``, written once."""
    from platform_ops.aws.access import aws_client
    from platform_ops.aws.artifacts import safe_run_id
    from platform_ops.evidence.writer import EvidenceStore
    from platform_ops.registry import registry

    reg = registry()
    store = EvidenceStore(aws_client(reg.artifacts_account, "s3", reg.artifacts_region), reg.artifacts_bucket)
    key = f"cdn/invalidations/{result['distribution']}/{safe_run_id(run_id)}/invalidation.json"
    store.put_json(key, result, immutable=True)
    log.info("recorded s3://%s/%s", reg.artifacts_bucket, key)
    return f"s3://{reg.artifacts_bucket}/{key}"
