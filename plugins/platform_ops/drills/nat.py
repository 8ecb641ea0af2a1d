"""The NAT fault: cut a NAT gateway off every private route table that sends 0.0.0.0/0 to it.

VPC route tables have no "blackhole" target (only Transit Gateway route tables do): a route
shows ``blackhole`` only when its target is gone. Removing the default route has the same effect
on the wire, with nothing to clean up: traffic to the internet matches no route and is dropped,
while the local route and the S3 gateway endpoint's prefix-list route keep working (as they would
in a real NAT outage). The rollback re-creates each route exactly as recorded before the change
(same destination, same NAT gateway) and then compares each route table with its recorded
description, attribute for attribute.

Plain functions over an EC2 client; no Airflow import.
"""

from __future__ import annotations

from typing import Any

from platform_ops.drills import targets as tg
from platform_ops.drills.spec import DrillRefused, Spec

DEFAULT_ROUTE = "0.0.0.0/0"


def choose_nat(spec: Spec, network: dict, nat_gateway_id: str | None) -> str:
    nats = network.get("nat_gateways") or {}
    if not nats:
        raise DrillRefused(
            f"drill {spec.drill} refused: the contract lists no NAT gateway in {network.get('region')}"
        )
    if nat_gateway_id:
        if nat_gateway_id not in nats:
            raise DrillRefused(
                f"drill {spec.drill} refused: NAT gateway {nat_gateway_id} is not a drill target "
                f"(the contract lists {sorted(nats)})"
            )
        return nat_gateway_id
    # The NAT gateway of the first Availability Zone: with single_nat_gateway it is the only one.
    return min(nats, key=lambda nat: (nats[nat]["availability_zone"], nat))


def resolve(spec: Spec, contract: dict, ec2, network_role: str, nat_gateway_id: str | None) -> dict:
    """The NAT gateway and the route tables whose default route targets it, checked, or refused."""
    network = (contract.get("network") or {}).get(network_role)
    if not network:
        raise DrillRefused(f"drill {spec.drill} refused: the contract has no {network_role!r} network")
    nat_id = choose_nat(spec, network, nat_gateway_id)
    (nat,) = ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"]
    tg.refuse_untagged(spec, "NAT gateway", nat_id, nat)
    if nat.get("State") != "available":
        raise DrillRefused(
            f"drill {spec.drill} refused: NAT gateway {nat_id} is {nat.get('State')}, not available"
        )
    found = ec2.describe_route_tables(Filters=[{"Name": "route.nat-gateway-id", "Values": [nat_id]}])[
        "RouteTables"
    ]
    tables = sorted((t for t in found if _default_route(t, nat_id)), key=lambda t: t["RouteTableId"])
    ids = [t["RouteTableId"] for t in tables]
    tg.refuse_too_many(spec, ids, f"route tables with 0.0.0.0/0 → {nat_id}")
    listed = set(network["nat_gateways"][nat_id]["private_route_table_ids"])
    for table in tables:
        tg.refuse_untagged(spec, "route table", table["RouteTableId"], table)
        if table["RouteTableId"] not in listed:
            raise DrillRefused(
                f"drill {spec.drill} refused: route table {table['RouteTableId']} sends 0.0.0.0/0 to {nat_id} "
                f"but is not in the drill_targets contract ({sorted(listed)})"
            )
    if not ids:
        raise DrillRefused(f"drill {spec.drill} refused: no route table sends 0.0.0.0/0 to {nat_id}")
    return {
        "kind": "nat_gateway",
        "nat_gateway_id": nat_id,
        "availability_zone": network["nat_gateways"][nat_id]["availability_zone"],
        "vpc_id": network["vpc_id"],
        "region": network["region"],
        "route_table_ids": ids,
    }


def _default_route(table: dict, nat_id: str | None = None) -> dict | None:
    for route in table.get("Routes", []):
        if route.get("DestinationCidrBlock") == DEFAULT_ROUTE and (
            nat_id is None or route.get("NatGatewayId") == nat_id
        ):
            return route
    return None


def planned_calls(resolved: dict) -> dict[str, list[dict]]:
    """The exact EC2 calls of the fault and of its rollback, in order."""
    region, nat = resolved["region"], resolved["nat_gateway_id"]
    inject = [
        {"service": "ec2", "region": region, "action": "DeleteRoute",
         "params": {"RouteTableId": rtb, "DestinationCidrBlock": DEFAULT_ROUTE}}
        for rtb in resolved["route_table_ids"]
    ]  # fmt: skip
    rollback = [
        {"service": "ec2", "region": region, "action": "CreateRoute",
         "params": {"RouteTableId": rtb, "DestinationCidrBlock": DEFAULT_ROUTE, "NatGatewayId": nat}}
        for rtb in resolved["route_table_ids"]
    ]  # fmt: skip
    return {"inject": inject, "rollback": rollback}


def describe_tables(ec2, route_table_ids: list[str]) -> dict[str, dict]:
    tables = ec2.describe_route_tables(RouteTableIds=list(route_table_ids))["RouteTables"]
    return {t["RouteTableId"]: t for t in tables}


def _call(record: list[dict], ec2, action: str, **params) -> dict:
    method = {
        "DeleteRoute": ec2.delete_route,
        "CreateRoute": ec2.create_route,
        "ReplaceRoute": ec2.replace_route,
    }[action]
    response = method(**params)
    record.append({"service": "ec2", "action": action, "params": params,
                   "request_id": response.get("ResponseMetadata", {}).get("RequestId")})  # fmt: skip
    return response


def inject(ec2, resolved: dict, before: dict[str, dict], calls: list[dict]) -> None:
    """Remove each recorded default route to the NAT gateway (a table already without it is skipped)."""
    current = describe_tables(ec2, resolved["route_table_ids"])
    for rtb in resolved["route_table_ids"]:
        if _default_route(before[rtb], resolved["nat_gateway_id"]) is None:
            raise DrillRefused(
                f"route table {rtb}: no recorded default route to {resolved['nat_gateway_id']}"
            )
        if _default_route(current[rtb]) is not None:
            _call(calls, ec2, "DeleteRoute", RouteTableId=rtb, DestinationCidrBlock=DEFAULT_ROUTE)


def restore(ec2, before: dict[str, dict], calls: list[dict]) -> None:
    """Put back each recorded default route: create it when missing, replace it when it points elsewhere."""
    current = describe_tables(ec2, list(before))
    for rtb, table in before.items():
        recorded = _default_route(table)
        now = _default_route(current[rtb])
        target = {k: v for k, v in recorded.items() if k.endswith("Id") and v}
        if now is None:
            _call(calls, ec2, "CreateRoute", RouteTableId=rtb, DestinationCidrBlock=DEFAULT_ROUTE, **target)
        elif {k: v for k, v in now.items() if k.endswith("Id") and v} != target:
            _call(calls, ec2, "ReplaceRoute", RouteTableId=rtb, DestinationCidrBlock=DEFAULT_ROUTE, **target)


def _normal(table: dict) -> dict[str, Any]:
    """A route table description as comparable attribute paths (lists keyed by what identifies an item)."""
    flat: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else key, item)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(f"{prefix}[{_item_key(item, i)}]", item)
        else:
            flat[prefix] = value

    walk("", {k: v for k, v in table.items() if k != "ResponseMetadata"})
    return flat


def _item_key(item: Any, index: int) -> str:
    if isinstance(item, dict):
        for key in ("DestinationCidrBlock", "DestinationPrefixListId", "DestinationIpv6CidrBlock",
                    "RouteTableAssociationId", "Key"):  # fmt: skip
            if key in item:
                return str(item[key])
    return str(index)


def differences(before: dict[str, dict], after: dict[str, dict]) -> list[str]:
    """Every attribute that differs, as ``rtb-…: Routes[0.0.0.0/0].NatGatewayId: before → after``."""
    out = []
    for rtb in sorted(set(before) | set(after)):
        if rtb not in after:
            out.append(f"{rtb}: missing after the rollback")
            continue
        old, new = _normal(before.get(rtb, {})), _normal(after[rtb])
        for path in sorted(set(old) | set(new)):
            if old.get(path) != new.get(path):
                out.append(f"{rtb}: {path}: {old.get(path, '(absent)')!r} → {new.get(path, '(absent)')!r}")
    return out
