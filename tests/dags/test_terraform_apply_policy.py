"""terraform_apply's approval policy per stack, end to end with the real terraform binary.

The seed's CI/CD applies staging automatically and production only after a manual approval. The
registry copy used here adds two stacks of the platform-core code: one in the staging account with
``approval: auto_when_no_destroy`` and one in the production account (``required``, the only
policy a production stack may have).
"""

from __future__ import annotations

import json

import pytest
from platform_ops.aws.artifacts import safe_run_id
from platform_ops.local.clients import account_client
from platform_ops.registry import DEFAULT_REGISTRY, registry

from tests.dagrun import run_dag, task_states
from tests.terraform.state_tools import approval_body

# Terraform needs the state buckets and lock tables, the DAG the artifacts bucket and the topic.
pytestmark = pytest.mark.seeds("seed_shared_services", "seed_terraform_state")

STAGING, PRODUCTION = "core-staging", "core-production"


@pytest.fixture
def policy_registry(tmp_path, monkeypatch):
    """The shipped registry plus the two stacks; requested before ``aws`` so the seed sees them."""
    raw = json.loads(DEFAULT_REGISTRY.read_text())
    core = {"path": "terraform/stacks/platform-core", "region": "eu-west-1", "drift_check": False}
    raw["stacks"][STAGING] = {**core, "account": "staging", "approval": "auto_when_no_destroy",
                              "vars": {"environment": "staging"}}  # fmt: skip
    raw["stacks"][PRODUCTION] = {**core, "account": "production", "vars": {"environment": "production"}}
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(raw))
    monkeypatch.setenv("PLATFORM_OPS_REGISTRY", str(path))
    return path


def _record(endpoint: str, stack: str, name: str, run: str = "") -> dict:
    """The artifact ``name`` of the stack's plan (of run ``run`` when given)."""
    s3 = account_client(endpoint, "shared-services", "s3")
    bucket = registry().artifacts_bucket
    prefix = f"terraform/plans/{stack}/{safe_run_id(run)}" if run else f"terraform/plans/{stack}/"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]]
    key = next(k for k in keys if k.endswith(f"/{name}"))
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def _buckets(endpoint: str, account: str) -> list[str]:
    return [b["Name"] for b in account_client(endpoint, account, "s3").list_buckets()["Buckets"]]


def test_staging_applies_without_review_unless_the_plan_replaces(airflow_db, policy_registry, aws):
    # Should the gate open by mistake, the answerer rejects it and the asserts below fail.
    with pytest.raises(AssertionError, match="never reached awaiting_input"):
        run_dag("terraform_apply", conf={"stack": STAGING}, answers={"approve": "Reject"})
    (dag_run,) = _runs()
    states = task_states(dag_run)
    assert states["approve"] == "skipped" and states["auto_approved"] == "success", states
    assert states["apply"] == "success" and str(dag_run.state) == "success", states
    applied = _buckets(aws, "staging")
    assert "platform-core-333333333333-eu-west-1" in applied
    record = _record(aws, STAGING, "apply-record.json")
    assert record["approved_by"] is None
    assert record["approval"] == {"policy": "auto_when_no_destroy", "review_required": False,
                                  "reason": "the plan destroys and replaces nothing", "approved_by": None}  # fmt: skip

    # A rename replaces the bucket and the role: the same stack now waits for a person.
    conf = {"stack": STAGING, "vars": {"name_prefix": "renamed-core"}, "allow_destroy": True}
    dag_run = run_dag("terraform_apply", conf=conf, answers={"approve": "Reject"})
    states = task_states(dag_run)
    assert states["auto_approved"] == "skipped" and states["approve"] == "success", states
    assert states["apply"] == "skipped", states
    review = _record(aws, STAGING, "plan-summary.json", run=dag_run.run_id)
    assert review["approval"]["review_required"] is True
    assert review["approval"]["reason"].startswith("the plan destroys or replaces aws_"), review["approval"]
    assert _buckets(aws, "staging") == applied  # rejected: nothing replaced


def test_a_production_plan_waits_for_a_person(airflow_db, policy_registry, aws):
    dag_run = run_dag("terraform_apply", conf={"stack": PRODUCTION}, answers={"approve": "Reject"})
    states = task_states(dag_run)
    assert states["auto_approved"] == "skipped" and states["approve"] == "success", states
    assert states["apply"] == "skipped", states
    review = _record(aws, PRODUCTION, "plan-summary.json")
    assert review["approval"] == {"policy": "required", "review_required": True,
                                  "reason": "account 'production' is production"}  # fmt: skip
    assert "platform-core-222222222222-eu-west-1" not in _buckets(aws, "production")
    body = approval_body(dag_run)
    assert "Approval policy `required`: a person reviews this plan, since account 'production' is production." in body


def _runs():
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        runs = (
            session.query(DagRun).filter(DagRun.dag_id == "terraform_apply").order_by(DagRun.id.desc()).all()
        )
        session.expunge_all()
    return runs[:1]
