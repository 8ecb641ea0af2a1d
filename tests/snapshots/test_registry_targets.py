"""The registry's snapshot targets and distributions (tests build registries from small dicts)."""

from __future__ import annotations

import copy
import json

import pytest
from platform_ops.registry import DEFAULT_REGISTRY, Registry, RegistryError


def _raw() -> dict:
    return copy.deepcopy(json.loads(DEFAULT_REGISTRY.read_text()))


def test_the_local_registry_lists_targets_and_a_production_distribution():
    reg = Registry.from_dict(_raw())
    assert reg.snapshot_target_names() == ["production-eu-west-1", "staging-eu-west-1"]
    target = reg.snapshot_target("production-eu-west-1")
    assert (target.region, target.dr_region, target.keep_daily, target.keep_monthly) == (
        "eu-west-1",
        "us-east-1",
        7,
        12,
    )
    assets = reg.distribution("assets")
    assert assets.stack.name == "data" and assets.output == "assets.distribution_id" and assets.production


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["snapshots"]["targets"]["staging-eu-west-1"].update(dr_region="eu-west-1"), "dr_region"),
        (
            lambda r: r["snapshots"]["targets"]["staging-eu-west-1"].update(account="nobody"),
            "unknown account",
        ),
        (lambda r: r["snapshots"]["targets"]["staging-eu-west-1"]["retention"].update(daily=0), "daily"),
        (lambda r: r["snapshots"]["targets"]["staging-eu-west-1"].update(dr_kms_key_alias="key-1"), "alias"),
        (lambda r: r["cdn"]["distributions"]["assets"].update(stack="nope"), "does not exist"),
        (lambda r: r["cdn"]["distributions"]["assets"].update(account="nobody"), "unknown account"),
        (lambda r: r["cdn"]["distributions"]["assets"].update(output="assets/id"), "output"),
    ],
)
def test_bad_entries_are_refused_when_the_registry_is_read(change, message):
    raw = _raw()
    change(raw)
    with pytest.raises(RegistryError, match=message):
        Registry.from_dict(raw)
