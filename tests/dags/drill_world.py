"""One local AWS with dr-platform applied and the Aurora global database made, for the Aurora drills.

Both Aurora drill modules (``test_dr_aurora_switchover_semiannual``, ``test_dr_region_loss_yearly``)
use the same world, built once per test process (about 100 s: the stack apply), as ``make demo``
builds it: ``platform_ops.local.drill_stack`` applies dr-platform with Aurora and EKS off, then
``platform_ops.local.drill_aurora`` creates the global cluster, its two clusters, parameter groups,
the replicated master secret and the lag alarms in the local AWS and publishes their ids in the
stack's own ``drill_targets`` contract (both Regions), where the drills read them. The server is
stopped at the end of the session (``config.add_cleanup``), also when a test fails.
"""

from __future__ import annotations

import json
import threading

from platform_ops.local import drill_aurora
from platform_ops.local.clients import account_client
from platform_ops.local.drill_double import SCENARIO_PARAMETER
from platform_ops.local.drill_stack import apply_for_drills
from platform_ops.local.seed import seed_all
from platform_ops.local.server import start_local_aws

from tests.waiting import wait_until

_WORLD: dict = {}
SWITCH_SECONDS = "1"


def shared_world(config, tmp_path_factory) -> dict:
    """``{"local", "endpoint", "recording", "aurora", "contract"}``, built on first use."""
    if _WORLD:
        return _WORLD
    recording = tmp_path_factory.mktemp("moto-aurora") / "recording.jsonl"
    local = start_local_aws(env={"MOTO_ENABLE_RECORDING": "1", "MOTO_RECORDER_FILEPATH": str(recording)})
    config.add_cleanup(local.stop)
    seed_all(local.endpoint)
    env = environment(local.endpoint)
    import os

    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        apply_for_drills(local.endpoint, start_over=lambda: (local.reset(), seed_all(local.endpoint)))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    aurora = drill_aurora.create_global_database(local.endpoint)
    contract = drill_aurora.publish(local.endpoint, aurora)
    drill_aurora.set_knob(local.endpoint, "switch-seconds", SWITCH_SECONDS)
    _WORLD.update(local=local, endpoint=local.endpoint, recording=recording, aurora=aurora, contract=contract)
    return _WORLD


def world_with_its_environment(config, tmp_path_factory):
    """The body of a module's ``world`` fixture: the shared world, its connections set meanwhile."""
    import pytest

    built = shared_world(config, tmp_path_factory)
    with pytest.MonkeyPatch.context() as patch:
        for key, value in environment(built["endpoint"]).items():
            patch.setenv(key, value)
        yield built


def environment(endpoint: str) -> dict[str, str]:
    from platform_ops.local.connections import local_environment

    return local_environment(endpoint)


def reset_scenarios(endpoint: str) -> None:
    drill_aurora.set_knob(endpoint, "scenario", "none")
    drill_aurora.set_knob(endpoint, "lag-ms", "40")
    account_client(endpoint, "dr", "ssm", "eu-west-1").put_parameter(
        Name=SCENARIO_PARAMETER, Value="failover", Type="String", Overwrite=True
    )


def writer_region(world: dict) -> str | None:
    rds = account_client(world["endpoint"], "dr", "rds", "us-east-1")
    found = rds.describe_global_clusters(GlobalClusterIdentifier=world["aurora"]["global_cluster_id"])
    member = next((m for m in found["GlobalClusters"][0]["GlobalClusterMembers"] if m["IsWriter"]), None)
    return member["DBClusterArn"].split(":")[3] if member else None


def alarm_state(world: dict, ref: str) -> str:
    kind, role = ref.split(".")
    alarms = world["contract"]["alarms"]
    region = alarms["regions"][kind]
    region = region[role] if isinstance(region, dict) else region
    client = account_client(world["endpoint"], "dr", "cloudwatch", region)
    return client.describe_alarms(AlarmNames=[alarms[kind][role]])["MetricAlarms"][0]["StateValue"]


def set_alarm(world: dict, ref: str, state: str) -> None:
    kind, role = ref.split(".")
    alarms = world["contract"]["alarms"]
    region = alarms["regions"][kind]
    region = region[role] if isinstance(region, dict) else region
    client = account_client(world["endpoint"], "dr", "cloudwatch", region)
    client.set_alarm_state(
        AlarmName=alarms[kind][role], StateValue=state, StateReason="test: the platform's answer"
    )


def artifact(endpoint: str, key: str) -> bytes:
    from platform_ops.registry import registry

    reg = registry()
    s3 = account_client(endpoint, reg.artifacts_account.name, "s3", reg.artifacts_region)
    return s3.get_object(Bucket=reg.artifacts_bucket, Key=key)["Body"].read()


def evidence_of(endpoint: str, drill: str, dag_run) -> dict:
    latest = json.loads(artifact(endpoint, f"drills/{drill}/latest.json"))
    assert latest["run_id"] == dag_run.run_id, latest
    return json.loads(artifact(endpoint, latest["evidence"].split("/", 3)[3]))


def report_html(endpoint: str, drill: str) -> str:
    latest = json.loads(artifact(endpoint, f"drills/{drill}/latest.json"))
    return artifact(endpoint, latest["report"].split("/", 3)[3]).decode()


def errors_while_away(world: dict, ref: str = "error_rate.secondary") -> threading.Thread:
    """The platform's answer, started: ``ref`` in ALARM once the writer is in us-east-1, OK once it is home."""

    def answer() -> None:
        wait_until(lambda: writer_region(world) == "us-east-1", "the writer in us-east-1")
        set_alarm(world, ref, "ALARM")
        wait_until(lambda: writer_region(world) == "eu-west-1", "the writer home again")
        set_alarm(world, ref, "OK")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    return thread


def bring_writer_home(world: dict) -> None:
    """As the incident notice says: the scenario off, a switchover home, until the writer is home."""
    drill_aurora.set_knob(world["endpoint"], "scenario", "none")
    aurora = world["aurora"]
    if writer_region(world) != "eu-west-1":
        account_client(world["endpoint"], "dr", "rds", "eu-west-1").switchover_global_cluster(
            GlobalClusterIdentifier=aurora["global_cluster_id"],
            TargetDbClusterIdentifier=aurora["clusters"]["primary"]["cluster_arn"],
        )
    wait_until(lambda: writer_region(world) == "eu-west-1", "the writer home")
