"""The distribution id behind a registry name: the ``data`` stack's output, read at run time.

The DAG's ``distribution`` param is an enum of registry names (fixed at parse time, no AWS
call); the id only exists once the stack is applied and changes when the distribution is
replaced, so it is read from the state the stack's last apply wrote (the S3 backend object
``stacks/<stack>/terraform.tfstate``, its ``outputs``, which is what ``terraform output`` reads),
then checked with GetDistribution.
"""

from __future__ import annotations

import json
from typing import Any

from platform_ops.aws.access import aws_client
from platform_ops.registry import Distribution, registry

CLOUDFRONT_REGION = "us-east-1"  # CloudFront is global; its API lives in us-east-1


class DistributionError(RuntimeError):
    """The registry's distribution cannot be resolved to a live CloudFront distribution."""


def output_value(state: dict, dotted: str) -> Any:
    """``outputs.<first>.value`` then the rest of the dotted path (``assets.distribution_id``)."""
    first, *rest = dotted.split(".")
    outputs = state.get("outputs") or {}
    if first not in outputs:
        raise KeyError(f"output {first!r} not in state (outputs: {sorted(outputs)})")
    value = outputs[first].get("value")
    for part in rest:
        if not isinstance(value, dict) or part not in value:
            raise KeyError(f"output {dotted!r}: no {part!r}")
        value = value[part]
    return value


def resolve(name: str) -> dict[str, Any]:
    dist: Distribution = registry().distribution(name)
    stack = dist.stack
    s3 = aws_client(stack.account, "s3", stack.region)
    try:
        body = s3.get_object(Bucket=stack.state_bucket, Key=stack.state_key)["Body"].read()
        distribution_id = output_value(json.loads(body), dist.output)
    except Exception as err:
        raise DistributionError(
            f"distribution {name}: output {dist.output} of stack {stack.name} "
            f"(s3://{stack.state_bucket}/{stack.state_key}) is not readable: {err}. Apply the stack first."
        ) from err
    cloudfront = aws_client(stack.account, "cloudfront", CLOUDFRONT_REGION)
    found = cloudfront.get_distribution(Id=distribution_id)["Distribution"]
    return {
        "name": name,
        "id": distribution_id,
        "arn": found["ARN"],
        "domain_name": found["DomainName"],
        "account": stack.account.name,
        "production": dist.production,
    }
