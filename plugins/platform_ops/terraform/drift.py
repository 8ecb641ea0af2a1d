"""Per-resource drift report from a plan, with the repo's ignore list applied.

Two sources, kept apart because they mean different things:
- ``resource_drift``: objects changed outside Terraform (found during refresh), limited to the
  attributes terraform lists in ``relevant_attributes`` (the rest is refresh noise: computed
  values filled in, null read back as an empty map);
- ``resource_changes``: what the plan would do to existing objects (update/delete/replace),
  which includes drift pulled back to the code and code that was never applied. Creates of
  objects not yet in state are listed as ``pending_creates``, not as drift.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from pathlib import Path

from platform_ops.registry import REPO_ROOT
from platform_ops.terraform.plan_diff import attribute_changes, sensitive_variables

IGNORE_FILE = REPO_ROOT / "terraform" / "drift-ignore.json"


def load_ignore_rules(path: Path = IGNORE_FILE) -> list[dict]:
    """``[{"address": "<glob>", "attributes": ["<attr>", ...] or ["*"], "reason": "..."}]``."""
    if not path.exists():
        return []
    rules = json.loads(path.read_text()).get("rules", [])
    for rule in rules:
        if not rule.get("address") or not rule.get("attributes") or not rule.get("reason"):
            raise ValueError(f"{path}: every ignore rule needs address, attributes and reason: {rule}")
    return rules


def changed_attributes(before, after) -> list[str]:
    """Dotted paths of the attributes that differ between two JSON values (null == empty)."""
    return [row["path"] for row in attribute_changes({"before": before, "after": after})]


def _top(attribute: str) -> str:
    return attribute.split(".", 1)[0].split("[", 1)[0]


def _ignored(address: str, attribute: str, rules: list[dict]) -> bool:
    for rule in rules:
        if fnmatch.fnmatchcase(address, rule["address"]):
            if "*" in rule["attributes"] or _top(attribute) in rule["attributes"] or attribute in rule["attributes"]:
                return True
    return False


def _relevant(plan_json: dict) -> dict[str, set[str]]:
    """Top-level attribute names per address that matter to the plan (terraform's own list)."""
    found: dict[str, set[str]] = {}
    for item in plan_json.get("relevant_attributes", []):
        path = item.get("attribute") or []
        found.setdefault(item["resource"], set()).add(str(path[0]) if path else "*")
    return found


def _entries(
    items: list[dict], source: str, rules: list[dict], secrets: set[str], relevant: dict | None = None
) -> list[dict]:
    out = []
    for item in items:
        if item.get("mode") == "data":
            continue
        change = item.get("change", {})
        actions = change.get("actions", [])
        if actions in (["no-op"], ["read"], ["create"]):
            continue
        rows = attribute_changes(change, secrets=secrets)  # masked: reports and notices show values
        if relevant is not None:
            keep = relevant.get(item["address"], set())
            rows = [r for r in rows if "*" in keep or _top(r["path"]) in keep]
            if not rows:
                continue
        if actions == ["update"]:
            rows = [r for r in rows if not _ignored(item["address"], r["path"], rules)]
            if not rows:
                continue
        elif any(_ignored(item["address"], "*", [r]) for r in rules if "*" in r["attributes"]):
            continue
        out.append({
            "address": item["address"],
            "source": source,
            "actions": actions,
            "attributes": [r["path"] for r in rows],
            "changes": rows,
        })  # fmt: skip
    return out


def drift_report(stack: str, plan_json: dict, rules: list[dict], eks_mismatches: list[dict] | None = None) -> dict:
    """The stack's report; ``fingerprint`` changes only when what is drifted changes."""
    secrets = sensitive_variables(plan_json)
    drifted = _entries(plan_json.get("resource_drift", []), "drift", rules, secrets, _relevant(plan_json))
    drifted += _entries(plan_json.get("resource_changes", []), "plan", rules, secrets)
    pending = sorted(
        rc["address"]
        for rc in plan_json.get("resource_changes", [])
        if rc.get("mode") != "data" and rc.get("change", {}).get("actions") == ["create"]
    )
    drifted.sort(key=lambda d: (d["address"], d["source"]))
    eks = sorted(eks_mismatches or [], key=lambda m: (m["cluster"], m["nodegroup"]))
    # which attributes drifted, not their values: a value that keeps moving is not news every month
    what = [{k: v for k, v in d.items() if k != "changes"} for d in drifted]
    material = {"drifted": what, "eks_nodegroups": eks}
    fingerprint = hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()
    return {
        "stack": stack,
        "drifted": drifted,
        "pending_creates": pending,
        "eks_nodegroups": eks,
        "has_drift": bool(drifted or eks),
        "fingerprint": fingerprint,
    }


def eks_nodegroup_mismatches(state_resources: list[dict], list_nodegroups) -> list[dict]:
    """Node groups that exist in AWS but not in state (``unmanaged``) or the reverse (``missing``).

    ``list_nodegroups(cluster_name) -> list[str]`` asks AWS (EksHook.list_nodegroups).
    """
    clusters = {r["values"]["name"] for r in state_resources if r.get("type") == "aws_eks_cluster"}
    in_state: dict[str, set[str]] = {c: set() for c in clusters}
    for r in state_resources:
        if r.get("type") == "aws_eks_node_group":
            in_state.setdefault(r["values"]["cluster_name"], set()).add(r["values"]["node_group_name"])
    mismatches = []
    for cluster, expected in sorted(in_state.items()):
        actual = set(list_nodegroups(cluster))
        mismatches += [{"cluster": cluster, "nodegroup": n, "problem": "unmanaged"} for n in sorted(actual - expected)]
        mismatches += [{"cluster": cluster, "nodegroup": n, "problem": "missing"} for n in sorted(expected - actual)]
    return mismatches
