"""``refresh_staging`` runs with ``dag.test()`` against the local AWS, cross-account as deployed.

The machines run in shared services (``refresh_seed.deploy_machines``, each definition rewritten
by ``tests/stepfunctions/moto_casing`` because moto speaks boto's casing); each task acts in the
account of the role it names (``local/moto_sfn_credentials``): snapshot and share in production,
everything else in staging. The registry's ``poll_interval_seconds`` is 0 and moto's clusters are
available at once, so no machine sleeps. Masking runs through ``asl/db/run_sql_from_s3`` and the
local double of the run_sql Lambda (``local/refresh_double``), which tags the cluster it ran on
with the script's marker.

One module fixture: a local AWS of this module's own with moto's request recorder on
(``tests/snapshots/recording``), whose request log proves the dry run changes nothing and the
source account sees nothing but snapshot create/share. Each test gets it reset and seeded.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from functools import cache
from types import SimpleNamespace

import pytest
from platform_ops.local.clients import account_client
from platform_ops.local.moto_casing import to_moto
from platform_ops.local.refresh_double import TAG_PREFIX, marker
from platform_ops.local.refresh_seed import MASK_SCRIPT, MASK_SCRIPT_NAME, seed_refresh
from platform_ops.local.seed import read_notifications
from platform_ops.refresh import plan as refresh_plan
from platform_ops.registry import Registry, RegistryError, registry

from tests.dagrun import REPO, assert_refused_before_a_run_exists, load_dag, run_dag, task_states
from tests.snapshots.recording import (  # noqa: F401 - fixtures
    fast_registry,
    mutating,
    recorded_aws,
    recording_server,
    requests_made,
    reset_recording,
)

REGION = "eu-west-1"
MASKED = {TAG_PREFIX + MASK_SCRIPT_NAME: marker(MASK_SCRIPT)}
# What the source account may be asked to change: the new snapshot, its share, the KMS grant on it.
SOURCE_WRITES = {"createDBClusterSnapshot", "modifyDBClusterSnapshotAttribute", "createGrant"}


@cache
def _adapted(text: str) -> str:
    return json.dumps(to_moto(json.loads(text)))


def adapt(definition: dict) -> dict:
    """``to_moto``, once per definition per session (it walks botocore's shapes)."""
    return json.loads(_adapted(json.dumps(definition, sort_keys=True)))


@pytest.fixture
def refresh_bundle(tmp_path, monkeypatch):
    """A DAG bundle of only the refresh DAG files (links): ``dag.test()`` parses its whole bundle
    before a run, which for all of dags/ costs several seconds a run on 2 cores."""
    folder = tmp_path / "refresh-dags"
    folder.mkdir()
    for path in sorted((REPO / "dags").glob("refresh_*.py")):
        (folder / path.name).symlink_to(path)
    bundle = {"name": "dags-folder", "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
              "kwargs": {"path": str(folder), "refresh_interval": 0}}  # fmt: skip
    monkeypatch.setenv("AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST", json.dumps([bundle]))
    return folder


@pytest.fixture
def world(recorded_aws, refresh_bundle):  # noqa: F811 - the fixture imported above
    """Recorded local AWS + refresh seed and machines + pools; the request log starts empty."""
    from airflow.models.pool import Pool

    seed_refresh(recorded_aws.endpoint, adapt)
    reg = registry()
    for name in reg.refresh_destination_names():
        Pool.create_or_update_pool(reg.refresh_destination(name).pool, 4, "refresh", include_deferred=False)
    read_notifications(recorded_aws.endpoint)  # the inbox starts empty too
    reset_recording(recorded_aws)
    return recorded_aws


def rds(endpoint: str, account: str):
    return account_client(endpoint, account, "rds", REGION)


def clusters(endpoint: str, account: str) -> dict[str, dict]:
    return {c["DBClusterIdentifier"]: c for c in rds(endpoint, account).describe_db_clusters()["DBClusters"]}


def tags(endpoint: str, account: str, arn: str) -> dict[str, str]:
    listed = rds(endpoint, account).list_tags_for_resource(ResourceName=arn)["TagList"]
    return {t["Key"]: t["Value"] for t in listed}


def source_role_actions(endpoint: str) -> set[str]:
    """Every SDK action the refresh machines called as the source (production) role (the world
    is fresh per test, so every execution is this test's run).

    From the execution histories (TaskScheduled: resource + credentials), not the request log:
    the log cannot tell accounts apart here (moto's GetAccessKeyInfo ignores assumed roles).
    """
    settings = registry().refresh
    source_role = settings.role_arn(registry().account("production"), "source")
    sfn = account_client(endpoint, settings.account.name, "stepfunctions", REGION)
    actions = set()
    for definition in {step.definition for step in refresh_plan.STEPS.values()}:
        for execution in _executions(endpoint, definition):
            for event in sfn.get_execution_history(executionArn=execution["executionArn"], maxResults=1000)[
                "events"
            ]:
                details = event.get("taskScheduledEventDetails")
                if details and details.get("taskCredentials", {}).get("roleArn") == source_role:
                    actions.add(details["resource"])
    return actions


def _executions(endpoint: str, definition: str) -> list[dict]:
    settings = registry().refresh
    sfn = account_client(endpoint, settings.account.name, "stepfunctions", REGION)
    return sfn.list_executions(stateMachineArn=settings.state_machine_arn(definition))["executions"]


def _history(endpoint: str, run_id: str) -> dict:
    settings = registry().refresh
    dynamodb = account_client(endpoint, settings.account.name, "dynamodb", REGION)
    item = dynamodb.get_item(
        TableName=settings.history_table, Key={"destination": {"S": "staging"}, "run_id": {"S": run_id}}
    )["Item"]
    from boto3.dynamodb.types import TypeDeserializer

    return {k: TypeDeserializer().deserialize(v) for k, v in item.items()}


def _evidence(endpoint: str, run_id: str) -> dict:
    reg = registry()
    s3 = account_client(endpoint, reg.artifacts_account.name, "s3", REGION)
    key = f"refresh/staging/run={run_id}/try=1/record.json"
    return json.loads(s3.get_object(Bucket=reg.artifacts_bucket, Key=key)["Body"].read())


def test_happy_path_masks_before_the_switch_records_and_leaves_nothing(world):
    endpoint = world.endpoint
    before = clusters(endpoint, "staging")
    old_id = before["stg-aurora"]["DbClusterResourceId"]
    dag_run = run_dag("refresh_staging")
    states = task_states(dag_run)
    assert str(dag_run.state) == "success", states
    after = clusters(endpoint, "staging")
    # the same names as before (no -restore, no -old left: delete_old), but a new cluster holds the
    # target name, and it is the one the masking script ran on (the double's marker)
    assert sorted(after) == sorted(before)
    new = after["stg-aurora"]
    assert new["DbClusterResourceId"] != old_id
    assert tags(endpoint, "staging", new["DBClusterArn"]).items() >= {**MASKED, "refresh": "true"}.items()
    # the new cluster's two instances under the target's names, created by this run (its tag);
    # read from the instances: moto does not move cluster memberships when a cluster is renamed
    run_tag = {t["Key"]: t["Value"] for t in _evidence(endpoint, dag_run.run_id)["plan_tags"]}
    instances = rds(endpoint, "staging").describe_db_instances()["DBInstances"]
    ours = {
        i["DBInstanceIdentifier"]: i for i in instances if i["DBInstanceIdentifier"].startswith("stg-aurora")
    }
    assert sorted(ours) == ["stg-aurora-1", "stg-aurora-2"]
    assert all(
        tags(endpoint, "staging", i["DBInstanceArn"]).items() >= run_tag.items() for i in ours.values()
    )
    # mask ran before the switch: the rename of the new cluster started after the mask ended
    (mask,) = _executions(endpoint, "db/run_sql_from_s3")
    renames = sorted(_executions(endpoint, "db/rename_cluster"), key=lambda e: e["startDate"])
    assert len(renames) == 2 and mask["stopDate"] <= renames[0]["startDate"]
    skipped = {"find_snapshot", "s3_integration", "efs_restore", "efs_mount_targets", "efs_subpath",
               "delete_target", "rotate_secrets", "eks_scale", "keep_old", "stop_at_end", "restore_old_name"}  # fmt: skip
    assert {t for t, s in states.items() if s == "skipped"} == skipped | {"run_outcome"}
    # the source saw nothing but reads and the snapshot's create and share
    writes = {a for a in source_role_actions(endpoint) if not a.startswith(("describe", "list", "get"))}
    assert writes == SOURCE_WRITES
    # record: history item + evidence file with every execution, the snapshot, phases, who
    history, evidence = _history(endpoint, dag_run.run_id), _evidence(endpoint, dag_run.run_id)
    assert history["evidence"].endswith(f"run={dag_run.run_id}/try=1/record.json")
    assert evidence["outcome"] == "succeeded" and evidence["triggered_by"]
    assert set(evidence["executions"]) == {t for t, s in states.items() if s == "success"} & set(
        refresh_plan.STEPS
    )
    assert (
        evidence["snapshot"]["identifier"].startswith("refresh-staging-")
        and evidence["snapshot"]["SnapshotArn"]
    )
    assert evidence["phases"]["restore"]["state"] == "success" and evidence["cleanup_removed"] == []
    notices = read_notifications(endpoint)
    assert [n["subject"] for n in notices] == ["[platform-ops] refresh_staging succeeded"]
    # A worker that died mid-wait: its retry runs the same wait path again in the same run and
    # re-attaches to the execution by its name, so the history keeps one execution.
    _rerun_step(dag_run, "restore")
    assert len(_executions(endpoint, "db/restore_cluster")) == 1


def _rerun_step(dag_run, task_id: str):
    """Run ``task_id``'s execute again as its retry would (same run id, XComs of the run)."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    op = load_dag("refresh_staging").get_task(task_id)
    with create_session() as session:
        rows = (
            session.query(XComModel)
            .filter(XComModel.run_id == dag_run.run_id, XComModel.key == "return_value")
            .all()
        )
        values = {row.task_id: XComModel.deserialize_value(row) for row in rows}
    pushed = {}
    ti = SimpleNamespace(dag_id=dag_run.dag_id, run_id=dag_run.run_id, task_id=task_id, map_index=-1)
    ti.xcom_pull = lambda task_ids=None, key="return_value": (
        values.get(task_ids) if key == "return_value" else None
    )
    ti.xcom_push = lambda key, value: pushed.__setitem__(key, value)
    output = op.execute({"ti": ti})
    assert output["Status"] == "Completed" and pushed["execution_arn"]
    return output


def test_refresh_dev_keeps_the_old_cluster_tagged_and_stops_the_new_one(world):
    """dev's registry options: keep_old_days 7 (no delete_old) and stop_at_end."""
    endpoint = world.endpoint
    dag_run = run_dag("refresh_dev")
    states = task_states(dag_run)
    assert str(dag_run.state) == "success", states
    assert states["keep_old"] == states["stop_at_end"] == "success" and states["delete_old"] == "skipped"
    after = clusters(endpoint, "dev")
    assert after["dev-aurora"]["Status"] == "stopped"
    assert tags(endpoint, "dev", after["dev-aurora"]["DBClusterArn"]).items() >= MASKED.items()
    kept_until = (dag_run.run_after.date() + timedelta(days=7)).isoformat()
    assert (
        tags(endpoint, "dev", after["dev-aurora-old"]["DBClusterArn"])["refresh:delete-after"] == kept_until
    )


def test_dry_run_resolves_the_plan_and_changes_nothing(world):
    dag_run = run_dag("refresh_staging", conf={"dry_run": True})
    states = task_states(dag_run)
    assert str(dag_run.state) == "success", states
    assert states["preflight"] == "success" and states["dry_run_gate"] == "success"
    assert {s for t, s in states.items() if t not in ("preflight", "dry_run_gate")} == {"skipped"}, states
    requests = requests_made(world)
    assert requests, "the plan was resolved against the local AWS"
    assert mutating(requests) == []


def failed_refresh(endpoint: str):
    """Run refresh_staging, which must fail and leave staging as it was: the same cluster names
    (no -restore, no -old) and the old cluster itself (same resource id) under the target name."""
    before = clusters(endpoint, "staging")
    dag_run = run_dag("refresh_staging")
    states = task_states(dag_run)
    assert str(dag_run.state) == "failed", states
    after = clusters(endpoint, "staging")
    assert sorted(after) == sorted(before)
    assert after["stg-aurora"]["DbClusterResourceId"] == before["stg-aurora"]["DbClusterResourceId"]
    return dag_run, states, after, [n["subject"] for n in read_notifications(endpoint)]


def test_a_failed_step_before_the_switch_removes_the_restore_and_keeps_the_old(world, monkeypatch):
    """The new cluster's instances cannot be created (a parameter group that does not exist)."""
    raw = json.loads(registry().path.read_text())
    raw["refresh"]["destinations"]["staging"]["database"]["instance_parameter_group"] = "no-such-group"
    variant = registry().path.with_name("registry-broken.json")
    variant.write_text(json.dumps(raw))
    monkeypatch.setenv("PLATFORM_OPS_REGISTRY", str(variant))
    endpoint = world.endpoint
    dag_run, states, after, subjects = failed_refresh(endpoint)
    assert states["restore"] == "success" and states["create_instances"] == "failed", states
    assert states["rename_old"] == "upstream_failed" and states["cleanup"] == "success"
    assert MASKED.keys().isdisjoint(tags(endpoint, "staging", after["stg-aurora"]["DBClusterArn"]))
    assert "[platform-ops] refresh_staging failed in phase 4 database (create_instances)" in subjects
    assert "[platform-ops] refresh_staging FAILED in phase 4 database (create_instances)" in subjects
    record = _evidence(endpoint, dag_run.run_id)
    assert record["cleanup_removed"][0] == "cluster stg-aurora-restore"
    assert record["failed_steps"] == [{"task_id": "create_instances", "phase": "4 database"}]


def test_a_failure_after_rename_old_restores_the_old_name(world, monkeypatch):
    """Simulated: the new cluster is gone when ``rename_new`` starts (its input names a cluster
    that does not exist), so the machine fails NotFound after the old one became ``-old``."""
    original = refresh_plan.STEPS["rename_new"]

    def vanished(plan, look):
        return {**original.build(plan, look), "DbClusterIdentifier": "stg-aurora-vanished"}

    monkeypatch.setitem(refresh_plan.STEPS, "rename_new", replace(original, build=vanished))
    dag_run, states, after, subjects = failed_refresh(world.endpoint)
    assert states["rename_old"] == "success" and states["rename_new"] == "failed", states
    assert states["restore_old_name"] == "success" and states["cleanup"] == "success"
    members = [m["DBInstanceIdentifier"] for m in after["stg-aurora"]["DBClusterMembers"]]
    assert members == ["stg-aurora-1"]  # the old cluster's instance is back under its name
    assert "[platform-ops] refresh_staging failed in phase 6 switch (rename_new)" in subjects


def test_the_run_time_guard_refuses_a_connection_that_reaches_production(world, monkeypatch):
    """preflight's STS GetCallerIdentity through the destination connection answers production."""
    from platform_ops.local.connections import connection_uris
    from platform_ops.refresh import steps
    from platform_ops.refresh.guards import RefreshRefused

    conns = connection_uris(world.endpoint)
    monkeypatch.setenv("AIRFLOW_CONN_AWS_STAGING", conns["AIRFLOW_CONN_AWS_PRODUCTION"])
    params = {**registry().refresh_destination("staging").options, "restore_to": None, "dry_run": False}
    from datetime import UTC, datetime

    with pytest.raises(RefreshRefused, match="222222222222 \\(production, production\\)"):
        steps.preflight("staging", params, "manual__guard", datetime.now(UTC))
    actions = {r["action"] for r in requests_made(world)}
    assert actions and actions <= {"AssumeRole", "GetCallerIdentity"}, actions


def test_a_production_destination_is_refused_when_the_registry_is_read(tmp_path, monkeypatch):
    raw = json.loads(registry().path.read_text())
    raw["refresh"]["destinations"]["staging"]["destination_account"] = "dr"  # production: true
    with pytest.raises(RegistryError, match="account 'dr' is marked production"):
        Registry.from_dict(raw)
    path = tmp_path / "registry.json"
    path.write_text(json.dumps(raw))
    monkeypatch.setenv("PLATFORM_OPS_REGISTRY", str(path))
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO / "dags" / "refresh_staging.py"))
    [error] = bag.import_errors.values()
    assert "marked production" in error and not bag.dags


@pytest.mark.parametrize(
    "conf",
    [{"snapshot": "yesterday"}, {"snapshot": "point_in_time", "restore_to": "2999-01-01T00:00:00Z"}],
    ids=["unknown-snapshot-mode", "restore-to-in-the-future"],
)
def test_bad_params_are_refused_before_a_run_exists(airflow_db, refresh_bundle, conf):
    assert_refused_before_a_run_exists("refresh_staging", conf)


def test_every_registry_destination_has_its_dag():
    reg = registry()
    files = {p.stem for p in (REPO / "dags").glob("refresh_*.py")}
    assert files == {reg.refresh_destination(n).dag_id for n in reg.refresh_destination_names()}
    text = {p.stem: p.read_text() for p in (REPO / "dags").glob("refresh_*.py")}
    for dag_id, source in text.items():
        assert f'refresh_dag("{dag_id.removeprefix("refresh_")}", __doc__)' in source
