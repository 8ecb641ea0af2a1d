"""The wait for a CloudFront invalidation: botocore's own ``InvalidationCompleted`` waiter, deferred.

CloudFront sends no EventBridge event when an invalidation completes, and the Amazon provider has
no CloudFront trigger, so this is the smallest honest wait: the provider's generic
``AwsBaseWaiterTrigger`` running botocore's waiter (GetInvalidation until ``Completed``) in the
triggerer. botocore's defaults are 20 s between calls and 30 attempts (10 minutes); the DAG
allows more attempts because CloudFront documents invalidations of up to 10-15 minutes.
"""

from __future__ import annotations

from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook
from airflow.providers.amazon.aws.triggers.base import AwsBaseWaiterTrigger


class InvalidationCompletedTrigger(AwsBaseWaiterTrigger):
    def __init__(
        self,
        *,
        distribution_id: str,
        invalidation_id: str,
        aws_conn_id: str | None,
        region_name: str | None = "us-east-1",
        waiter_delay: int = 20,
        waiter_max_attempts: int = 90,
    ):
        super().__init__(
            serialized_fields={"distribution_id": distribution_id, "invalidation_id": invalidation_id},
            waiter_name="invalidation_completed",
            waiter_args={"DistributionId": distribution_id, "Id": invalidation_id},
            failure_message="CloudFront invalidation failed",
            status_message="CloudFront invalidation status",
            status_queries=["Invalidation.Status"],
            return_key="invalidation_id",
            return_value=invalidation_id,
            waiter_delay=waiter_delay,
            waiter_max_attempts=waiter_max_attempts,
            aws_conn_id=aws_conn_id,
            region_name=region_name,
        )

    def hook(self) -> AwsBaseHook:
        return AwsBaseHook(
            aws_conn_id=self.aws_conn_id, region_name=self.region_name, client_type="cloudfront"
        )
