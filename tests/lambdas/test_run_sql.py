"""lambdas/run_sql against a real MariaDB server, with its secret in the local AWS (moto)."""

from __future__ import annotations

import json
import logging

import pymysql
import pytest
from platform_ops.local.clients import account_client, account_session

from tests.lambdas.conftest import load_handler

# Builds what it runs against itself: no seeded landing-zone resources needed.
pytestmark = pytest.mark.seeds()

run_sql = load_handler("run_sql")


@pytest.fixture
def orders(mariadb):
    with mariadb.admin() as admin, admin.cursor() as cursor:
        cursor.execute(f"USE {mariadb.database}")
        cursor.execute("DROP TABLE IF EXISTS orders")
        cursor.execute(
            "CREATE TABLE orders (id INT PRIMARY KEY, status VARCHAR(20) NOT NULL, amount DECIMAL(10,2), "
            "created DATETIME) ENGINE=InnoDB"
        )
        cursor.execute(
            "INSERT INTO orders VALUES (1,'new',10.50,'2026-01-01 10:00:00'),(2,'new',20.00,'2026-01-02 10:00:00'),"
            "(3,'paid',5.25,'2026-01-03 10:00:00')"
        )
    return mariadb


def statuses(db) -> dict[int, str]:
    with db.app() as conn, conn.cursor() as cursor:
        cursor.execute("SELECT id, status FROM orders")
        return dict(cursor.fetchall())


@pytest.fixture
def lambda_env(aws, mariadb, monkeypatch):
    """The Lambda's world: credentials of the staging account, the secret there, plain TCP to MariaDB."""
    secret = account_client(aws, "staging", "secretsmanager").create_secret(
        Name="stg/app/db", SecretString=json.dumps({"username": mariadb.user, "password": mariadb.password})
    )
    credentials = account_session(aws, "staging").get_credentials().get_frozen_credentials()
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", credentials.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", credentials.secret_key)
    monkeypatch.setenv("AWS_SESSION_TOKEN", credentials.token)
    monkeypatch.setenv("DB_TLS", "off")
    return secret["ARN"]


def event(db, secret_arn, **extra):
    return {"host": db.host, "port": db.port, "secret_arn": secret_arn, "database": db.database, **extra}


def test_statements_commit_together_and_report_affected_rows(orders, lambda_env):
    result = run_sql.handler(
        event(
            orders,
            lambda_env,
            statements=[
                "UPDATE orders SET status='cancelled' WHERE status='new'",
                "DELETE FROM orders WHERE id = 3",
            ],
        )
    )
    assert result["Status"] == "Completed"
    assert result["AffectedRows"] == [2, 1]
    assert statuses(orders) == {1: "cancelled", 2: "cancelled"}


def test_bad_sql_rolls_back_everything(orders, lambda_env):
    with pytest.raises(run_sql.SqlExecutionError) as failure:
        run_sql.handler(
            event(
                orders,
                lambda_env,
                statements=[
                    "UPDATE orders SET status='cancelled' WHERE id = 1",
                    "UPDATE no_such_table SET x = 1",
                ],
            )
        )
    message = str(failure.value)
    assert "statement 2 of 2" in message and "no_such_table" in message and "rolled back" in message
    assert orders.password not in message
    assert statuses(orders) == {1: "new", 2: "new", 3: "paid"}


def test_password_is_never_logged_or_returned(orders, lambda_env, caplog):
    caplog.set_level(logging.DEBUG)
    result = run_sql.handler(
        event(orders, lambda_env, statements=["SELECT id, status FROM orders ORDER BY id"])
    )
    assert orders.password not in json.dumps(result)
    assert all(orders.password not in record.getMessage() for record in caplog.records)
    assert any("running 1 statement(s)" in record.getMessage() for record in caplog.records)


def test_select_rows_are_returned_and_exported_to_s3(orders, lambda_env, aws):
    s3 = account_client(aws, "staging", "s3")
    s3.create_bucket(
        Bucket="stg-run-sql-exports", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    result = run_sql.handler(
        event(
            orders,
            lambda_env,
            statements=["SELECT id, amount, created FROM orders WHERE status = 'new' ORDER BY id"],
            export_bucket="stg-run-sql-exports",
            export_prefix="checks/",
        )
    )
    assert result["Rows"] == [
        [
            {"id": 1, "amount": "10.50", "created": "2026-01-01 10:00:00"},
            {"id": 2, "amount": "20.00", "created": "2026-01-02 10:00:00"},
        ]
    ]
    [uri] = result["Exports"]
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    assert key.startswith("checks/") and key.endswith("/statement-1.json")
    assert json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read()) == result["Rows"][0]


def test_script_from_s3_is_split_outside_quotes_and_comments(orders, lambda_env, aws):
    s3 = account_client(aws, "staging", "s3")
    s3.create_bucket(
        Bucket="stg-refresh-scripts", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    script = (
        "-- post-refresh clean-up; runs after every refresh\n"
        "UPDATE orders SET status = 'a;b' WHERE id = 1; /* keep; this */\n"
        "# mysql comment; too\n"
        'UPDATE orders SET status = "it\'s" WHERE id = 2;\n'
    )
    s3.put_object(Bucket="stg-refresh-scripts", Key="post/01-anonymise.sql", Body=script.encode())
    result = run_sql.handler(
        event(orders, lambda_env, s3_bucket="stg-refresh-scripts", s3_key="post/01-anonymise.sql")
    )
    assert result["StatementCount"] == 2 and result["AffectedRows"] == [1, 1]
    assert statuses(orders) == {1: "a;b", 2: "it's", 3: "paid"}


def test_ddl_mixed_with_other_statements_is_refused_before_running(orders, lambda_env):
    with pytest.raises(run_sql.ConfigurationError, match="DDL commits implicitly"):
        run_sql.handler(
            event(orders, lambda_env, statements=["UPDATE orders SET status='x'", "DROP TABLE orders"])
        )
    assert statuses(orders) == {1: "new", 2: "new", 3: "paid"}


def test_ddl_alone_runs(orders, lambda_env):
    run_sql.handler(event(orders, lambda_env, statements=["ALTER TABLE orders ADD COLUMN note VARCHAR(10)"]))
    with orders.app() as conn, conn.cursor() as cursor:
        cursor.execute("SHOW COLUMNS FROM orders LIKE 'note'")
        assert cursor.fetchone()


def test_unusable_secrets_fail_clearly(orders, lambda_env, aws):
    client = account_client(aws, "staging", "secretsmanager")
    broken = client.create_secret(
        Name="stg/app/broken", SecretString=json.dumps({"user": "x", "pass": "hunter2"})
    )
    with pytest.raises(run_sql.SecretError, match="must be JSON with 'username' and 'password'") as failure:
        run_sql.handler(event(orders, broken["ARN"], statements=["SELECT 1"]))
    assert "hunter2" not in str(failure.value)
    with pytest.raises(run_sql.SecretError, match="cannot read secret stg/app/missing"):
        run_sql.handler(event(orders, "stg/app/missing", statements=["SELECT 1"]))
    wrong = client.create_secret(
        Name="stg/app/wrong", SecretString=json.dumps({"username": orders.user, "password": "wrong-password"})
    )
    with pytest.raises(run_sql.SqlExecutionError, match="cannot connect") as failure:
        run_sql.handler(event(orders, wrong["ARN"], statements=["SELECT 1"]))
    assert "wrong-password" not in str(failure.value)


def test_tls_is_required_unless_switched_off(orders, lambda_env, monkeypatch):
    monkeypatch.delenv("DB_TLS")
    monkeypatch.delenv("DB_TLS_CA_BUNDLE", raising=False)
    with pytest.raises(run_sql.ConfigurationError, match="DB_TLS_CA_BUNDLE"):
        run_sql.handler(event(orders, lambda_env, statements=["SELECT 1"]))


def test_event_validation():
    with pytest.raises(run_sql.ConfigurationError, match="missing 'host'"):
        run_sql.handler({"secret_arn": "x", "database": "app", "statements": ["SELECT 1"]})
    with pytest.raises(run_sql.ConfigurationError, match="statements"):
        run_sql.handler({"host": "h", "secret_arn": "x", "database": "app"})


def test_split_statements():
    assert run_sql.split_statements("a;b;;  ;c") == ["a", "b", "c"]
    assert run_sql.split_statements("SELECT ';' ; SELECT `x;y` -- c;d\n;") == ["SELECT ';'", "SELECT `x;y`"]
    assert run_sql.split_statements("SELECT 'it\\'s;'; SELECT 1") == ["SELECT 'it\\'s;'", "SELECT 1"]


def test_mariadb_is_a_real_server(mariadb):
    with mariadb.app() as conn, conn.cursor() as cursor:
        cursor.execute("SELECT VERSION()")
        assert "MariaDB" in cursor.fetchone()[0]
    with pytest.raises(pymysql.err.OperationalError):
        pymysql.connect(host=mariadb.host, port=mariadb.port, user=mariadb.user, password="nope").close()
