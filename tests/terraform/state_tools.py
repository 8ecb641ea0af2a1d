"""Test tools for the state DAGs: a lock the real terraform leaves behind, and a record of calls.

``dead_apply_lock`` starts ``terraform apply`` on a stack (no ``-auto-approve``: it takes the
state lock at once and then waits at its prompt), waits until the lock object is in S3, and kills
the process group with SIGKILL, as a crashed laptop or a lost worker would: terraform gets no
chance to unlock, so the ``.tflock`` it wrote stays, exactly as terraform wrote it.

``recorded_calls`` records every AWS API call made in this process (``dag.test()`` runs tasks
in process) and every terraform subcommand, so a dry run can be shown to mutate nothing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from contextlib import contextmanager

from botocore.client import BaseClient
from platform_ops.local.clients import account_client
from platform_ops.registry import registry
from platform_ops.terraform.cli import TerraformCli
from platform_ops.terraform.state_locks import lock_key
from platform_ops.terraform.workspace import stack_workspace

from tests.stacks import account_credentials
from tests.waiting import wait_until

READ_ONLY = ("Get", "List", "Head", "Describe", "Scan", "Query", "AssumeRole", "GetCallerIdentity")
# plan is not read-only: it writes and deletes the state lock object.
READ_ONLY_TERRAFORM = {"init", "show", "output", "validate", "version"}


def read_lock_object(endpoint: str, stack_name: str) -> dict | None:
    stack = registry().stack(stack_name)
    s3 = account_client(endpoint, stack.account.name, "s3", stack.region)
    try:
        return json.loads(s3.get_object(Bucket=stack.state_bucket, Key=lock_key(stack))["Body"].read())
    except s3.exceptions.NoSuchKey:
        return None


def dead_apply_lock(endpoint: str, stack_name: str) -> dict:
    """Leave the lock of a killed ``terraform apply`` on the stack; returns its lock info."""
    stack = registry().stack(stack_name)
    with stack_workspace(stack, account_credentials(endpoint, stack.account.name), endpoint) as tf:
        argv = tf.argv("apply", input=True, lock_timeout="0s", var=None)
        proc = subprocess.Popen(argv, cwd=tf.workdir, env=tf.env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        try:
            info = wait_until(
                lambda: read_lock_object(endpoint, stack_name), "terraform apply to take the lock"
            )
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            proc.stdin.close()
    return info


@contextmanager
def recorded_calls():
    """``{"aws": [operation, ...], "terraform": [subcommand, ...]}`` made while inside."""
    calls: dict[str, list[str]] = {"aws": [], "terraform": []}
    make_api_call = BaseClient._make_api_call
    run_once = TerraformCli._run_once

    def recording_api_call(self, operation_name, api_params):
        calls["aws"].append(operation_name)
        return make_api_call(self, operation_name, api_params)

    def recording_run_once(self, argv, *args, **kwargs):
        calls["terraform"].append(argv[1])
        return run_once(self, argv, *args, **kwargs)

    BaseClient._make_api_call, TerraformCli._run_once = recording_api_call, recording_run_once
    try:
        yield calls
    finally:
        BaseClient._make_api_call, TerraformCli._run_once = make_api_call, run_once


def mutating(calls: dict[str, list[str]]) -> list[str]:
    """The calls that could change something: AWS writes and terraform commands that write."""
    aws = [op for op in calls["aws"] if not op.startswith(READ_ONLY)]
    return aws + [f"terraform {cmd}" for cmd in calls["terraform"] if cmd not in READ_ONLY_TERRAFORM]


def approval_body(dag_run) -> str:
    """The markdown the run's Required Action page showed the reviewer (its one HITL task)."""
    from airflow.models.hitl import HITLDetail
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        return (
            session.query(HITLDetail.body)
            .join(TaskInstance, HITLDetail.ti_id == TaskInstance.id)
            .filter(TaskInstance.dag_id == dag_run.dag_id, TaskInstance.run_id == dag_run.run_id)
            .scalar()
        )

