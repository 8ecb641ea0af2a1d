"""State locks: where terraform puts them here, when one is stale, and the lock a restore holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from platform_ops.local.clients import account_client
from platform_ops.registry import registry
from platform_ops.terraform.cli import StateLockedError
from platform_ops.terraform.lease import Lease
from platform_ops.terraform.state_locks import (
    HELD_BY_RUN,
    RECENT,
    STALE,
    StateLock,
    classify,
    holding_state_lock,
    lock_key,
    read_lock,
)
from platform_ops.terraform.workspace import backend_config, stack_workspace

from tests.stacks import account_credentials

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LOCK = StateLock(stack="core", id="abbab04e-8445-3321-de38-0220903054a5", operation="OperationTypeApply",
                 who="alice@laptop", version="1.11.4", created=(NOW - timedelta(hours=3)).isoformat(), path="b/k")  # fmt: skip
HOUR = 3600


def _lease(dag_id: str = "terraform_apply", expires_in: int = 600) -> Lease:
    return Lease(holder="manual__x", dag_id=dag_id, acquired=0, expires=int(NOW.timestamp()) + expires_in)


def test_every_stack_locks_in_s3_only():
    """The lock listing reads ``<key>.tflock``: a backend that locked in DynamoDB too must change it."""
    for name in registry().stack_names():
        config = backend_config(registry().stack(name))
        assert "use_lockfile = true" in config and "dynamodb_table" not in config, config


def test_a_lock_is_stale_only_when_old_and_no_running_run_accounts_for_it():
    running = lambda dag_id, run_id: True  # noqa: E731
    finished = lambda dag_id, run_id: False  # noqa: E731
    assert classify(LOCK, _lease(), running, NOW, HOUR).status == HELD_BY_RUN
    status = classify(LOCK, _lease(), finished, NOW, HOUR)
    assert (
        status.status == STALE
        and status.reason == "3h 00m old and the lease holder terraform_apply/manual__x is not running"
    )
    assert classify(LOCK, None, finished, NOW, HOUR).reason == "3h 00m old and no Airflow run holds the stack"
    assert classify(LOCK, None, finished, NOW, 4 * HOUR).status == RECENT
    # A lease that does not say its DAG protects the lock while it lasts, and only then.
    assert classify(LOCK, _lease(dag_id=""), finished, NOW, HOUR).status == HELD_BY_RUN
    assert classify(LOCK, _lease(dag_id="", expires_in=-1), finished, NOW, HOUR).status == STALE


def test_a_restore_holds_the_lock_as_terraform_would_and_terraform_waits_for_it(aws):
    stack = registry().stack("platform-core")
    s3 = account_client(aws, stack.account.name, "s3")
    with holding_state_lock(stack, s3, who="platform-ops restore-run", operation="state-restore") as held:
        assert read_lock(stack, s3).as_terraform() == held.as_terraform()
        with pytest.raises(StateLockedError, match="platform-ops restore-run"):
            with holding_state_lock(stack, s3, who="another", operation="state-restore"):
                pass
        with stack_workspace(stack, account_credentials(aws, stack.account.name), aws) as tf:
            with pytest.raises(StateLockedError, match="Who=platform-ops restore-run"):
                tf.plan("tfplan", variables=stack.vars)  # the real terraform sees it as a held lock
    assert read_lock(stack, s3) is None

    with holding_state_lock(stack, s3, who="me", operation="state-restore"):
        s3.delete_object(Bucket=stack.state_bucket, Key=lock_key(stack))
        s3.put_object(Bucket=stack.state_bucket, Key=lock_key(stack), Body=b'{"ID": "someone-else"}')
    assert read_lock(stack, s3).id == "someone-else"  # a lock that is no longer ours is left alone
