"""Task bodies of the refresh DAGs that are not a state machine: preflight, record, notices.

``preflight`` is the first task and the only one that decides: options checked, the run-time
production guard (STS through the destination connection) before any mutating call, then the
plan that every later step reads from XCom. ``record`` and ``notify`` always run at the end.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from platform_ops.aws.access import aws_client
from platform_ops.refresh import guards, record
from platform_ops.refresh import plan as refresh_plan
from platform_ops.refresh.operators import RunLook
from platform_ops.refresh.options import OPTION_SCHEMAS, check_options
from platform_ops.registry import registry

log = logging.getLogger(__name__)


def preflight(destination: str, params: dict, run_id: str, run_after: datetime) -> dict:
    """Check the options and that the destination is what the registry says, then plan the run."""
    reg = registry()
    dest, settings = reg.refresh_destination(destination), reg.refresh
    options = check_options({key: params[key] for key in OPTION_SCHEMAS}, datetime.now(UTC))
    caller = aws_client(dest.destination, "sts", settings.region).get_caller_identity()["Account"]
    guards.check_destination_identity(dest, caller, reg.accounts())
    log.info(
        "destination connection %s is account %s (%s): not production",
        dest.destination.aws_conn_id,
        caller,
        dest.destination.name,
    )
    the_plan = refresh_plan.build_plan(
        dest, settings, options, run_id, run_after, guards.protected_account_ids(reg.accounts())
    )
    the_plan["found"] = _found(the_plan)
    for line in refresh_plan.describe(the_plan):
        log.info("%s", line)
    log.info("found now: %s", the_plan["found"])
    return the_plan


def _found(the_plan: dict) -> dict:
    """What exists now (read-only Describe calls): the source cluster and the three destination names."""

    def exists(account: str, identifier: str) -> bool:
        rds = aws_client(account, "rds", the_plan["region"])
        return bool(
            rds.describe_db_clusters(Filters=[{"Name": "db-cluster-id", "Values": [identifier]}])[
                "DBClusters"
            ]
        )

    found = {"source_cluster": exists(the_plan["source"]["name"], the_plan["snapshot"]["source_cluster"])}
    found.update({name: exists(the_plan["target"]["name"], name) for name in the_plan["names"].values()})
    return found


def dry_run_gate(the_plan: dict) -> bool:
    """False (stop here, nothing changed) for a dry run; the plan is already in preflight's log."""
    if the_plan["options"]["dry_run"]:
        log.info("dry run: the plan above was resolved; no snapshot, restore, rename or delete was started")
        return False
    return True


def write_record(destination: str, context) -> dict:
    """The DynamoDB history item and the S3 evidence file of this run (see ``record``)."""
    from boto3.dynamodb.types import TypeSerializer

    from platform_ops.evidence.writer import EvidenceStore

    ti, dag_run = context["ti"], context["dag_run"]
    the_plan = ti.xcom_pull(task_ids="preflight") or refused_plan(destination, ti.run_id)
    look = RunLook(context, the_plan)
    phases = record.phase_table(list(ti.get_task_breadcrumbs(ti.dag_id, ti.run_id)))
    executions = {
        task_id: arn
        for task_id in refresh_plan.STEPS
        if (arn := ti.xcom_pull(task_ids=task_id, key="execution_arn"))
    }
    triggered_by = dag_run.triggering_user_name or str(dag_run.run_type)
    doc = record.run_record(the_plan, look, phases, executions, triggered_by, ti.try_number)
    reg = registry()
    store = EvidenceStore(aws_client(reg.artifacts_account, "s3", reg.artifacts_region), reg.artifacts_bucket)
    key = record.evidence_key(the_plan["destination"], ti.run_id, ti.try_number)
    store.put_json(key, doc, immutable=True)
    doc["evidence"] = f"s3://{reg.artifacts_bucket}/{key}"
    settings = reg.refresh
    item = {k: TypeSerializer().serialize(v) for k, v in record.to_dynamodb(doc).items()}
    aws_client(settings.account, "dynamodb", settings.region).put_item(
        TableName=settings.history_table, Item=item
    )
    log.info(
        "record: %s and %s item %s/%s",
        doc["evidence"],
        settings.history_table,
        doc["destination"],
        doc["run_id"],
    )
    return doc


def refused_plan(destination: str, run_id: str) -> dict:
    """What the record says when preflight refused the run (no plan was made)."""
    dest = registry().refresh_destination(destination)
    account = {"name": dest.destination.name, "AccountId": dest.destination.account_id}
    return {
        "destination": destination,
        "run_id": run_id,
        "source": {"name": dest.source.name, "AccountId": dest.source.account_id},
        "target": account,
        "names": {},
        "snapshot": {"mode": None},
        "options": {},
    }


def log_location(dag_id: str, run_id: str, task_id: str) -> str:
    """The task's page (its log) in the Airflow UI."""
    from urllib.parse import quote

    from airflow.configuration import conf

    base = conf.get("api", "base_url", fallback="http://localhost:8080").rstrip("/")
    return f"{base}/dags/{dag_id}/runs/{quote(run_id, safe='')}/tasks/{task_id}"


def _execution_error(context, task_id: str) -> str | None:
    """The failed execution's error and cause, when the step was a state machine."""
    arn = context["ti"].xcom_pull(task_ids=task_id, key="execution_arn")
    if not arn:
        return None
    settings = registry().refresh
    described = aws_client(settings.account, "stepfunctions", settings.region).describe_execution(
        executionArn=arn
    )
    if described["status"] == "SUCCEEDED":
        return None
    return f"execution {arn} {described['status']}: {described.get('error')}: {described.get('cause')}"


def summary_notice(context, doc: dict) -> tuple[str, str]:
    """The end-of-run notice: outcome, the failed phase with its cause and log, what cleanup removed."""
    ti = context["ti"]
    dest = doc["destination"]
    lines = [f"refresh {dest}: {doc['source']['name']} -> {doc['target']['name']}, run {doc['run_id']}"]
    if doc["failed_steps"]:
        first = doc["failed_steps"][0]
        subject = f"[platform-ops] refresh_{dest} FAILED in phase {first['phase']} ({first['task_id']})"
        for failed in doc["failed_steps"]:
            cause = _execution_error(context, failed["task_id"]) or "see the task log"
            lines += [
                f"failed phase: {failed['phase']} (task {failed['task_id']})",
                f"cause: {cause}",
                f"log: {log_location(ti.dag_id, ti.run_id, failed['task_id'])}",
            ]
    else:
        subject = f"[platform-ops] refresh_{dest} succeeded"
        lines.append(
            f"{doc['names']['target']} now holds masked data from snapshot {doc['snapshot'].get('SnapshotArn')}"
        )
    removed = doc["cleanup_removed"]
    lines.append("cleanup removed: " + (", ".join(removed) if removed else "nothing (no leftovers)"))
    lines.append(f"record: {doc.get('evidence')}")
    return subject, "\n".join(lines)


def failure_notice(context) -> tuple[str, str]:
    """The notice of one failed task: its phase, cause and log location (``FailureNotifier``)."""
    ti = context["ti"]
    phase = refresh_plan.PHASES.get(ti.task_id, ti.task_id)
    subject = f"[platform-ops] {ti.dag_id} failed in phase {phase} ({ti.task_id})"
    message = "\n".join(
        [
            f"DAG {ti.dag_id}, run {ti.run_id}: phase {phase}, task {ti.task_id} (try {ti.try_number}) failed.",
            f"cause: {context.get('exception')}",
            f"log: {log_location(ti.dag_id, ti.run_id, ti.task_id)}",
            "cleanup (always runs) removes <target>-restore leftovers; a half-done switch is rolled back.",
        ]
    )
    return subject, message


def send_summary(context) -> dict:
    from platform_ops.notify import send_notice

    doc = context["ti"].xcom_pull(task_ids="record")
    if doc is None:
        raise RuntimeError("no record of this run (the record task failed; see its own notice)")
    subject, message = summary_notice(context, doc)
    send_notice(subject, message)
    return {"subject": subject, "message": message}
