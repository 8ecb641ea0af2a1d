"""What a saved plan will do, per resource address and attribute, in a form a reviewer can read in the UI."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field

from platform_ops.terraform.plan_diff import (
    SENSITIVE,
    UNKNOWN,
    attribute_changes,
    path_text,
    sensitive_variables,
)

# terraform's action lists, as in `show -json` resource_changes[].change.actions
_KIND = {
    ("create",): "add",
    ("update",): "change",
    ("delete",): "destroy",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
}
_ORDER = ("replace", "destroy", "change", "add")  # what can lose data first, so a cut page never hides it

# The Required Action page stays readable; plan-summary.json and the plan task's log have everything.
MAX_RESOURCES = 60
MAX_CHARS = 20_000
MAX_ATTRIBUTES = 20  # per resource on the page


@dataclass
class PlanSummary:
    adds: int = 0
    changes: int = 0
    destroys: int = 0
    replaces: int = 0
    # [{"address", "action", "actions", "attributes": [{"path", "before", "after"}], "replace_paths"}]
    resources: list[dict] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.resources)

    @property
    def destroying(self) -> list[str]:
        """Addresses whose object would be deleted (plain destroys and replacements)."""
        return [r["address"] for r in self.resources if r["action"] in {"destroy", "replace"}]

    def as_dict(self) -> dict:
        return asdict(self)

    def markdown(self, stack: str, full_plan: str = "the log of the `plan` task") -> str:
        """A table of resources and their changed attributes, cut to the page budget.

        ``full_plan`` says where a reviewer finds what the cut leaves out.
        """
        head = (
            f"**Stack `{stack}`**: {self.adds} to add, {self.changes} to change, "
            f"{self.destroys} to destroy, {self.replaces} to replace."
        )
        if not self.resources:
            return head + " No changes."
        lines = [head, "", "| action | resource address | attribute | before → after |", "|---|---|---|---|"]
        size, shown = 0, 0
        for resource in self.resources[:MAX_RESOURCES]:
            rows = _table_rows(resource)
            size += sum(len(row) + 1 for row in rows)
            if shown and size > MAX_CHARS:
                break
            lines += rows
            shown += 1
        left_out = len(self.resources) - shown
        if left_out:
            lines += [
                "",
                f"**{left_out} of {len(self.resources)} resources are not shown** (this page shows at most "
                f"{MAX_RESOURCES} resources and {MAX_CHARS:,} characters). The full plan: {full_plan}.",
            ]
        return "\n".join(lines)


def summarize_plan(plan_json: dict) -> PlanSummary:
    """Count and list the managed-resource changes of ``terraform show -json <plan>``, with attributes."""
    summary = PlanSummary()
    counts: Counter[str] = Counter()
    secrets = sensitive_variables(plan_json)
    for change in plan_json.get("resource_changes", []):
        if change.get("mode") == "data":
            continue
        detail = change.get("change", {})
        actions = tuple(detail.get("actions", []))
        kind = _KIND.get(actions)
        if kind is None:  # no-op, read
            continue
        counts[kind] += 1
        forced = [path_text(steps) for steps in detail.get("replace_paths") or []] if kind == "replace" else []
        summary.resources.append({
            "address": change["address"],
            "action": kind,
            "actions": list(actions),
            # a destroy removes the whole object: its attributes are not a change to review
            "attributes": [] if kind == "destroy" else attribute_changes(detail, forced, secrets),
            "replace_paths": forced,
            "reason": change.get("action_reason"),
        })  # fmt: skip
    summary.adds, summary.changes = counts["add"], counts["change"]
    summary.destroys, summary.replaces = counts["destroy"], counts["replace"]
    summary.resources.sort(key=lambda r: (_ORDER.index(r["action"]), r["address"]))
    return summary


def _table_rows(resource: dict) -> list[str]:
    """The resource's rows: the first names it, the others continue it; forcing attributes first."""
    attributes = sorted(resource["attributes"], key=lambda a: not a.get("forces_replacement"))
    cells = [
        (_code(a["path"]) + (" **forces replacement**" if a.get("forces_replacement") else ""),
         f"{_value(a['before'])} → {_value(a['after'])}")
        for a in attributes[:MAX_ATTRIBUTES]
    ]  # fmt: skip
    if len(attributes) > MAX_ATTRIBUTES:
        cells.append((f"… {len(attributes) - MAX_ATTRIBUTES} more attribute(s)", ""))
    if resource["action"] == "replace" and not resource["replace_paths"] and resource.get("reason"):
        cells.insert(0, ("replaced because", _code(resource["reason"])))
    cells = cells or [("", "")]
    first = f"| {resource['action']} | {_code(resource['address'])} |"
    return [f"{first if i == 0 else '| | |'} {name} | {change} |" for i, (name, change) in enumerate(cells)]


def _value(shown: str) -> str:
    return shown if shown in (SENSITIVE, UNKNOWN) else _code(shown)


def _code(text: str) -> str:
    """A markdown code span that survives backticks and table pipes in the text."""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|")
