"""Invalidation paths, the state output reader and the CloudFront calls, as plain functions."""

from __future__ import annotations

import botocore.session
import jsonschema
import pytest
from platform_ops.cdn import paths
from platform_ops.cdn.distributions import output_value
from platform_ops.cdn.steps import InvalidationRefused, check_approved


@pytest.mark.parametrize(
    "good", [["/"], ["/*"], ["/index.html", "/img/*"], ["/a%20b"], [f"/p{i}" for i in range(3000)]]
)
def test_paths_cloudfront_accepts_pass_both_checks(good):
    assert paths.path_errors(good) == []
    jsonschema.validate(good, paths.PATHS_SCHEMA)


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        (["index.html"], "must start with /"),
        (["/img/*.png"], "only at the end"),
        (["/**"], "only at the end"),
        (["/a b"], "URL-encode"),
        (["/café"], "URL-encode"),
        (["/a", "/a"], "repeat"),
        ([], "non-empty"),
        ([f"/p{i}" for i in range(3001)], "at most 3000"),
        (["/" + "a" * 4000], "longer than 4000"),
    ],
)
def test_paths_cloudfront_refuses_fail_both_checks(bad, why):
    assert any(why in error for error in paths.path_errors(bad)), paths.path_errors(bad)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, paths.PATHS_SCHEMA)


def test_the_output_is_read_from_the_states_outputs():
    state = {"outputs": {"assets": {"value": {"distribution_id": "E123"}, "type": ["object", {}]}}}
    assert output_value(state, "assets.distribution_id") == "E123"
    with pytest.raises(KeyError, match="not in state"):
        output_value({"outputs": {}}, "assets.distribution_id")
    with pytest.raises(KeyError, match="no 'bucket'"):
        output_value(state, "assets.bucket")


def test_a_gated_invalidation_needs_an_approve_given_after_it_was_prepared():
    target = {
        "needs_approval": True,
        "why": "a full invalidation",
        "prepared_at": "2026-12-01T10:00:00+00:00",
    }
    approve = {"chosen_options": ["Approve"], "responded_at": "2026-12-01T10:05:00+00:00",
               "responded_by_user": {"name": "ops"}}  # fmt: skip
    assert check_approved(target, approve) == "ops"
    assert check_approved({**target, "needs_approval": False}, None) is None
    for refused in (
        None,
        {**approve, "chosen_options": ["Reject"]},
        {**approve, "responded_at": "2026-12-01T09:00:00Z"},
    ):
        with pytest.raises(InvalidationRefused):
            check_approved(target, refused)


def test_the_calls_match_botocores_cloudfront_model():
    model = botocore.session.get_session().get_service_model("cloudfront")
    batch = model.operation_model("CreateInvalidation").input_shape.members["InvalidationBatch"]
    assert set(batch.required_members) == {"Paths", "CallerReference"}
    assert (
        set(batch.members["Paths"].required_members) == {"Quantity"}
        and "Items" in batch.members["Paths"].members
    )
    get = model.operation_model("GetInvalidation").input_shape
    assert set(get.required_members) == {"DistributionId", "Id"}
    waiter = botocore.session.get_session().get_waiter_model("cloudfront").get_waiter("InvalidationCompleted")
    assert waiter.operation == "GetInvalidation"
    assert [a.expected for a in waiter.acceptors] == [
        "Completed"
    ]  # AWS's casing, which moto's stock answer lacks
    assert paths.caller_reference("cdn_invalidation", "manual__1") == "cdn_invalidation__manual__1"
