"""Run terraform commands safely. The only module that imports ``python_terraform``.

python-terraform 0.10.1 is used for what it does well, turning keyword options into argv. It
is never asked to run anything, because its runner has 13 known bugs (python-terraform
0.10.1). How each one is avoided here:

1. every call passes ``-var-file`` (so ``apply <plan>`` fails): argv is built with ``var=None``;
2. plan always adds ``-detailed-exitcode``: rc 0 and 2 are both success, 2 meaning "changes";
3. ``destroy`` sends ``-force``: built with ``force=None`` and ``-auto-approve``;
4. ``apply`` without a plan prompts and fails on EOF: only saved plans are applied;
5. ``output(name)`` raises TypeError: ``output -json`` is parsed here;
6. ``state=``/``parallelism=`` leak into ``init``: the constructor gets neither, ever;
7. a positional directory breaks commands: the process runs with ``cwd=workdir``;
8. one object shares temp var files across threads: a new ``Terraform`` object per call, and
   variables go to a private var file per call;
9. ``capture_output=False`` breaks under Airflow's log writer: output is always piped;
10. its var files stay in the temp dir after an exception: ours live in a private directory
    removed in ``finally``;
11. ``synchronous=False`` leaks as a flag: never passed;
12. no timeout and no streaming: lines go to the log as they come, and a timeout interrupts
    terraform (SIGINT, so it releases the state lock), then kills it;
13. it re-reads a local ``terraform.tfstate``: state is read with ``show -json`` (remote backends),
    and the argv builder never reads the file (its constructor would parse a state file that
    another terraform is writing, or an empty one, and fail).

State locks. A lock that another run holds is never retried here and never force-unlocked:
terraform waits for it up to ``-lock-timeout``, then the runner raises ``StateLockedError`` with
the holder. One case is retried, because it is not a held lock but a race inside terraform's
local backend: the lock is an ``fcntl`` lock on the state file, and the holder writes
``.terraform.tfstate.lock.info`` only just after taking it. A second process that tries the
lock in between cannot read who holds it, and terraform then fails at once, whatever
``-lock-timeout`` says (``Error acquiring the state lock`` / ``resource temporarily unavailable``
/ ``open .terraform.tfstate.lock.info: no such file or directory``). The command did nothing
yet, so the runner runs it again, at most ``len(lock_info_retry_delays)`` more times (after 1,
2 and 4 s by default), with a warning in the log each time. The retry sees either a free lock or
a holder with its lock info, which terraform then waits for as usual. The retry is keyed on the
missing ``.lock.info`` file, which only the local backend reports (the DAGs' S3 backend keeps
its lock and lock info in one ``<key>.tflock`` object), so a real run on S3 state is never retried.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from python_terraform import IsFlagged, Terraform

from platform_ops.terraform.tooling import find_terraform

log = logging.getLogger(__name__)

PLAN_NO_CHANGES, PLAN_CHANGES = 0, 2
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Terraform's local backend failed to read the lock holder's info: the holder had just taken the
# fcntl lock and not yet written the info file (see the module docstring).
_LOCK_INFO_MISSING = re.compile(r"\.lock\.info: no such file or directory")
# Variables whose values are masked in logs and errors (terraform echoes values in diagnostics).
SENSITIVE_NAME = re.compile(r"password|secret|token|private_key|credential|api_key", re.IGNORECASE)
REDACTED = "***"


class TerraformError(RuntimeError):
    """terraform exited with an error; ``output`` holds what it printed (stderr last)."""

    def __init__(self, message: str, returncode: int | None = None, output: str = ""):
        super().__init__(message)
        self.returncode = returncode
        self.output = output


class TerraformTimeout(TerraformError):
    """terraform ran longer than allowed and was interrupted."""


class StateLockedError(TerraformError):
    """Another process holds the state lock. Never force-unlocked here."""


class StalePlanError(TerraformError):
    """The state changed after the plan was made; the plan must be made again and reviewed."""


@dataclass(frozen=True)
class CommandResult:
    returncode: int
    stdout: str
    stderr: str


def _lock_holder(text: str) -> str:
    """``Who``/``ID``/``Operation``/``Created`` from terraform's lock error, for the message."""
    fields = {}
    for key in ("ID", "Path", "Operation", "Who", "Version", "Created"):
        match = re.search(rf"^\s*{key}:\s*(.+)$", text, re.MULTILINE)
        if match:
            fields[key] = match.group(1).strip()
    return ", ".join(f"{k}={v}" for k, v in fields.items()) or "unknown holder"


def _sensitive_values(variables: dict | None) -> list[str]:
    """String values of variables named like secrets (nested values included)."""
    found: list[str] = []

    def walk(value) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            found.append(str(value))

    for name, value in (variables or {}).items():
        if SENSITIVE_NAME.search(name):
            walk(value)
    return [v for v in found if len(v) >= 3]


class _ArgvBuilder(Terraform):
    """python-terraform as an argv builder only: it never reads ``terraform.tfstate`` (bug 13)."""

    def read_state_file(self, file_path=None):
        self.tfstate = None


class TerraformCli:
    """terraform in one working directory, with a fixed environment and a timeout per command."""

    def __init__(
        self,
        workdir: str | os.PathLike,
        env: dict[str, str],
        timeout: float = 3600,
        binary: str | None = None,
        logger: logging.Logger | None = None,
        kill_grace_seconds: float = 60,
        lock_info_retry_delays: Sequence[float] = (1, 2, 4),
    ):
        self.workdir = Path(workdir)
        self.env = env
        self.timeout = timeout
        self.binary = binary or find_terraform()
        self.log = logger or log
        self.kill_grace_seconds = kill_grace_seconds
        self.lock_info_retry_delays = tuple(lock_info_retry_delays)

    # -- argv and process -------------------------------------------------------------------
    def argv(self, command: str, *args: str, **options) -> list[str]:
        """argv for one command; a fresh ``Terraform`` object each time (bugs 1, 6, 8)."""
        builder = _ArgvBuilder(working_dir=str(self.workdir), terraform_bin_path=self.binary)
        options.setdefault("no_color", IsFlagged)
        return builder.generate_cmd_string(command, *args, **options)

    def run(
        self, argv: list[str], ok_codes: Iterable[int] = (0,), echo: bool = True, secrets: Iterable[str] = ()
    ) -> CommandResult:
        """Run argv, streaming each output line to the log; raise on a code not in ``ok_codes``.

        Every string in ``secrets`` is masked in what is logged and in the error raised. The one
        transient local-state lock failure (module docstring) is run again, a bounded number of times.
        """
        masks = sorted({s for s in secrets if s}, key=len, reverse=True)
        ok = tuple(ok_codes)
        delays = list(self.lock_info_retry_delays)
        while True:
            result = self._run_once(argv, echo, masks)
            if result.returncode in ok:
                return result
            if not delays or not self._lock_info_missing(result):
                self._raise(argv[1], result, retried=len(self.lock_info_retry_delays) - len(delays))
            delay = delays.pop(0)
            self.log.warning(
                "terraform %s: the local state lock was taken by another process that had not yet "
                "written its lock info; retrying in %gs (%d retries left)",
                argv[1], delay, len(delays),
            )  # fmt: skip
            time.sleep(delay)

    @staticmethod
    def _lock_info_missing(result: CommandResult) -> bool:
        text = _ANSI.sub("", result.stderr + result.stdout)
        return "Error acquiring the state lock" in text and bool(_LOCK_INFO_MISSING.search(text))

    def _run_once(self, argv: list[str], echo: bool, masks: list[str]) -> CommandResult:
        """One terraform process: output streamed to the log, a timeout enforced."""

        def redact(text: str) -> str:
            for secret in masks:
                text = text.replace(secret, REDACTED)
            return text

        shown = " ".join(a if not a.startswith("-var-file=") else "-var-file=<private>" for a in argv[1:])
        self.log.info("terraform %s (in %s)", shown, self.workdir.name)
        proc = subprocess.Popen(
            argv,
            cwd=self.workdir,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        chunks: dict[str, list[str]] = {"stdout": [], "stderr": []}

        def pump(stream, name: str) -> None:
            for line in stream:
                line = redact(line)
                chunks[name].append(line)
                if echo or name == "stderr":
                    self.log.info("%s", _ANSI.sub("", line.rstrip()))

        pumps = [
            threading.Thread(target=pump, args=(proc.stdout, "stdout"), daemon=True),
            threading.Thread(target=pump, args=(proc.stderr, "stderr"), daemon=True),
        ]
        for thread in pumps:
            thread.start()
        try:
            proc.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self._interrupt(proc)
            self._finish(proc, pumps)
            raise TerraformTimeout(
                f"terraform {argv[1]} did not finish within {self.timeout:.0f}s and was interrupted",
                returncode=proc.returncode,
                output="".join(chunks["stdout"] + chunks["stderr"]),
            ) from None
        self._finish(proc, pumps)
        return CommandResult(proc.returncode, "".join(chunks["stdout"]), "".join(chunks["stderr"]))

    @staticmethod
    def _finish(proc: subprocess.Popen, pumps: list[threading.Thread]) -> None:
        for thread in pumps:
            thread.join(timeout=30)
        proc.stdout.close()
        proc.stderr.close()

    def _interrupt(self, proc: subprocess.Popen) -> None:
        """SIGINT first: terraform stops cleanly and releases its state lock; then SIGKILL."""
        try:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(timeout=self.kill_grace_seconds)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()

    def _raise(self, command: str, result: CommandResult, retried: int = 0) -> None:
        text = _ANSI.sub("", result.stderr + result.stdout)
        if "Error acquiring the state lock" in text:
            tries = f" (still locked after {retried} {'retry' if retried == 1 else 'retries'})" if retried else ""
            raise StateLockedError(
                f"terraform {command}: the state is locked by another run ({_lock_holder(text)}){tries}. "
                "Wait for it to finish; if it died, a person must check and run `terraform force-unlock`.",
                result.returncode,
                text,
            )
        if "Saved plan is stale" in text:
            raise StalePlanError(
                f"terraform {command}: the saved plan is stale (the state changed after it was made). "
                "Nothing was applied; trigger a new run to plan and review again.",
                result.returncode,
                text,
            )
        errors = re.findall(r"Error: (.+)", text)
        summary = "; ".join(dict.fromkeys(e.strip() for e in errors)) or text.strip()[-500:]
        raise TerraformError(f"terraform {command} failed (rc {result.returncode}): {summary}", result.returncode, text)

    # -- variables ----------------------------------------------------------------------------
    def _with_var_file(self, variables: dict | None, build):
        """Call ``build(var_file_path_or_None)`` with variables in a private file, always removed."""
        if not variables:
            return build(None)
        with tempfile.TemporaryDirectory(prefix="tfvars-") as private:
            path = Path(private) / "run.auto.tfvars.json"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                json.dump(variables, handle)
            return build(str(path))

    # -- commands -----------------------------------------------------------------------------
    def init(self, backend_config_file: str | None = None, backend: bool = True) -> None:
        options = {"input": False, "backend": backend, "reconfigure": IsFlagged if backend else None}
        if backend_config_file:
            options["backend_config"] = backend_config_file
        self.run(self.argv("init", **options))

    def validate(self) -> dict:
        """``validate -json``: ``{"valid": bool, "error_count": n, "diagnostics": [...]}``."""
        result = self.run(self.argv("validate", json=IsFlagged, no_color=None), ok_codes=(0, 1), echo=False)
        return json.loads(result.stdout)

    def plan(
        self,
        out: str,
        variables: dict | None = None,
        targets: list[str] | None = None,
        destroy: bool = False,
        refresh_only: bool = False,
        lock_timeout: str = "0s",
        parallelism: int | None = None,
    ) -> bool:
        """Plan to ``out``; True when there are changes (rc 2), False when none (rc 0)."""

        def build(var_file):
            return self.argv(
                "plan",
                input=False,
                detailed_exitcode=IsFlagged,
                out=out,
                var_file=var_file,
                target=list(targets or []),
                destroy=IsFlagged if destroy else None,
                refresh_only=IsFlagged if refresh_only else None,
                lock_timeout=lock_timeout,
                parallelism=parallelism,
            )

        secrets = _sensitive_values(variables)
        result = self._with_var_file(variables, lambda vf: self.run(build(vf), ok_codes=(0, 2), secrets=secrets))
        return result.returncode == PLAN_CHANGES

    def show_json(self, planfile: str | None = None) -> dict:
        """``show -json`` of a saved plan, or of the current state when ``planfile`` is None."""
        args = [planfile] if planfile else []
        result = self.run(self.argv("show", *args, json=IsFlagged), echo=False)
        return json.loads(result.stdout or "{}")

    def apply_plan(self, planfile: str, lock_timeout: str = "0s") -> None:
        """Apply exactly a saved plan: no variables, no prompt (bugs 1 and 4)."""
        self.run(self.argv("apply", planfile, input=False, lock_timeout=lock_timeout, var=None))

    def destroy(self, variables: dict | None = None, lock_timeout: str = "0s") -> None:
        """Destroy without ``-force`` (bug 3). Callers must guard it; the DAGs never call it."""
        self._with_var_file(
            variables,
            lambda vf: self.run(
                self.argv(
                    "destroy",
                    input=False,
                    auto_approve=IsFlagged,
                    force=None,
                    var_file=vf,
                    lock_timeout=lock_timeout,
                )
            ),
        )

    def force_unlock(self, lock_id: str) -> None:
        """``force-unlock -force <id>``: terraform removes the lock only if it still has this ID.

        Only ``terraform_state_locks`` calls it, for one lock a person approved after a re-check.
        """
        self.run(self.argv("force-unlock", lock_id, force=IsFlagged))

    def output_details(self) -> dict:
        """``output -json`` as terraform prints it: ``{name: {"value", "type", "sensitive"}}``."""
        result = self.run(self.argv("output", json=IsFlagged), echo=False)
        return json.loads(result.stdout or "{}")

    def output(self, name: str | None = None, include_sensitive: bool = True):
        """All outputs as ``{name: value}``, or one output's value (bug 5)."""
        details = self.output_details()
        values = {k: v.get("value") for k, v in details.items() if include_sensitive or not v.get("sensitive")}
        if name is None:
            return values
        if name not in values:
            raise TerraformError(f"terraform output: no output named {name!r} (have: {sorted(values)})")
        return values[name]

    def state_resources(self) -> list[dict]:
        """Every resource in the current state, from ``show -json`` (works with remote state; bug 13)."""
        state = self.show_json()
        found: list[dict] = []

        def walk(module: dict) -> None:
            found.extend(module.get("resources", []))
            for child in module.get("child_modules", []):
                walk(child)

        walk(state.get("values", {}).get("root_module", {}))
        return found

    def fmt_check(self) -> list[str]:
        """Files ``fmt -check -recursive`` would rewrite (empty list when all are formatted)."""
        result = self.run(self.argv("fmt", check=IsFlagged, recursive=IsFlagged, no_color=None), ok_codes=(0, 3))
        return [line for line in result.stdout.splitlines() if line.strip()]
