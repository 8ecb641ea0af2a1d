"""Run SQL on a MySQL / Aurora MySQL database, all statements in one transaction.

Invoked by asl/db/run_sql_lambda and asl/db/run_sql_from_s3. Event::

    {"host": "...", "port": 3306, "secret_arn": "...", "database": "app",
     "statements": ["UPDATE ...", "DELETE ..."]          # or "s3_bucket" + "s3_key" of a .sql script
     "export_bucket": null, "export_prefix": "run-sql/"} # rows of SELECTs as JSON to S3 (optional)

The password is read here from Secrets Manager (``username``/``password`` keys, the format of the
RDS-managed master secret) and never logged or returned. Every statement runs in one transaction:
on any error the transaction is rolled back and ``SqlExecutionError`` is raised, so nothing is
half-applied. DDL commits implicitly in MySQL, so a DDL statement must be sent on its own.

Returns ``{"Status": "Completed", "StatementCount": n, "AffectedRows": [...], "Exports": [...]}``.
Errors are raised (Step Functions sees the class name as the error): ``ConfigurationError``,
``SecretError``, ``SqlExecutionError``.

Environment: ``DB_TLS`` = ``verify`` (default: TLS with ``DB_TLS_CA_BUNDLE``, e.g. the RDS CA
bundle shipped with the function) or ``off`` (plain TCP: local tests only).
"""

from __future__ import annotations

import base64
import datetime
import decimal
import json
import logging
import os
import re
import ssl
import uuid

import boto3
import pymysql

LOG = logging.getLogger()
LOG.setLevel(logging.INFO)
# botocore logs response bodies (the secret!) at DEBUG: keep the SDK quiet whatever the root level.
for noisy in ("botocore", "boto3", "urllib3"):
    logging.getLogger(noisy).setLevel(logging.WARNING)

DDL = re.compile(r"^\s*(CREATE|ALTER|DROP|TRUNCATE|RENAME)\b", re.IGNORECASE)
MAX_ROWS_RETURNED = 100


class ConfigurationError(Exception):
    """The event or the function's environment is wrong; nothing was executed."""


class SecretError(Exception):
    """The database secret could not be read or lacks username/password."""


class SqlExecutionError(Exception):
    """A statement failed; the transaction was rolled back."""


def split_statements(script: str) -> list[str]:
    """Split a SQL script on ``;`` outside quotes, backticks and comments (no DELIMITER support)."""
    statements, current, i, quote = [], [], 0, None
    while i < len(script):
        char = script[i]
        if quote:
            current.append(char)
            if char == "\\" and quote != "`" and i + 1 < len(script):
                current.append(script[i + 1])
                i += 2
                continue
            if char == quote:
                quote = None
            i += 1
            continue
        if char in "'\"`":
            quote = char
        elif script.startswith("--", i) and (i + 2 == len(script) or script[i + 2] in " \t\n") or char == "#":
            end = script.find("\n", i)
            i = len(script) if end == -1 else end
            continue
        elif script.startswith("/*", i):
            end = script.find("*/", i + 2)
            i = len(script) if end == -1 else end + 2
            continue
        elif char == ";":
            statements.append("".join(current))
            current = []
            i += 1
            continue
        current.append(char)
        i += 1
    statements.append("".join(current))
    return [s.strip() for s in statements if s.strip()]


def _client(service: str):
    """A client from the current environment's credentials (a fresh session reads them each time)."""
    return boto3.session.Session().client(service)


def _json_default(value):
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time, datetime.timedelta)):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _read_secret(secret_arn: str) -> tuple[str, str]:
    try:
        raw = _client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]
        secret = json.loads(raw)
        return secret["username"], secret["password"]
    except (KeyError, ValueError, TypeError):
        raise SecretError(f"secret {secret_arn} must be JSON with 'username' and 'password'") from None
    except Exception as exc:  # botocore errors: say which secret, not the payload
        raise SecretError(f"cannot read secret {secret_arn}: {type(exc).__name__}") from None


def _statements(event: dict) -> list[str]:
    if event.get("statements"):
        statements = event["statements"]
        if not isinstance(statements, list) or not all(isinstance(s, str) and s.strip() for s in statements):
            raise ConfigurationError("'statements' must be a list of non-empty strings")
        return [s.strip().rstrip(";") for s in statements]
    if event.get("s3_bucket") and event.get("s3_key"):
        body = _client("s3").get_object(Bucket=event["s3_bucket"], Key=event["s3_key"])["Body"].read()
        statements = split_statements(body.decode("utf-8"))
        if not statements:
            raise ConfigurationError(f"s3://{event['s3_bucket']}/{event['s3_key']} holds no statement")
        return statements
    raise ConfigurationError("give 'statements' or 's3_bucket' + 's3_key'")


def _tls_options() -> dict:
    mode = os.environ.get("DB_TLS", "verify")
    if mode == "off":
        return {}
    if mode != "verify":
        raise ConfigurationError("DB_TLS must be 'verify' or 'off'")
    bundle = os.environ.get("DB_TLS_CA_BUNDLE")
    if not bundle or not os.path.exists(bundle):
        raise ConfigurationError("DB_TLS=verify needs DB_TLS_CA_BUNDLE pointing at the RDS CA bundle")
    return {"ssl": ssl.create_default_context(cafile=bundle)}


def handler(event: dict, context=None) -> dict:
    for field in ("host", "secret_arn", "database"):
        if not event.get(field):
            raise ConfigurationError(f"missing '{field}'")
    statements = _statements(event)
    if len(statements) > 1 and any(DDL.match(s) for s in statements):
        raise ConfigurationError(
            "DDL commits implicitly: send a DDL statement on its own, not with other statements"
        )
    tls = _tls_options()
    user, password = _read_secret(event["secret_arn"])
    LOG.info(
        "running %d statement(s) on %s/%s as %s", len(statements), event["host"], event["database"], user
    )
    try:
        connection = pymysql.connect(
            host=event["host"],
            port=int(event.get("port") or 3306),
            user=user,
            password=password,
            database=event["database"],
            autocommit=False,
            connect_timeout=10,
            read_timeout=600,
            write_timeout=600,
            charset="utf8mb4",
            **tls,
        )
    except pymysql.MySQLError as exc:
        raise SqlExecutionError(
            f"cannot connect to {event['host']}: {exc.args[-1] if exc.args else exc}"
        ) from None
    affected, result_sets = [], []
    try:
        with connection.cursor() as cursor:
            for index, statement in enumerate(statements):
                try:
                    cursor.execute(statement)
                except pymysql.MySQLError as exc:
                    code, message = (exc.args + ("",))[:2] if len(exc.args) >= 2 else (None, str(exc))
                    raise SqlExecutionError(
                        f"statement {index + 1} of {len(statements)} failed ({code}): {message}; rolled back"
                    ) from None
                affected.append(cursor.rowcount)
                if cursor.description:
                    columns = [column[0] for column in cursor.description]
                    rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
                    result_sets.append((index, rows))
        exports = _export(event, result_sets)
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        connection.close()
    LOG.info("committed %d statement(s), affected rows %s", len(statements), affected)
    return {
        "Status": "Completed",
        "StatementCount": len(statements),
        "AffectedRows": affected,
        "Rows": [
            json.loads(json.dumps(rows[:MAX_ROWS_RETURNED], default=_json_default)) for _, rows in result_sets
        ],
        "Exports": exports,
    }


def _export(event: dict, result_sets: list[tuple[int, list[dict]]]) -> list[str]:
    """Serialise (before the commit, so a failure rolls back) and upload result rows."""
    bodies = [(index, json.dumps(rows, default=_json_default)) for index, rows in result_sets]
    bucket = event.get("export_bucket")
    if not bucket:
        return []
    prefix = (event.get("export_prefix") or "run-sql/").rstrip("/")
    run = uuid.uuid4().hex
    s3, uris = _client("s3"), []
    for index, body in bodies:
        key = f"{prefix}/{run}/statement-{index + 1}.json"
        s3.put_object(Bucket=bucket, Key=key, Body=body.encode(), ContentType="application/json")
        uris.append(f"s3://{bucket}/{key}")
    return uris
