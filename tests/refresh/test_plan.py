"""The refresh plan and options as plain functions: names, machine inputs per mode, option rules."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import jsonschema
import pytest
from platform_ops.refresh import plan as refresh_plan
from platform_ops.refresh.options import (
    OptionsError,
    check_options,
    defaults,
    not_after_pattern,
    param_schemas,
)
from platform_ops.registry import registry

RUN_AFTER = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


class Look:
    def __init__(self, outputs=None, existing=(), attempted=()):
        self.outputs, self.existing, self.started = outputs or {}, set(existing), set(attempted)

    def output(self, task_id):
        return self.outputs.get(task_id)

    def cluster_exists(self, identifier):
        return identifier in self.existing

    def attempted(self, task_id):
        return task_id in self.started


def a_plan(**options):
    reg = registry()
    dest = reg.refresh_destination("staging")
    return refresh_plan.build_plan(
        dest, reg.refresh, defaults({**dest.options, **options}), "manual__1", RUN_AFTER, ["222222222222"]
    )


def test_names_roles_and_a_snapshot_id_that_is_the_same_for_every_try():
    plan = a_plan()
    assert plan["names"] == {"target": "stg-aurora", "restore": "stg-aurora-restore", "old": "stg-aurora-old"}
    assert plan["source"]["RoleArn"] == "arn:aws:iam::222222222222:role/refresh-source"
    assert plan["target"]["RoleArn"] == "arn:aws:iam::333333333333:role/refresh-destination"
    assert plan["snapshot"]["identifier"] == a_plan()["snapshot"]["identifier"]
    assert re.fullmatch(r"refresh-staging-202611280200-[0-9a-f]{8}", plan["snapshot"]["identifier"])


def test_restore_input_follows_the_snapshot_mode():
    look = Look(
        {"create_snapshot": {"EngineVersion": "8.0.x"}, "share_snapshot": {"SnapshotArn": "arn:snap"}}
    )
    manual = refresh_plan.machine_input("restore", a_plan(), look)
    assert manual["RestoreType"] == "from-snapshot" and manual["SnapshotIdentifier"] == "arn:snap"
    assert manual["EngineVersion"] == "8.0.x" and manual["DbClusterIdentifier"] == "stg-aurora-restore"
    pitr = refresh_plan.machine_input(
        "restore", a_plan(snapshot="point_in_time", restore_to="2026-11-27T00:00:00Z"), look
    )
    assert pitr["RestoreType"] == "point-in-time" and pitr["RestoreToTime"] == "2026-11-27T00:00:00Z"
    assert pitr["SourceDbClusterIdentifier"] == "arn:aws:rds:eu-west-1:222222222222:cluster:prod-aurora"
    assert refresh_plan.machine_input("create_snapshot", a_plan(snapshot="fast_clone"), look) is None
    assert refresh_plan.machine_input("find_snapshot", a_plan(), look) is None


def test_switch_steps_depend_on_what_exists():
    plan = a_plan()
    exists = Look({"prepare": {"TargetCluster": {"Exists": True}}})
    assert (
        refresh_plan.machine_input("rename_old", plan, exists)["NewDbClusterIdentifier"] == "stg-aurora-old"
    )
    assert refresh_plan.machine_input("delete_target", plan, exists) is None
    assert (
        refresh_plan.machine_input(
            "rename_old", plan, Look({"prepare": {"TargetCluster": {"Exists": False}}})
        )
        is None
    )
    no_rename = a_plan(rename_old=False, delete_old=False)
    assert refresh_plan.machine_input("delete_target", no_rename, exists)["ProtectedAccountIds"] == [
        "222222222222"
    ]
    # rollback only when this run started rename_old, -old exists and the target name is free
    half_done = Look(existing={"stg-aurora-old"}, attempted={"rename_old"})
    assert (
        refresh_plan.machine_input("restore_old_name", plan, half_done)["NewDbClusterIdentifier"]
        == "stg-aurora"
    )
    assert refresh_plan.machine_input("restore_old_name", plan, Look(existing={"stg-aurora-old"})) is None
    done = Look(existing={"stg-aurora-old", "stg-aurora"}, attempted={"rename_old"})
    assert refresh_plan.machine_input("restore_old_name", plan, done) is None


@pytest.mark.parametrize(
    "options, message",
    [
        ({"snapshot": "point_in_time"}, "restore_to"),
        ({"restore_to": "2026-01-01T00:00:00Z"}, "restore_to"),
        ({"delete_old": True, "keep_old_days": 3}, "keep_old_days"),
        ({"snapshot": "yesterday"}, "snapshot"),
        ({"snapshot": "point_in_time", "restore_to": "2999-01-01T00:00:00Z"}, "in the future"),
    ],
)
def test_options_that_no_refresh_runs_with(options, message):
    with pytest.raises(OptionsError, match=message):
        check_options({**defaults({}), **options})


def test_the_restore_to_bound_is_lexicographic_on_utc_text():
    bound = datetime(2026, 12, 1, 12, 40, 5, tzinfo=UTC)
    pattern = not_after_pattern(bound)
    for delta, ok in [
        (0, True),
        (1, False),
        (-1, True),
        (-86400 * 400, True),
        (3600, False),
        (86400 * 40, False),
    ]:
        text = (bound + timedelta(seconds=delta)).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert bool(re.match(pattern, text)) is ok, text
    schema = param_schemas(bound)["restore_to"]
    jsonschema.validate("2026-12-01T12:40:05Z", schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate("2026-12-01T12:40:06Z", schema)
