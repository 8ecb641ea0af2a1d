"""Start, reset and stop the patched moto server on a free loopback port."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field

HOST = "127.0.0.1"
# What the local AWS, not the code under test, does on a loaded machine: now and then the
# provider's first attempt of a call gets no response (its debug log shows "retrying request
# …, attempt 2" about 0.1 s after "HTTP Request Sent", with no "HTTP Response Received" between:
# a transport error), the SDK sends the call again, and when the first attempt had been carried
# out, the retry of a create fails as a conflict. Seen in terraform applies of large stacks, and
# of several stacks side by side (RouteAlreadyExists, Resource.AlreadyAssociated on
# CreateNatGateway, InvalidSubnet.Conflict, InvalidPermission.Duplicate/NotFound, Lambda's
# "Function already exist", EntityAlreadyExists, ResourceAlreadyExistsException); a Python client
# under the same load sees none. Not root-caused. A fixture that applies a stack starts over
# once, from a clean local AWS, when its apply fails with such a conflict; a real one fails twice.
CUT_SHORT_CONFLICT = re.compile(
    r"AlreadyExists|AlreadyAssociated|AlreadyOwnedByYou|Duplicate|Conflict|InvalidPermission\.NotFound"
    r"|already exist"
)


def is_cut_short_conflict(error: BaseException | None) -> bool:
    """True when ``error`` (a failed apply) carries a sign of a retried create of the local AWS."""
    return error is not None and CUT_SHORT_CONFLICT.search(str(error)) is not None


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _request(url: str, payload: dict | None = None, timeout: float = 60.0) -> bytes:
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(url, data=data, method="GET" if data is None else "POST")
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - loopback only
        return resp.read()


@dataclass
class LocalAws:
    """A running local AWS. ``endpoint`` is what connections and Terraform point at."""

    port: int
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    def configure(self) -> None:
        """Switch Step Functions to execute mode; moto forgets it at every start."""
        _request(f"{self.endpoint}/moto-api/config", {"stepfunctions": {"execute_state_machine": True}})

    def reset(self) -> None:
        """Drop every resource in every account (per-test isolation); keeps the config."""
        from platform_ops.local.clients import forget_sessions

        _request(f"{self.endpoint}/moto-api/reset", {})
        forget_sessions()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM when the process that started it dies (no orphans)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _listening(process: subprocess.Popen, port: int) -> bool:
    """True once ``process`` itself listens on ``port``.

    Answering on the port is not enough: ``free_port`` can give two test workers starting at the
    same moment the same port; the server that loses the race exits, and until it does, the
    other's answers would make its starter believe it runs (a drill test once applied its stack
    into another module's local AWS that way).
    """
    import psutil

    try:
        connections = psutil.Process(process.pid).net_connections(kind="tcp")
    except psutil.Error:
        return False
    return any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in connections)


def start_local_aws(
    port: int | None = None,
    hooks: str = "",
    timeout: float = 120.0,
    log_file=None,
    env: dict | None = None,
    attempts: int = 3,
) -> LocalAws:
    """Start the patched moto server and wait until it listens and answers.

    ``hooks`` is passed as ``PLATFORM_OPS_MOTO_HOOKS`` (container doubles, see moto_patched);
    ``env`` adds server settings read at start (e.g. ``MOTO_ENABLE_RECORDING``) without touching
    this process's environment. Without a given ``port``, a server that exits before it listens
    (its free port was taken meanwhile) is started again on another, ``attempts`` times in all.
    """
    server_env = {k: v for k, v in os.environ.items() if k not in {"MOTO_PORT", "MOTO_ACCOUNT_ID"}}
    server_env.update(env or {})
    server_env["PLATFORM_OPS_MOTO_HOOKS"] = hooks
    for attempt in range(1, attempts + 1):
        try:
            return _start(port or free_port(), server_env, timeout, log_file)
        except _ExitedBeforeListening:
            if port or attempt == attempts:
                raise
    raise AssertionError("unreachable")


class _ExitedBeforeListening(RuntimeError):
    pass


def _start(port: int, server_env: dict, timeout: float, log_file) -> LocalAws:
    cmd = [sys.executable, "-m", "platform_ops.local.moto_patched", "-H", HOST, "-p", str(port)]
    process = subprocess.Popen(
        cmd,
        env=server_env,
        stdout=log_file or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log_file else subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )
    aws = LocalAws(port=port, process=process)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise _ExitedBeforeListening(
                f"local AWS (moto) exited with code {process.returncode} on port {port}"
            )
        try:
            if _listening(process, port):
                _request(f"{aws.endpoint}/moto-api/", timeout=1)
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            aws.stop()
            raise RuntimeError(f"local AWS (moto) did not answer on {aws.endpoint} within {timeout}s")
        time.sleep(0.1)
    aws.configure()
    return aws
