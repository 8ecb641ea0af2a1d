"""The process tree of a run, found from an environment marker (Linux ``/proc``), for tests.

A process started with ``NAME=value`` in its environment passes it on to what it starts, so
``/proc/*/environ`` finds processes that re-parented to init or moved to a session of their own.
It is not enough alone: a process that sets its title (Airflow's api-server, LocalExecutor workers
and serve-logs do) overwrites the memory ``/proc/<pid>/environ`` reads. So the tree is, closed
under these rules: every process carrying the marker, every child of a member, and every process
in a process group or session whose leader is or was a member. Zombies are not listed.

``listening_sockets`` reads ``/proc/net/tcp`` and ``tcp6``: what the tree listens on, and where.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path
from typing import NamedTuple, TypeVar

T = TypeVar("T")
PROC = Path("/proc")


class _Stat(NamedTuple):
    ppid: int
    pgrp: int
    session: int


def _stats() -> dict[int, _Stat]:
    """ppid, process group and session of every live process (zombies left out)."""
    stats = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()  # the command name may hold spaces and ")"
        if fields[0] in {"Z", "X"}:
            continue
        stats[int(entry.name)] = _Stat(int(fields[1]), int(fields[2]), int(fields[3]))
    return stats


def _ancestors(pid: int, stats: dict[int, _Stat]) -> set[int]:
    found = set()
    while pid in stats and pid not in found and pid > 1:
        found.add(pid)
        pid = stats[pid].ppid
    return found


class ProcessTree:
    """Processes of one run. Call ``pids()`` while the run is up, so its leaders are known."""

    def __init__(self, name: str, value: str):
        self.needle = f"{name}={value}".encode()
        self.known: set[int] = set()  # every pid ever seen in the tree (group and session leaders)

    def _marked(self, pid: int) -> bool:
        try:
            return self.needle in (PROC / str(pid) / "environ").read_bytes().split(b"\0")
        except OSError:  # gone, or not ours
            return False

    def pids(self) -> list[int]:
        stats = _stats()
        protected = _ancestors(os.getpid(), stats)  # never this test process or what runs it
        members = {pid for pid in stats if pid not in protected and self._marked(pid)}
        while True:
            keys = self.known | members
            more = {
                pid
                for pid, st in stats.items()
                if pid not in members
                and pid not in protected
                and (st.ppid in members or st.pgrp in keys or st.session in keys)
            }
            if not more:
                break
            members |= more
        self.known |= members
        return sorted(members)

    def kill_all(self, timeout: float = 60) -> list[int]:
        """SIGKILL every process of the tree until none is left; returns what still is."""
        deadline = time.monotonic() + timeout
        while True:
            pids = self.pids()
            if not pids or time.monotonic() >= deadline:
                return pids
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.2)


def describe(pids: list[int]) -> str:
    """``pid: command line`` per process, for failure messages."""
    return "\n".join(f"{pid}: {cmdline(pid)}" for pid in pids)


def cmdline(pid: int) -> str:
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return "(gone)"
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()[:160]


def ignored_signals(pid: int) -> set[int]:
    """The signals ``pid`` ignores (``SigIgn`` in ``/proc/<pid>/status``)."""
    for line in (PROC / str(pid) / "status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            mask = int(line.split()[1], 16)
            return {sig for sig in range(1, 65) if mask & (1 << (sig - 1))}
    return set()


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        fds = list((PROC / str(pid) / "fd").iterdir())
    except OSError:
        return inodes
    for fd in fds:
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def _address(hex_address: str) -> str:
    """``0100007F`` → ``127.0.0.1``; IPv6 as four little-endian 32-bit words → ``::1``."""
    raw = bytes.fromhex(hex_address)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return socket.inet_ntop(socket.AF_INET if len(words) == 4 else socket.AF_INET6, words)


def listening_sockets(pids: list[int]) -> list[tuple[int, str, int]]:
    """``(pid, address, port)`` of every TCP socket in LISTEN state the processes hold."""
    listening: dict[str, tuple[str, int]] = {}
    for table in ("tcp", "tcp6"):
        try:
            lines = (PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] != "0A":  # TCP_LISTEN
                continue
            address, port = fields[1].split(":")
            listening[fields[9]] = (_address(address), int(port, 16))
    return sorted(
        (pid, *listening[inode]) for pid in pids for inode in _socket_inodes(pid) if inode in listening
    )
