"""cdn_invalidation end to end: dag.test() against the local AWS (CloudFront in the patched moto:
an invalidation is InProgress when created and Completed when read back, see local/moto_cloudfront).

The approval gate is answered through the core API's hitlDetails route, as a person in the UI would.
"""

from __future__ import annotations

import json

import pytest
from platform_ops.cdn.distributions import resolve
from platform_ops.local.clients import account_client
from platform_ops.registry import registry

from tests.dagrun import assert_refused_before_a_run_exists, run_dag, task_states


def _invalidations(endpoint: str, distribution_id: str) -> list[dict]:
    cloudfront = account_client(endpoint, "production", "cloudfront", "us-east-1")
    listing = cloudfront.list_invalidations(DistributionId=distribution_id)["InvalidationList"]
    return [
        cloudfront.get_invalidation(DistributionId=distribution_id, Id=item["Id"])["Invalidation"]
        for item in listing.get("Items") or []
    ]


def _record(endpoint: str, dag_run) -> dict:
    from platform_ops.aws.artifacts import safe_run_id

    s3 = account_client(endpoint, "shared-services", "s3")
    key = f"cdn/invalidations/assets/{safe_run_id(dag_run.run_id)}/invalidation.json"
    return json.loads(s3.get_object(Bucket=registry().artifacts_bucket, Key=key)["Body"].read())


def test_paths_are_invalidated_waited_for_and_recorded(airflow_db, aws):
    distribution_id = resolve("assets")["id"]  # from the data stack's output in its state
    dag_run = run_dag("cdn_invalidation", conf={"distribution": "assets", "paths": ["/index.html", "/img/*"]})
    states = task_states(dag_run)
    assert str(dag_run.state) == "success", states
    assert states["approve"] == "skipped"  # no /*: no gate
    (made,) = _invalidations(aws, distribution_id)
    assert made["Status"] == "Completed" and made["InvalidationBatch"]["Paths"]["Items"] == [
        "/index.html",
        "/img/*",
    ]
    assert made["InvalidationBatch"]["CallerReference"] == f"cdn_invalidation__{dag_run.run_id}"
    record = _record(aws, dag_run)
    assert record["invalidation_id"] == made["Id"] and record["status"] == "Completed"
    assert record["distribution_id"] == distribution_id and record["approval"] == {
        "required": False,
        "approved_by": None,
    }


@pytest.mark.parametrize(("answer", "applied"), [("Approve", True), ("Reject", False)])
def test_full_invalidation_of_production_waits_for_approval(airflow_db, aws, answer, applied):
    assert registry().distribution("assets").production
    distribution_id = resolve("assets")["id"]
    dag_run = run_dag(
        "cdn_invalidation", conf={"distribution": "assets", "paths": ["/*"]}, answers={"approve": answer}
    )
    states = task_states(dag_run)
    assert states["approve"] == "success" and states["no_approval_needed"] == "skipped"
    made = _invalidations(aws, distribution_id)
    if applied:
        assert states["invalidate"] == "success" and [
            m["InvalidationBatch"]["Paths"]["Items"] for m in made
        ] == [["/*"]]
        assert _record(aws, dag_run)["approval"]["required"] is True
        assert _record(aws, dag_run)["approval"]["approved_by"]
    else:
        assert states["invalidate"] == "skipped" and made == []


@pytest.mark.parametrize(
    "conf",
    [
        {"distribution": "no-such-cdn", "paths": ["/a"]},
        {"distribution": "assets", "paths": ["index.html"]},
        {"distribution": "assets", "paths": ["/img/*.png"]},
        {"distribution": "assets", "paths": ["/a b"]},
        {"distribution": "assets", "paths": []},
        {"distribution": "assets", "paths": "/*"},
        {"distribution": "assets", "paths": [f"/p{i}" for i in range(3001)]},
    ],
)
def test_bad_params_are_refused_before_a_run_exists(airflow_db, conf):
    assert_refused_before_a_run_exists("cdn_invalidation", conf)
