"""terraform_apply's fail-fast policy: built from the exception classes, and it survives serialisation.

A rename of one of those classes must not silently turn "fail at once" into "retry": the policy
holds the classes themselves, and the dotted paths Airflow serialises are derived from them.
"""

from __future__ import annotations

import pytest
from airflow.sdk import RetryAction
from airflow.sdk.definitions.retry_policy import ExceptionRetryPolicy
from platform_ops.dag_defaults import fail_fast_policy
from platform_ops.terraform.retry import TERRAFORM_NO_RETRY, terraform_no_retry_policy

from tests.dagrun import REPO


@pytest.mark.parametrize("task_id", ["plan", "apply"])
def test_plan_and_apply_fail_at_once_on_every_listed_error(task_id):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO / "dags" / "terraform_apply.py"))
    assert not bag.import_errors, bag.import_errors
    policy = bag.dags["terraform_apply"].get_task(task_id).retry_policy
    for error in TERRAFORM_NO_RETRY:
        assert policy.evaluate(error("boom"), try_number=1, max_tries=2).action == RetryAction.FAIL, error
    assert policy.evaluate(RuntimeError("transient"), try_number=1, max_tries=2).action != RetryAction.FAIL


def test_serialised_policy_names_importable_classes():
    restored = ExceptionRetryPolicy.deserialize(terraform_no_retry_policy().serialize())
    for error in TERRAFORM_NO_RETRY:
        assert restored.evaluate(error("boom"), try_number=1, max_tries=2).action == RetryAction.FAIL, error


def test_fail_fast_policy_refuses_dotted_strings():
    with pytest.raises(TypeError, match="exception classes"):
        fail_fast_policy("platform_ops.terraform.lease.StackBusyError", reason="x")
