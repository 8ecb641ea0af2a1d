"""Drill specs: one JSON file a drill (``specs/<drill>.json``), validated against ``spec.schema.json``.

Loading is cheap and makes no AWS call, so a DAG file loads its spec at parse time and a bad spec
is an import error of that DAG. Beyond the schema, ``check_spec`` holds the rules a schema cannot
say: method step names are unique, the one fault injection comes first, and the cron of each
blocked window parses.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from platform_ops.jsonfile import load_validated_json

HERE = Path(__file__).parent
SPECS = HERE / "specs"
SCHEMA = HERE / "spec.schema.json"
INJECTIONS = frozenset({"blackhole_nat_routes", "switchover_aurora", "simulate_region_loss"})
WAITS = frozenset({"await_recovery", "hold"})
# A scheduled drill starts at its slot, when the people who watch it are ready; later than this
# (the DAG was paused over its slot, or the scheduler was down) it is refused, not run unannounced.
LATE_START = timedelta(hours=1)


class SpecError(ValueError):
    """The drill spec file is unusable; the message says which file and where."""


class DrillRefused(RuntimeError):
    """The drill must not run (blocked window, blast radius, steady state); nothing was changed."""


@dataclass(frozen=True)
class Spec:
    """A validated spec: ``raw`` is the file's document, ``sha256`` its exact bytes' hash."""

    raw: dict
    sha256: str
    path: Path

    @property
    def drill(self) -> str:
        return self.raw["drill"]

    def __getitem__(self, key: str):
        return self.raw[key]

    @property
    def injection(self) -> dict:
        return self.raw["method"][0]

    @property
    def waits(self) -> list[dict]:
        return self.raw["method"][1:]

    def alarm_refs(self) -> list[str]:
        """Every alarm the spec names (stop conditions first), once."""
        refs = list(self.raw["stop_conditions"]["alarms"])
        probes = [*self.raw["steady_state"], *(p for s in self.raw["method"] for p in s.get("probes", []))]
        refs += [p["alarm"] for p in probes]
        return list(dict.fromkeys(refs))


def check_spec(raw: dict, where: str) -> None:
    names = [step["name"] for step in raw["method"]]
    if len(set(names)) != len(names):
        raise SpecError(f"{where}: method step names must be unique, got {names}")
    actions = [step["action"] for step in raw["method"]]
    if actions[0] not in INJECTIONS or any(a in INJECTIONS for a in actions[1:]):
        raise SpecError(
            f"{where}: the method starts with its one fault injection ({sorted(INJECTIONS)}), got {actions}"
        )
    from croniter import croniter

    for window in raw["blocked_windows"]:
        if not croniter.is_valid(window["cron"]):
            raise SpecError(
                f"{where}: blocked window {window['name']!r} has an invalid cron {window['cron']!r}"
            )


@lru_cache(maxsize=16)
def _load(path: str, mtime_ns: int) -> Spec:
    file = Path(path)
    schema = json.loads(SCHEMA.read_text())
    raw = load_validated_json(file, schema, SpecError, "drill spec", "the spec name")
    check_spec(raw, str(file.name))
    return Spec(raw=raw, sha256=hashlib.sha256(file.read_bytes()).hexdigest(), path=file)


def load_spec(name_or_path: str | Path) -> Spec:
    """``specs/<name>.json`` (or a path), validated; cached per file version."""
    path = Path(name_or_path)
    if path.suffix != ".json":
        path = SPECS / f"{name_or_path}.json"
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise SpecError(f"drill spec {path.name} does not exist in {SPECS.name}/") from None
    return _load(str(path), mtime)


def window_at(spec: Spec, moment: datetime) -> dict | None:
    """The blocked window ``moment`` (aware, UTC) falls in, or None."""
    from croniter import croniter

    for window in spec["blocked_windows"]:
        length = timedelta(hours=window["duration_hours"])
        start = croniter(window["cron"], moment).get_prev(datetime)
        # get_prev is strictly before; a window starting exactly now counts too
        if croniter.match(window["cron"], moment.replace(second=0, microsecond=0)) or moment < start + length:
            return window
    return None


def refuse_late_scheduled_start(
    spec: Spec, run_type: str | None, slot: datetime | None, now: datetime
) -> None:
    """Raise ``DrillRefused`` for a scheduled run starting more than ``LATE_START`` after its slot.

    With ``catchup`` off, unpausing a drill DAG makes the scheduler start a run for the latest
    slot at once, however long ago it was: a chaos test nobody announced. A manual run is never
    late.
    """
    # the Task SDK's DagRunType is a (str, Enum): str() of it is "DagRunType.SCHEDULED", not its value
    if getattr(run_type, "value", run_type) != "scheduled" or slot is None or now - slot <= LATE_START:
        return
    raise DrillRefused(
        f"drill {spec.drill} refused: its scheduled time {slot.isoformat()} was {_hours(now - slot)} ago "
        f"(a scheduled drill starts within {_hours(LATE_START)} of its slot); trigger it manually to run it now"
    )


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} days"


def refuse_in_window(spec: Spec, moments: dict[str, datetime]) -> None:
    """Raise ``DrillRefused`` naming the window when any of ``moments`` (label → time) is inside one."""
    for label, moment in moments.items():
        window = window_at(spec, moment)
        if window is not None:
            raise DrillRefused(
                f"drill {spec.drill} refused: {label} {moment.isoformat()} is inside the blocked window "
                f"{window['name']!r} ({window['reason']})"
            )
