"""What a saved plan will do, per resource address, in a form a reviewer can read in the UI."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

# terraform's action lists, as in `show -json` resource_changes[].change.actions
_KIND = {
    ("create",): "add",
    ("update",): "change",
    ("delete",): "destroy",
    ("delete", "create"): "replace",
    ("create", "delete"): "replace",
}


@dataclass
class PlanSummary:
    adds: int = 0
    changes: int = 0
    destroys: int = 0
    replaces: int = 0
    resources: list[dict] = field(default_factory=list)  # [{"address", "action", "actions"}]

    @property
    def has_changes(self) -> bool:
        return bool(self.resources)

    @property
    def destroying(self) -> list[str]:
        """Addresses whose object would be deleted (plain destroys and replacements)."""
        return [r["address"] for r in self.resources if r["action"] in {"destroy", "replace"}]

    def as_dict(self) -> dict:
        return asdict(self)

    def markdown(self, stack: str) -> str:
        lines = [
            f"**Stack `{stack}`**: {self.adds} to add, {self.changes} to change, "
            f"{self.destroys} to destroy, {self.replaces} to replace.",
            "",
        ]
        if not self.resources:
            return lines[0] + " No changes."
        lines += ["| action | resource address |", "|---|---|"]
        lines += [f"| {r['action']} | `{r['address']}` |" for r in self.resources]
        return "\n".join(lines)


def summarize_plan(plan_json: dict) -> PlanSummary:
    """Count and list the managed-resource changes of ``terraform show -json <plan>``."""
    summary = PlanSummary()
    counts: Counter[str] = Counter()
    for change in plan_json.get("resource_changes", []):
        if change.get("mode") == "data":
            continue
        actions = tuple(change.get("change", {}).get("actions", []))
        kind = _KIND.get(actions)
        if kind is None:  # no-op, read
            continue
        counts[kind] += 1
        summary.resources.append({"address": change["address"], "action": kind, "actions": list(actions)})
    summary.adds, summary.changes = counts["add"], counts["change"]
    summary.destroys, summary.replaces = counts["destroy"], counts["replace"]
    summary.resources.sort(key=lambda r: (r["action"], r["address"]))
    return summary
