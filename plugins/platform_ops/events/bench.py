"""Side-by-side benchmark of the long waits: the provider's polling operators against the event-driven ones.

Run as ``python -m platform_ops.events.bench`` (``--n`` runs per variant, default 3). Variants, all on
the same Step Functions machine (a Wait of ``--seconds``, default 30) or the same ECS task (runs
``--seconds``), each run a ``dag.test()`` against the local AWS:

- ``provider_sfn_default``: ``StepFunctionStartExecutionOperator(deferrable=True)``, provider defaults
  (a DescribeExecution every 60 s);
- ``provider_sfn_5s``: the same with ``waiter_delay=5``;
- ``provider_ecs``: ``EcsRunTaskOperator(deferrable=True)``, provider defaults (DescribeTasks every 6 s);
- ``ours_sfn``: ``StepFunctionStartAndWaitOperator`` (the native event through SQS);
- ``ours_ecs``: ``EcsRunTaskOperator`` with the ``EcsTaskStoppedWait`` mixin.

Figures per variant: detection latency (the task's end minus the execution's ``stopDate`` or the
task's ``stoppedAt``), the Describe calls made while waiting (DescribeExecution / DescribeTasks in
the local AWS's own request log, ``MOTO_ENABLE_RECORDING``, between the deferral and the resume;
the one our trigger makes at start is counted), and the worker-slot seconds (time in ``execute``
up to the deferral plus time in ``execute_complete``; a deferred task holds no slot).
``.bench/waits.json`` gets ``{"<variant>": {"latency_s_median", "latency_s_max", "describe_calls", "n"}}``
(``describe_calls``: median per run); ``.bench/waits-runs.json`` every run's figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from platform_ops.registry import REPO_ROOT

VARIANTS = ("provider_sfn_default", "provider_sfn_5s", "provider_ecs", "ours_sfn", "ours_ecs")
DESCRIBE_TARGETS = {"AWSStepFunctions.DescribeExecution", "AmazonEC2ContainerServiceV20141113.DescribeTasks"}
MARK = "bench-mark-"
CONFIG_ENV = "PLATFORM_OPS_BENCH_CONFIG"
REGION = "eu-west-1"
OUT = REPO_ROOT / ".bench" / "waits.json"
DAG_FILE_TEXT = '''"""airflow DAG file written by platform_ops.events.bench: one DAG per wait variant."""
from platform_ops.events.bench import bench_dags

globals().update(bench_dags())
'''


# --- the DAGs (parsed in the run processes; configuration from the environment, no I/O) ----------


def bench_dags() -> dict:
    """``{"waits_bench_<variant>": DAG}`` for the configuration in ``$PLATFORM_OPS_BENCH_CONFIG``."""
    from airflow.providers.amazon.aws.operators.ecs import EcsRunTaskOperator
    from airflow.providers.amazon.aws.operators.step_function import StepFunctionStartExecutionOperator
    from airflow.sdk import DAG

    from platform_ops.events.operators import EcsTaskStoppedWait, StepFunctionStartAndWaitOperator

    class EventEcsRunTaskOperator(EcsTaskStoppedWait, EcsRunTaskOperator):
        pass

    config = json.loads(os.environ.get(CONFIG_ENV, "{}"))
    if not config:
        return {}
    ecs = {
        "cluster": config["cluster"],
        "task_definition": config["task_definition"],
        "launch_type": "FARGATE",
        "overrides": {
            "containerOverrides": [
                {
                    "name": "job",
                    "environment": [{"name": "MOTO_RUN_SECONDS", "value": str(config["seconds"])}],
                }
            ]
        },
        "network_configuration": {
            "awsvpcConfiguration": {"subnets": ["subnet-0bench"], "securityGroups": ["sg-0bench"]}
        },
    }
    dags = {}
    for variant in VARIANTS:
        with DAG(dag_id=f"waits_bench_{variant}", schedule=None, default_args={"retries": 0}) as dag:
            if variant.startswith("provider_sfn"):
                StepFunctionStartExecutionOperator(
                    task_id="wait",
                    state_machine_arn=config["machine"],
                    name="bench-{{ run_id | replace(':', '-') | replace('+', '-') | replace('.', '-') }}",
                    deferrable=True,
                    **({"waiter_delay": 5} if variant == "provider_sfn_5s" else {}),
                )
            elif variant == "provider_ecs":
                EcsRunTaskOperator(task_id="wait", deferrable=True, **ecs)
            elif variant == "ours_sfn":
                StepFunctionStartAndWaitOperator(
                    task_id="wait", state_machine_arn=config["machine"], event_queue_url=config["queue"]
                )
            else:
                EventEcsRunTaskOperator(task_id="wait", event_queue_url=config["queue"], **ecs)
        dags[dag.dag_id] = dag
    return dags


# --- one variant, n runs (a child process: AIRFLOW_HOME and connections set by the parent) -------


def _marker(endpoint: str, name: str) -> None:
    """A request the request log shows between two phases (ListQueues with a recognisable prefix)."""
    import boto3

    sqs = boto3.client(
        "sqs",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    sqs.list_queues(QueueNamePrefix=f"{MARK}{name}")


def _instrument(record: dict, endpoint: str) -> None:
    """Time execute, the deferral and execute_complete of the operators used (this process only)."""
    from airflow.providers.amazon.aws.operators.ecs import EcsRunTaskOperator
    from airflow.providers.amazon.aws.operators.step_function import StepFunctionStartExecutionOperator
    from airflow.sdk import BaseOperator

    from platform_ops.events.operators import StepFunctionStartAndWaitOperator

    original_defer = BaseOperator.defer

    def defer(self, *args, **kwargs):
        record["defer_at"] = time.time()
        _marker(endpoint, f"defer-{record['run']}")
        return original_defer(self, *args, **kwargs)

    BaseOperator.defer = defer
    for cls in (StepFunctionStartExecutionOperator, EcsRunTaskOperator, StepFunctionStartAndWaitOperator):
        execute, complete = cls.execute, cls.execute_complete

        def timed_execute(self, context, _execute=execute, **kwargs):
            record["execute_start"] = time.time()
            return _execute(self, context, **kwargs)

        def timed_complete(self, context, event=None, _complete=complete, **kwargs):
            record["complete_start"] = time.time()
            _marker(endpoint, f"complete-{record['run']}")
            try:
                return _complete(self, context, event, **kwargs)
            finally:
                record["complete_end"] = time.time()
                record["event"] = event

        cls.execute, cls.execute_complete = timed_execute, timed_complete


def run_variant(variant: str, n: int, results: Path) -> None:
    from airflow.dag_processing.dagbag import DagBag

    endpoint = os.environ["PLATFORM_OPS_LOCAL_ENDPOINT"]
    record: dict = {}
    _instrument(record, endpoint)
    bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    dag = bag.get_dag(f"waits_bench_{variant}")
    runs = []
    for i in range(n):
        record.clear()
        record["run"] = f"{variant}-{i}"
        dag_run = dag.test()
        runs.append({**record, "state": str(dag_run.state), "run_id": dag_run.run_id})
    results.write_text(json.dumps(runs, default=str))


# --- the parent: local AWS, wiring, runs, figures ----------------------------------------------


def _post(url: str) -> None:
    with urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST"), timeout=10) as resp:
        resp.read()


def wire_local_events(session, endpoint: str, name: str = "platform-ops-waits") -> tuple[str, str]:
    """In the local AWS: the queue and the three rules of terraform/modules/native-events. (url, arn)."""
    sqs = session.client("sqs", endpoint_url=endpoint)
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events = session.client("events", endpoint_url=endpoint)
    from platform_ops.events.matching import RULE_PATTERNS

    for kind, pattern in RULE_PATTERNS.items():
        events.put_rule(Name=f"{name}-{kind}", EventPattern=json.dumps(pattern))
        events.put_targets(Rule=f"{name}-{kind}", Targets=[{"Id": "queue", "Arn": arn}])
    return url, arn


def _read_recording(path: Path) -> list[tuple[str, str]]:
    """``[(x-amz-target, body text)]`` in request order."""
    from platform_ops.local.recording import read_requests

    return [(request.target, request.body) for request in read_requests(path)]


def describes_while_waiting(recording: list[tuple[str, str]], run: str) -> int | None:
    """Describe calls between the run's deferral marker and its resume marker."""
    try:
        start = next(i for i, (_, body) in enumerate(recording) if f'{MARK}defer-{run}"' in body)
        end = next(i for i, (_, body) in enumerate(recording) if f'{MARK}complete-{run}"' in body)
    except StopIteration:
        return None
    return sum(1 for target, _ in recording[start:end] if target in DESCRIBE_TARGETS)


def _stopped_at(session, endpoint: str, variant: str, run: dict, config: dict) -> float | None:
    from platform_ops.events.matching import to_epoch

    if "ecs" in variant:
        arn = (run.get("event") or {}).get("task_arn")
        ecs = session.client("ecs", endpoint_url=endpoint)
        tasks = ecs.describe_tasks(cluster=config["cluster"], tasks=[arn])["tasks"] if arn else []
        return to_epoch(tasks[0].get("stoppedAt")) if tasks else None
    sfn = session.client("stepfunctions", endpoint_url=endpoint)
    executions = sfn.list_executions(stateMachineArn=config["machine"])["executions"]
    event = run.get("event") or {}
    arn = event.get("execution_arn") or (event.get("outcome") or {}).get("resource")
    match = [e for e in executions if e["executionArn"] == arn]
    return to_epoch(match[0].get("stopDate")) if match else None


def summarize(runs: dict[str, list[dict]]) -> dict:
    out = {}
    for variant, items in runs.items():
        latencies = [r["latency_s"] for r in items if r.get("latency_s") is not None]
        describes = [r["describe_calls"] for r in items if r.get("describe_calls") is not None]
        out[variant] = {
            "latency_s_median": round(statistics.median(latencies), 3) if latencies else None,
            "latency_s_max": round(max(latencies), 3) if latencies else None,
            "describe_calls": statistics.median(describes) if describes else None,
            "n": len(latencies),
        }
    return out


def table(summary: dict, runs: dict[str, list[dict]]) -> str:
    lines = [
        f"{'variant':<22} {'n':>3} {'latency median s':>17} {'latency max s':>14} {'describes/run':>14} {'worker-slot s':>14}",
    ]
    for variant, row in summary.items():
        slots = [r["worker_slot_s"] for r in runs[variant] if r.get("worker_slot_s") is not None]
        slot = f"{statistics.median(slots):.2f}" if slots else "-"

        def fmt(value):
            return "-" if value is None else f"{value:.3f}"

        lines.append(
            f"{variant:<22} {row['n']:>3} {fmt(row['latency_s_median']):>17} {fmt(row['latency_s_max']):>14} "
            f"{'-' if row['describe_calls'] is None else row['describe_calls']:>14} {slot:>14}"
        )
    return "\n".join(lines)


def run_benchmark(n: int, seconds: int, variants: list[str], out: Path) -> dict:
    from platform_ops.local.clients import account_session, forget_sessions
    from platform_ops.local.connections import local_environment
    from platform_ops.local.server import start_local_aws
    from platform_ops.registry import registry

    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="waits-", dir=out.parent))
    recording = work / "recording.jsonl"
    aws = start_local_aws(env={"MOTO_ENABLE_RECORDING": "1", "MOTO_RECORDER_FILEPATH": str(recording)})
    try:
        endpoint = aws.endpoint
        forget_sessions()
        account = registry().artifacts_account  # where aws_default lands
        session = account_session(endpoint, account.name, REGION)
        queue_url, _ = wire_local_events(session, endpoint)
        sfn = session.client("stepfunctions", endpoint_url=endpoint)
        machine = sfn.create_state_machine(
            name="waits-bench",
            roleArn=f"arn:aws:iam::{account.account_id}:role/platform-ops",
            definition=json.dumps(
                {
                    "StartAt": "Work",
                    "States": {
                        "Work": {"Type": "Wait", "Seconds": seconds, "Next": "Done"},
                        "Done": {"Type": "Pass", "Result": {"Status": "Completed"}, "End": True},
                    },
                }
            ),
        )["stateMachineArn"]
        ecs = session.client("ecs", endpoint_url=endpoint)
        cluster = ecs.create_cluster(clusterName="waits-bench")["cluster"]["clusterArn"]
        ecs.register_task_definition(
            family="waits-bench", containerDefinitions=[{"name": "job", "image": "job:latest", "memory": 512}]
        )
        config = {
            "machine": machine,
            "queue": queue_url,
            "cluster": cluster,
            "task_definition": "waits-bench",
            "seconds": seconds,
        }
        dags = work / "dags"
        dags.mkdir()
        (dags / "waits_bench.py").write_text(DAG_FILE_TEXT)
        env = dict(os.environ)
        env.update(local_environment(endpoint))
        env.update(
            {
                "AIRFLOW_HOME": str(work / "airflow"),
                "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO_ROOT / "plugins"),
                "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
                CONFIG_ENV: json.dumps(config),
            }
        )
        subprocess.run(
            [sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True, capture_output=True
        )
        runs: dict[str, list[dict]] = {}
        for variant in variants:
            _post(f"{endpoint}/moto-api/recorder/reset-recording")
            results = work / f"{variant}.json"
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "platform_ops.events.bench",
                    "--one",
                    variant,
                    "--n",
                    str(n),
                    "--results",
                    str(results),
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=max(600, n * (seconds * 3 + 120)),
            )
            if proc.returncode != 0 or not results.exists():
                raise RuntimeError(f"{variant} runs failed (rc {proc.returncode}):\n{proc.stderr[-3000:]}")
            log = _read_recording(recording)
            items = []
            for run in json.loads(results.read_text()):
                stopped = _stopped_at(session, endpoint, variant, run, config)
                end = run.get("complete_end")
                slot = None
                if run.get("execute_start") and run.get("defer_at") and run.get("complete_start") and end:
                    slot = (run["defer_at"] - run["execute_start"]) + (end - run["complete_start"])
                items.append(
                    {
                        "run": run["run"],
                        "state": run["state"],
                        "latency_s": None if stopped is None or end is None else round(end - stopped, 3),
                        "describe_calls": describes_while_waiting(log, run["run"]),
                        "worker_slot_s": None if slot is None else round(slot, 3),
                        "waited_s": None
                        if not run.get("defer_at") or not run.get("complete_start")
                        else round(run["complete_start"] - run["defer_at"], 3),
                    }
                )
            runs[variant] = items
        summary = summarize(runs)
        out.write_text(json.dumps(summary, indent=2) + "\n")
        out.with_name(out.stem + "-runs.json").write_text(json.dumps(runs, indent=2) + "\n")
        print(table(summary, runs))
        print(f"wrote {out.relative_to(REPO_ROOT) if out.is_relative_to(REPO_ROOT) else out.name}")
        return summary
    finally:
        aws.stop()
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m platform_ops.events.bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--n", type=int, default=3, help="runs per variant (default 3)")
    parser.add_argument(
        "--seconds", type=int, default=30, help="length of the execution and the ECS task (default 30)"
    )
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument("--out", type=Path, default=OUT, help="summary JSON (default .bench/waits.json)")
    parser.add_argument("--one", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--results", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        run_variant(args.one, args.n, args.results)
        return 0
    run_benchmark(args.n, args.seconds, args.variants, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
