"""Seed the local AWS with the ``data`` stack's CloudFront distribution and its output.

``cdn_invalidation`` reads the distribution id from the stack's state (``outputs.assets.value.
distribution_id``, the output of ``terraform/stacks/data``) and then calls GetDistribution. A
full apply of that stack (RDS, ECR, KMS, CloudFront...) takes far longer than a seed should, so this
seeder creates only the distribution and writes the state object a real apply would leave
there: a version-4 state with the stack's ``assets`` output and no resources (a plan of the
stack against it would create everything, as against an empty state).
"""

from __future__ import annotations

import json
import uuid

from platform_ops.local.clients import account_client
from platform_ops.registry import registry


def _distribution_config(bucket: str) -> dict:
    origin = f"s3-{bucket}"
    return {
        "CallerReference": f"platform-ops-local-{bucket}",
        "Comment": f"Assets from {bucket}",
        "Enabled": True,
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": origin,
                    "DomainName": f"{bucket}.s3.eu-west-1.amazonaws.com",
                    "S3OriginConfig": {"OriginAccessIdentity": ""},
                }
            ],
        },  # fmt: skip
        "DefaultCacheBehavior": {
            "TargetOriginId": origin,
            "ViewerProtocolPolicy": "redirect-to-https",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",  # AWS managed CachingOptimized
        },
    }


def seed_cdn(endpoint: str) -> None:
    reg = registry()
    for name in reg.distribution_names():
        dist = reg.distribution(name)
        stack = dist.stack
        bucket = f"platform-app-assets-{stack.account.account_id}"
        cloudfront = account_client(endpoint, stack.account.name, "cloudfront", "us-east-1")
        created = cloudfront.create_distribution(DistributionConfig=_distribution_config(bucket))[
            "Distribution"
        ]
        first, *rest = dist.output.split(".")
        value = {
            "bucket_id": bucket,
            "distribution_id": created["Id"],
            "distribution_domain_name": created["DomainName"],
        }
        if rest != ["distribution_id"]:
            raise ValueError(f"seed_cdn knows the storage module's outputs only, not {dist.output}")
        state = {
            "version": 4,
            "terraform_version": "1.10.0",
            "serial": 1,
            "lineage": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{stack.name}-{stack.account.account_id}")),
            "outputs": {first: {"value": value, "type": ["object", {k: "string" for k in value}]}},
            "resources": [],
            "check_results": None,
        }
        s3 = account_client(endpoint, stack.account.name, "s3", stack.region)
        s3.put_object(Bucket=stack.state_bucket, Key=stack.state_key, Body=json.dumps(state).encode())
