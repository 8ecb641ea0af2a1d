"""
cdn_invalidation: invalidate paths of a CloudFront distribution, wait until done, record it.

### cdn_invalidation
Replaces `aws cloudfront create-invalidation --paths "/*"` by hand. **Manual only.**

1. `prepare`: the paths are checked again (leading `/`, at most 3,000, `*` only at the end);
   the distribution's id is read from its stack's output (registry `cdn.distributions`: the
   `data` stack's `assets.distribution_id`), then GetDistribution.
2. `route`: `/*` on a production distribution goes to `approve`; anything else straight on.
3. `approve` (HITL, only for `/*` on production: a full invalidation costs and sends every
   request to the origin until the caches are warm): no answer within the timeout is **Reject**,
   and a rejected run invalidates nothing.
4. `invalidate`: CreateInvalidation with the caller reference `cdn_invalidation__<run id>` (a
   retry gets the same invalidation), then a deferred wait until CloudFront says `Completed`.
5. `record`: the invalidation, its paths and who approved.

**Params:** `distribution` (one of the registry's distributions), `paths` (1 to 3,000 paths).
**Leaves:** `s3://<artifacts>/cdn/invalidations/<distribution>/<run id>/invalidation.json`.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.hitl import ApprovalOperator
from airflow.sdk import Param, TriggerRule, chain, task
from platform_ops.cdn.operators import InvalidationOperator
from platform_ops.cdn.paths import PATHS_SCHEMA
from platform_ops.dag_defaults import platform_dag
from platform_ops.registry import registry

REGISTRY = registry()
DISTRIBUTIONS = REGISTRY.distribution_names()

with platform_dag(
    "cdn_invalidation",
    __doc__,
    description="Invalidate CloudFront paths (approval for /* on production)",
    schedule=None,
    tags=["cloudfront", "platform"],
    params={
        "distribution": Param(
            DISTRIBUTIONS[0] if DISTRIBUTIONS else "",
            type="string",
            enum=DISTRIBUTIONS,
            description="Distribution by registry name; its id comes from its stack's output.",
        ),
        "paths": Param(
            ["/index.html"],
            **PATHS_SCHEMA,
            description="Paths to invalidate: each starts with /, * only at the end, at most 3,000.",
        ),
    },  # fmt: skip
) as dag:

    @task(retries=0)
    def prepare(params=None) -> dict:
        from platform_ops.cdn.steps import prepare

        return prepare(params["distribution"], params["paths"])

    @task.branch
    def route(target: dict) -> str:
        return "approve" if target["needs_approval"] else "no_approval_needed"

    approve = ApprovalOperator(
        task_id="approve",
        subject="Invalidate /* on {{ params.distribution }} (production)?",
        body="{{ ti.xcom_pull(task_ids='prepare')['summary'] }}",
        defaults=["Reject"],
        response_timeout=timedelta(hours=REGISTRY.terraform.approval_timeout_hours),
        retries=0,
    )
    no_approval = EmptyOperator(task_id="no_approval_needed")

    target = prepare()
    invalidate = InvalidationOperator(
        task_id="invalidate", target=target, trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS
    )

    @task
    def record(result: dict, run_id=None) -> str:
        from platform_ops.cdn.steps import record

        return record(result, run_id)

    chain(route(target), [approve, no_approval], invalidate)
    record(invalidate.output)
