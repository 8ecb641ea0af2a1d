"""The contract between the DAG and the derived image's wrapper: command, environment, exit codes.

The image's ENTRYPOINT is the wrapper (``terraform/modules/sox-pg01/image``); the DAG only sets
the command (``reconcile`` or ``preflight``) and plain, non-secret environment variables. The
database connection string reaches the container only through the task definition's ``secrets``.
The wrapper cannot import this package, so a test checks that both sides use the same names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MODE_RECONCILE = "reconcile"
MODE_PREFLIGHT = "preflight"

ENV_COMPANY = "SOX_COMPANY"
ENV_PERIOD = "SOX_PERIOD"
ENV_CUTOFF = "SOX_CUTOFF_DATE"
ENV_IPES = "SOX_IPES"
ENV_EVIDENCE_URI = "SOX_EVIDENCE_URI"
ENV_DAG_RUN_ID = "SOX_DAG_RUN_ID"
ENV_TRY_NUMBER = "SOX_TRY_NUMBER"

# Exit codes: the CLI's own (0 SUCCESS/WARNING, 1 ERROR, 2 usage) pass through in reconcile mode;
# the connectivity probe's (2..5) pass through in preflight mode; the wrapper adds its own.
EXIT_NOT_READY = 10  # preflight: CR_04 has no live rows for the cutoff (close not loaded)
EXIT_WRAPPER_USAGE = 64  # the wrapper was started without its environment
EXIT_UPLOAD_FAILED = 75  # the job ran but its outputs could not be uploaded (retry)


@dataclass(frozen=True)
class ExitMeaning:
    reason: str
    retryable: bool


RECONCILE_EXITS = {
    1: ExitMeaning("the job ended in status ERROR (engine exception or parameter error; see errors[])", True),
    2: ExitMeaning("the job rejected its command line (argparse usage error): a DAG/image mismatch", False),
    EXIT_WRAPPER_USAGE: ExitMeaning("the wrapper was started without its SOX_* environment", False),
    EXIT_UPLOAD_FAILED: ExitMeaning("the job ran but its outputs could not be uploaded to S3", True),
}
PREFLIGHT_EXITS = {
    2: ExitMeaning(
        "no database configuration in the container: is the DB_CONNECTION_STRING secret set?", False
    ),
    3: ExitMeaning("ODBC driver/interface error: the connection string must use ODBC Driver 17", False),
    4: ExitMeaning(
        "no database path: pyodbc could not connect (network route, credentials or TLS) from the "
        "Fargate subnets",
        True,
    ),
    5: ExitMeaning("the connectivity probe failed with an unexpected error", True),
    EXIT_NOT_READY: ExitMeaning(
        "not ready: CR_04 has no live rows for the cutoff (the month-end close is not loaded yet)", True
    ),
    EXIT_WRAPPER_USAGE: ExitMeaning("the wrapper was started without its SOX_* environment", False),
}


def explain_exit(mode: str, code: int) -> ExitMeaning:
    table = PREFLIGHT_EXITS if mode == MODE_PREFLIGHT else RECONCILE_EXITS
    return table.get(code, ExitMeaning(f"the container exited with code {code}", True))


def container_overrides(
    *,
    container_name: str,
    mode: str,
    company: str | None,
    period: str,
    cutoff: str,
    ipes: list[str],
    evidence_uri: str | None,
    dag_run_id: str,
    try_number: int,
    extra_environment: dict[str, str] | None = None,
) -> dict:
    """ECS ``overrides`` for one run of the container (plain values only: they are visible in the API)."""
    env = dict(extra_environment or {})
    env.update(
        {
            ENV_PERIOD: period,
            ENV_CUTOFF: cutoff,
            ENV_IPES: ",".join(ipes),
            ENV_DAG_RUN_ID: dag_run_id,
            ENV_TRY_NUMBER: str(try_number),
        }
    )
    if company:
        env[ENV_COMPANY] = company
    if evidence_uri:
        env[ENV_EVIDENCE_URI] = evidence_uri
    return {
        "containerOverrides": [
            {
                "name": container_name,
                "command": [mode],
                "environment": [{"name": k, "value": v} for k, v in sorted(env.items())],
            }
        ]
    }


def override_environment(overrides: dict, container_name: str) -> dict[str, str]:
    """The environment a task's ``overrides`` gave ``container_name`` (reads back what ECS ran)."""
    env: dict[str, str] = {}
    for item in (overrides or {}).get("containerOverrides", []):
        if item.get("name") == container_name:
            env.update({e["name"]: e["value"] for e in item.get("environment", [])})
    return env


_CREDENTIAL = re.compile(r"(?i)\b(pwd|password|passwd)\s*=\s*(\{[^}]*\}|[^;\s]*)")


def redact(text: str) -> str:
    """Mask ODBC ``PWD=``/``Password=`` values in text that came from the container (log excerpts)."""
    return _CREDENTIAL.sub(lambda m: f"{m.group(1)}=***", text)
