"""Step Functions tasks in the local AWS act in the account of the role they run as.

Stock moto 5.2 builds every Task state's boto client (aws-sdk and optimized integrations, Lambda,
the ``.sync`` polls, Map ItemReader/ResultWriter) with one fixed access key, so every call lands in
moto's default account (123456789012): ``Credentials.RoleArn`` is recorded in the history and then
ignored, and so is the execution role. ``install()`` patches moto in the server process so that

- a state with ``Credentials`` calls as that role: STS AssumeRole against this same moto, whose
  temporary access key moto maps to the role's account. The snapshot a ``SourceAccount`` task
  creates is in production, the restore a ``DestinationAccount`` task makes is in staging;
- a state without ``Credentials`` calls as the machine's execution role, so in the execution
  role's account. In AWS that is the machine's own account (CreateStateMachine passes the role
  with ``iam:PassRole``, which passes the caller's own roles only); moto accepts any role ARN
  there, and the task then runs in whatever account that ARN names;
- a ``Credentials`` role in an account the local AWS does not have (one not in the environment
  registry, read once per server) fails the task with ``States.TaskFailed`` before any call, as
  AWS's AssumeRole refuses a role that does not exist; Retry and Catch see it. AWS documents no
  error name for this case: ``States.TaskFailed`` is our choice, the cause names
  ``sts:AssumeRole`` and the role.

What this does not model: moto enforces no IAM. In AWS the target role's trust policy must allow
the execution role (optionally with an ``sts:ExternalId`` condition; this patch sends none), the
execution role needs ``sts:AssumeRole`` on the target and the target role needs every action its
tasks call; here any role in a known account can be assumed, existing or not, and may do
everything. The IAM side is proven by the IAM/ASL cross-check, not by this patch.

Assumed credentials are cached per role and region, and re-assumed once a moto reset has dropped
their access key.
"""

from __future__ import annotations

import re
import threading
from functools import cache

ROLE_SESSION_NAME = "platform-ops-sfn-task"
_ROLE_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/")
_credentials: dict[tuple[str, str], dict] = {}
_lock = threading.Lock()


def role_account(role_arn: str) -> str | None:
    """The account id of an IAM role ARN, None when ``role_arn`` is no role ARN."""
    match = _ROLE_ACCOUNT.match(role_arn or "")
    return match.group(1) if match else None


@cache
def known_accounts() -> frozenset[str]:
    """The accounts of the local AWS: those of the environment registry."""
    from platform_ops.registry import registry

    return frozenset(account.account_id for account in registry().accounts())


def _still_valid(creds: dict, account_id: str) -> bool:
    from moto.iam.models import get_account_id_from

    return get_account_id_from(creds["AccessKeyId"]) == account_id


def assumed_credentials(role_arn: str, region: str, sts_client_for) -> dict:
    """AssumeRole(``role_arn``) on the local STS, cached until a reset drops the key."""
    account_id = role_account(role_arn)
    key = (role_arn, region)
    with _lock:
        creds = _credentials.get(key)
        if creds is None or not _still_valid(creds, account_id):
            sts = sts_client_for(region)
            creds = sts.assume_role(RoleArn=role_arn, RoleSessionName=ROLE_SESSION_NAME)["Credentials"]
            _credentials[key] = creds
        return creds


def _refused(env, role_arn: str):
    from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

    cause = (
        f"{env.aws_execution_details.role_arn} is not authorized to perform: sts:AssumeRole on resource: "
        f"{role_arn} (no such account in the local AWS)"
    )
    return FailureEventException(
        FailureEvent(
            env=env,
            error_name=StatesErrorName(typ=StatesErrorNameType.StatesTaskFailed),
            event_type=HistoryEventType.TaskFailed,
            event_details=EventDetails(
                taskFailedEventDetails=TaskFailedEventDetails(
                    error=StatesErrorNameType.StatesTaskFailed.to_name(), cause=cause
                )
            ),
        )
    )


def install() -> None:
    """Patch moto's Step Functions client factory and Credentials evaluation (idempotent)."""
    import sys

    import boto3
    from botocore.config import Config
    from moto.core.models import botocore_stubber
    from moto.settings import moto_server_port
    from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import TimeoutSeconds
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import (
        credentials as credentials_module,
    )
    from moto.stepfunctions.parser.asl.utils import boto_client

    original = boto_client.boto_client_for
    if getattr(original, "_platform_ops_patched", False):
        return
    client_config = Config(  # moto's: no retries, no parameter validation, Step Functions' timeouts
        parameter_validation=False,
        retries={"max_attempts": 0, "total_max_attempts": 1},
        connect_timeout=TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS,
        read_timeout=TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS,
    )

    def sts_client_for(region: str):
        return original(region=region, service="sts")

    def boto_client_for(region: str, service: str, state_credentials=None):
        role_arn = getattr(state_credentials, "role_arn", None)
        if role_account(role_arn) is None:
            return original(region=region, service=service, state_credentials=state_credentials)
        creds = assumed_credentials(role_arn, region, sts_client_for)
        return boto3.client(
            service_name=service,
            region_name=region,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            # as moto's own factory: its server on MOTO_PORT, unless moto intercepts in-process
            endpoint_url=None if botocore_stubber.enabled else f"http://localhost:{moto_server_port()}",
            config=client_config,
        )

    boto_client_for._platform_ops_patched = True
    boto_client.boto_client_for = boto_client_for
    # Every module that imported the factory by name keeps its own reference: replace those too.
    for name, module in list(sys.modules.items()):
        if name.startswith("moto.stepfunctions.") and getattr(module, "boto_client_for", None) is original:
            module.boto_client_for = boto_client_for

    original_eval = credentials_module.Credentials._eval_body

    def _eval_body(self, env) -> None:
        original_eval(self, env)
        role_arn = env.stack[-1].role_arn
        if role_account(role_arn) not in known_accounts():
            env.stack.pop()
            raise _refused(env, role_arn)

    credentials_module.Credentials._eval_body = _eval_body
