"""Resolve a drill's targets from the ``drill_targets`` contract and the live tags, or refuse.

The ``dr-platform`` stack publishes the contract as SSM parameters (``<ssm_path>/json``, in both
Regions). Resolution reads it, then asks EC2 what really points at the drill's NAT gateway
(``route.nat-gateway-id`` filter): every private route table whose default route targets it is a
target, whether the contract lists it or not. It refuses, before any change, when

- the contract's account or the targets' Region is outside the spec's blast radius;
- a target lacks one of the spec's tags (``DrillEligible``/``DrillScope``), or is not in the
  contract (a hand-made table pointing at the NAT gateway);
- there are more targets than ``blast_radius.max_targets``.

Alarm references (``health_check.secondary``) resolve to the alarm's name and Region from the
contract's ``alarms`` map, and each Region's event queue from its ``events`` map.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from platform_ops.drills.spec import DrillRefused, Spec

SCHEMA_VERSION = 1


class StackMissing(DrillRefused):
    """The drill_targets contract is not published (the dr-platform stack is not applied)."""


@dataclass(frozen=True)
class Alarm:
    ref: str
    name: str
    region: str

    def as_dict(self) -> dict:
        return {"ref": self.ref, "name": self.name, "region": self.region}


def read_contract(spec: Spec, ssm_client) -> dict:
    """The ``drill_targets`` map from SSM, or ``StackMissing`` saying what to apply."""
    source = spec["targets"]
    name = f"{source['ssm_path']}/json"
    try:
        value = ssm_client.get_parameter(Name=name)["Parameter"]["Value"]
    except ssm_client.exceptions.ParameterNotFound:
        raise StackMissing(
            f"drill {spec.drill} refused: the drill_targets contract {name} is not in account "
            f"{source['account']} ({source['region']}): the {source['stack']} stack is not applied "
            "yet (make demo applies it in the background; wait for it, or run terraform_apply for it)"
        ) from None
    contract = json.loads(value)
    if contract.get("schema_version") != SCHEMA_VERSION:
        raise DrillRefused(
            f"drill {spec.drill} refused: drill_targets schema_version {contract.get('schema_version')!r}, "
            f"this code reads {SCHEMA_VERSION}"
        )
    return contract


def resolve_alarm(contract: dict, ref: str) -> Alarm:
    kind, key = ref.split(".", 1)
    alarms = contract.get("alarms") or {}
    names = alarms.get(kind) or {}
    if key not in names:
        raise DrillRefused(f"alarm {ref!r} is not in the drill_targets contract (kinds: {sorted(alarms)})")
    region = (alarms.get("regions") or {}).get(kind)
    if isinstance(region, dict):
        region = region.get(key)
    if not region:
        raise DrillRefused(f"alarm {ref!r}: the contract gives no Region for {kind!r}")
    return Alarm(ref, names[key], region)


def event_queue(contract: dict, region: str) -> str:
    """The native-events queue URL of ``region`` (the stop watch's event source)."""
    for entry in (contract.get("events") or {}).values():
        if entry.get("region") == region:
            return entry["queue_url"]
    raise DrillRefused(
        f"the drill_targets contract has no event queue for {region} (events: {contract.get('events')})"
    )


def _tags(resource: dict) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def check_blast_radius(spec: Spec, contract: dict, account_id: str, region: str) -> None:
    radius = spec["blast_radius"]
    if contract.get("account_id") != account_id:
        raise DrillRefused(
            f"drill {spec.drill} refused: the contract is of account {contract.get('account_id')}, "
            f"the blast radius allows {radius['accounts']} ({account_id})"
        )
    if region not in radius["regions"]:
        raise DrillRefused(
            f"drill {spec.drill} refused: targets in {region}, the blast radius allows {radius['regions']}"
        )


def missing_tags(spec: Spec, resource: dict) -> dict[str, str]:
    """The spec's tags the resource lacks or has with another value."""
    have = _tags(resource)
    return {k: v for k, v in spec["blast_radius"]["tags"].items() if have.get(k) != v}


def refuse_untagged(spec: Spec, kind: str, resource_id: str, resource: dict) -> None:
    missing = missing_tags(spec, resource)
    if missing:
        raise DrillRefused(
            f"drill {spec.drill} refused: {kind} {resource_id} lacks the drill tags {missing} "
            "(only resources tagged by the dr-platform stack may be touched)"
        )


def refuse_too_many(spec: Spec, targets: list[str], what: str) -> None:
    limit = spec["blast_radius"]["max_targets"]
    if len(targets) > limit:
        raise DrillRefused(
            f"drill {spec.drill} refused: {len(targets)} {what} resolved ({', '.join(targets)}), "
            f"the blast radius allows at most {limit}"
        )
