"""The local AWS's double of the refresh's ``run_sql`` Lambda (moto runs Lambdas only in Docker).

``install()`` patches moto's Lambda ``Invoke`` for functions named ``*-run-sql``: the event is the
one ``asl/db/run_sql_from_s3`` sends (``host``, ``s3_bucket``, ``s3_key`` ...). The double reads
the script from the account's S3, splits it with the real handler's ``split_statements``, and
refuses a statement that does not begin with an SQL verb the way the handler reports a MySQL
error (``SqlExecutionError``, nothing applied). A script that passes leaves its marker on the
cluster whose endpoint is ``host``: the tag ``refresh-sql:<file name>`` = ``sha256:<12 hex>`` of
the script. Tags follow a cluster through its renames, so a test can tell that the cluster that
took the target's name is the one the masking ran on. Other functions keep moto's behaviour.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from functools import cache
from pathlib import Path

SUFFIX = "-run-sql"
SQL_VERB = re.compile(
    r"^\s*(UPDATE|DELETE|INSERT|REPLACE|SET|SELECT|CREATE|ALTER|DROP|TRUNCATE|RENAME|GRANT|REVOKE)\b", re.I
)
TAG_PREFIX = "refresh-sql:"


@cache
def _split_statements():
    """The real handler's splitter (``lambdas/run_sql/handler.py``), so scripts split as in AWS."""
    path = Path(__file__).resolve().parents[3] / "lambdas" / "run_sql" / "handler.py"
    spec = importlib.util.spec_from_file_location("platform_ops_local_run_sql_handler", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.split_statements


def marker(script: bytes) -> str:
    return "sha256:" + hashlib.sha256(script).hexdigest()[:12]


def _error(response_headers: dict, error_type: str, message: str) -> bytes:
    response_headers["x-amz-function-error"] = "Unhandled"
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


def play_run_sql(account_id: str, region: str, event: dict, response_headers: dict) -> bytes:
    from moto.rds.models import rds_backends
    from moto.s3.models import s3_backends

    if not (event.get("s3_bucket") and event.get("s3_key")):
        return _error(response_headers, "ConfigurationError", "the local double runs scripts from S3 only")
    script = s3_backends[account_id]["aws"].get_object(event["s3_bucket"], event["s3_key"]).value
    statements = _split_statements()(script.decode("utf-8"))
    for index, statement in enumerate(statements):
        if not SQL_VERB.match(statement):
            return _error(
                response_headers,
                "SqlExecutionError",
                f"statement {index + 1} of {len(statements)} failed (1064): You have an error in your SQL "
                "syntax; rolled back",
            )
    rds = rds_backends[account_id][region]
    clusters = [c for c in rds.clusters.values() if c.endpoint == event.get("host")]
    if len(clusters) != 1:
        return _error(response_headers, "SqlExecutionError", f"cannot connect to {event.get('host')}")
    name = event["s3_key"].rsplit("/", 1)[-1]
    clusters[0].add_tags([{"Key": TAG_PREFIX + name, "Value": marker(script)}])
    return json.dumps(
        {
            "Status": "Completed",
            "StatementCount": len(statements),
            "AffectedRows": [0] * len(statements),
            "Rows": [],
            "Exports": [],
        }  # fmt: skip
    ).encode()


def install() -> None:
    """Answer Invoke of ``*-run-sql`` functions with ``play_run_sql`` (idempotent)."""
    from moto.awslambda.models import LambdaBackend

    if getattr(LambdaBackend, "_platform_ops_run_sql", False):
        return
    original = LambdaBackend.invoke

    def invoke(self, function_name, qualifier, body, headers, response_headers):
        fn = self.get_function(function_name, qualifier)
        if not fn.function_name.endswith(SUFFIX):
            return original(self, function_name, qualifier, body, headers, response_headers)
        event = json.loads(body) if body else {}
        payload = play_run_sql(self.account_id, self.region_name, event, response_headers)
        response_headers["Content-Length"] = str(len(payload))
        return payload

    LambdaBackend.invoke = invoke
    LambdaBackend._platform_ops_run_sql = True
