"""The local AWS's CloudFront invalidations behave as AWS's do (local/moto_cloudfront)."""

from __future__ import annotations

from platform_ops.cdn.distributions import resolve
from platform_ops.local.clients import account_client


def test_an_invalidation_is_in_progress_then_completed_and_its_reference_is_idempotent(aws):
    distribution_id = resolve("assets")["id"]  # also proves the seeded state output points at it
    cloudfront = account_client(aws, "production", "cloudfront", "us-east-1")
    batch = {"Paths": {"Quantity": 1, "Items": ["/a"]}, "CallerReference": "ref-1"}
    created = cloudfront.create_invalidation(DistributionId=distribution_id, InvalidationBatch=batch)[
        "Invalidation"
    ]
    assert created["Status"] == "InProgress"
    read = cloudfront.get_invalidation(DistributionId=distribution_id, Id=created["Id"])["Invalidation"]
    assert read["Status"] == "Completed"
    again = cloudfront.create_invalidation(DistributionId=distribution_id, InvalidationBatch=batch)[
        "Invalidation"
    ]
    assert again["Id"] == created["Id"]
    other = {**batch, "Paths": {"Quantity": 1, "Items": ["/b"]}}
    assert (
        cloudfront.create_invalidation(DistributionId=distribution_id, InvalidationBatch=other)[
            "Invalidation"
        ]["Id"]
        != created["Id"]
    )
