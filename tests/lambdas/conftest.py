"""Lambda test rails: load a handler from lambdas/, and a real MariaDB server on loopback.

``mariadb`` (session) starts our own ``mariadbd`` from the Debian package ``mariadb-server``
(``make test`` installs it) in a temporary data directory on a free loopback port; it never uses
the system service. A missing server binary is a test failure, not a skip.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pymysql
import pytest
from platform_ops.local.server import free_port

LAMBDAS = Path(__file__).resolve().parents[2] / "lambdas"


def load_handler(name: str):
    """Import lambdas/<name>/handler.py as its own module (each Lambda is packaged alone)."""
    path = LAMBDAS / name / "handler.py"
    spec = importlib.util.spec_from_file_location(f"lambda_{name}_handler", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _find(*names: str) -> str | None:
    """A program on PATH, also looking in the sbin next to each bin (servers live in sbin)."""
    directories = os.environ.get("PATH", "").split(os.pathsep)
    search = directories + [str(Path(d).parent / "sbin") for d in directories if Path(d).name == "bin"]
    for name in names:
        found = shutil.which(name, path=os.pathsep.join(search))
        if found:
            return found
    return None


@dataclass
class MariaDB:
    host: str
    port: int
    socket: str
    user: str
    password: str
    database: str

    def admin(self):
        return pymysql.connect(unix_socket=self.socket, user="root", autocommit=True)

    def app(self):
        return pymysql.connect(
            host=self.host, port=self.port, user=self.user, password=self.password, database=self.database
        )


def _install_datadir(installer: str, datadir: Path, user_args: list[str]) -> None:
    """``mariadb-install-db`` once more on a clean datadir if it fails: on a loaded machine it
    once exited 1 (its bootstrap server), and passed alone right after. A second failure fails
    the fixture with the installer's own output."""
    command = [
        installer,
        "--no-defaults",
        f"--datadir={datadir}",
        "--auth-root-authentication-method=normal",
        "--skip-test-db",
        *user_args,
    ]
    for attempt in (1, 2):
        shutil.rmtree(datadir, ignore_errors=True)
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        if done.returncode == 0:
            return
        output = (done.stdout + done.stderr)[-4000:]
        print(f"mariadb-install-db attempt {attempt} exited {done.returncode}:\n{output}")
    pytest.fail(f"mariadb-install-db exited {done.returncode} twice; last output:\n{output}")


@pytest.fixture(scope="session")
def mariadb(tmp_path_factory):
    server = _find("mariadbd", "mysqld")
    installer = _find("mariadb-install-db", "mysql_install_db")
    if not server or not installer:
        pytest.fail(
            "MariaDB server not found (mariadbd/mysqld and mariadb-install-db): the run_sql Lambda is tested "
            "against a real server. Install it with `apt-get install -y --no-install-recommends mariadb-server` "
            "(`make test` does this)."
        )
    root = tmp_path_factory.mktemp("mariadb")
    datadir, socket, log = root / "data", root / "mysqld.sock", root / "mysqld.log"
    user_args = ["--user=root"] if os.geteuid() == 0 else []
    _install_datadir(installer, datadir, user_args)
    port = free_port()
    process = subprocess.Popen(
        [
            server,
            "--no-defaults",
            f"--datadir={datadir}",
            f"--socket={socket}",
            f"--port={port}",
            "--bind-address=127.0.0.1",
            f"--pid-file={root / 'mysqld.pid'}",
            f"--log-error={log}",
            "--skip-log-bin",
            "--innodb-buffer-pool-size=32M",
            "--innodb-log-file-size=8M",
            *user_args,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"mariadbd exited with {process.returncode}:\n{log.read_text() if log.exists() else ''}"
                )
            try:
                pymysql.connect(unix_socket=str(socket), user="root").close()
                break
            except pymysql.MySQLError:
                if time.monotonic() > deadline:
                    pytest.fail(f"mariadbd did not accept connections within 300s:\n{log.read_text()}")
                time.sleep(0.2)
        db = MariaDB("127.0.0.1", port, str(socket), "refresh_app", secrets.token_urlsafe(18), "app")
        with db.admin() as admin, admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {db.database}")
            cursor.execute(f"CREATE USER '{db.user}'@'127.0.0.1' IDENTIFIED BY %s", (db.password,))
            cursor.execute(f"GRANT ALL ON {db.database}.* TO '{db.user}'@'127.0.0.1'")
        yield db
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
