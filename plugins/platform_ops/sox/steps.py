"""The bodies of the ``sox_pg01_monthly`` tasks: Airflow context in, plain functions called.

Kept out of the DAG file so the file reads like the runbook and no AWS client is built at parse
time. Clients come from ``aws.access`` (the configured account's Airflow connection); notices go
through ``notify``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from airflow.sdk.exceptions import AirflowFailException
from botocore.exceptions import ClientError

from platform_ops.aws.access import aws_client
from platform_ops.evidence.writer import EvidenceStore, ObjectRecord
from platform_ops.notify import send_notice
from platform_ops.sox import notifications
from platform_ops.sox.config import SoxConfig, load_config
from platform_ops.sox.contract import MODE_PREFLIGHT, container_overrides
from platform_ops.sox.layout import MANIFEST, VERIFICATION, RunLocation, parse_uri
from platform_ops.sox.manifest import manifest_body
from platform_ops.sox.period import Period, readiness
from platform_ops.sox.pointer import move_pointer
from platform_ops.sox.verification import Expectation, verify_run

log = logging.getLogger(__name__)


class RunRefused(AirflowFailException):
    """An expected refusal of a real run (e.g. too early in the month): the message is the whole story.

    ``refuse`` logs it as one ERROR line first; the incident notice names the period it carries.
    """

    def __init__(self, message: str, *, period: str):
        super().__init__(message)
        self.period = period


def refuse(message: str, *, period: str) -> RunRefused:
    """Log the refusal as one line and return the exception to raise."""
    log.error("run refused: %s", message)
    return RunRefused(message, period=period)


def utc_now() -> datetime:
    """The wall clock the readiness rules are checked against (tests set it)."""
    return datetime.now(UTC)


def evidence_store(config: SoxConfig) -> EvidenceStore:
    return EvidenceStore(aws_client(config.account, "s3", config.region), config.bucket)


def network_configuration(config: SoxConfig) -> dict[str, Any]:
    """The awsvpc configuration: from the config file, or the SSM parameter the stack writes."""
    network = config.ecs["network"]
    if "ssm_parameter" not in network:
        return {
            "awsvpcConfiguration": {
                "subnets": network["subnets"],
                "securityGroups": network["security_groups"],
                "assignPublicIp": "DISABLED",
            }
        }
    ssm = aws_client(config.account, "ssm", config.region)
    value = json.loads(ssm.get_parameter(Name=network["ssm_parameter"])["Parameter"]["Value"])
    if not value.get("awsvpcConfiguration", {}).get("subnets"):
        raise AirflowFailException(
            f"SSM parameter {network['ssm_parameter']} has no awsvpcConfiguration.subnets"
        )
    return value


def event_queue_url(config: SoxConfig) -> str:
    """The native-events queue the ECS waits read: from the config file, or the SSM parameter the stack writes."""
    source = config.ecs["event_queue"]
    if "url" in source:
        return source["url"]
    ssm = aws_client(config.account, "ssm", config.region)
    value = ssm.get_parameter(Name=source["ssm_parameter"])["Parameter"]["Value"].strip()
    if not value.startswith(("https://", "http://")):
        raise AirflowFailException(
            f"SSM parameter {source['ssm_parameter']} is not a queue URL: {value!r:.100}"
        )
    return value


# -- resolve ------------------------------------------------------------------------------------
def resolve_run(
    params: Mapping[str, Any], run_after: datetime, now: datetime | None = None
) -> dict[str, Any]:
    """Period, cutoff, companies and items of this run (and the network the tasks will use).

    A blocking readiness finding (period not closed, too early for IPE_12) refuses a real run
    here, terminally, before anything is started (``RunRefused``). A dry run is not refused: it
    carries the findings in ``would_refuse``, with an unreadable network configuration or event
    queue URL (only ECS tasks need them), and reports them (``describe_dry_run``).
    """
    config = load_config()
    dry_run = bool(params.get("dry_run"))
    period = Period.parse(params["period"]) if params.get("period") else Period.closed_before(run_after)
    companies = list(params.get("companies") or config.scheduled_companies)
    unknown = sorted(set(companies) - set(config.company_codes))
    if unknown:
        raise AirflowFailException(f"unknown company codes {unknown}; known: {config.company_codes}")
    ipes = list(params.get("ipes") or config.default_ipes)
    ready = readiness(period, now or utc_now(), config.min_run_day, ipes)
    if ready.blocking and not dry_run:
        raise refuse(f"SOX PG-01 {period.text}: " + "; ".join(ready.blocking), period=period.text)
    would_refuse = list(ready.blocking)
    try:
        network = network_configuration(config)
    except (AirflowFailException, ClientError) as err:
        if not dry_run:
            raise
        network = None  # only the ECS tasks need it, and a dry run starts none
        would_refuse.append(f"the ECS network configuration cannot be read: {err}")
    try:
        queue_url = event_queue_url(config)
    except (AirflowFailException, ClientError) as err:
        if not dry_run:
            raise
        queue_url = None
        would_refuse.append(f"the event queue URL of the ECS waits cannot be read: {err}")
    base = {
        "period": period.text,
        "period_label": period.label,
        "cutoff": period.cutoff.isoformat(),
        "ipes": ipes,
        "bucket": config.bucket,
        "base_prefix": config.prefix,
        "network_configuration": network,
        "event_queue_url": queue_url,
        "container_environment": config.container_environment,
        "known_gaps": ready.known_gaps,
    }
    for gap in ready.known_gaps:
        log.warning("known gap: %s", gap)
    return {**base, "companies": companies, "dry_run": dry_run, "would_refuse": would_refuse}


def company_plans(run: dict[str, Any]) -> list[dict[str, Any]]:
    """One plan per company (what each mapped ``reconcile`` group gets)."""
    shared = {k: v for k, v in run.items() if k not in {"companies", "dry_run", "would_refuse"}}
    return [{**shared, "company": company} for company in run["companies"]]


def describe_dry_run(run: dict[str, Any], dag_run_id: str) -> bool:
    """Log what would be started; ``False`` stops the run there (``dry_run``)."""
    config = load_config()
    plans = company_plans(run)
    for plan in [None, *plans]:
        overrides = container_overrides(
            container_name=config.ecs["container_name"],
            mode=MODE_PREFLIGHT if plan is None else "reconcile",
            company=(plan or plans[0])["company"],
            period=run["period"],
            cutoff=run["cutoff"],
            ipes=run["ipes"],
            evidence_uri=None
            if plan is None
            else RunLocation(config.bucket, config.prefix, run["period"], plan["company"], dag_run_id, 1).uri,
            dag_run_id=dag_run_id,
            try_number=1,
            extra_environment=run["container_environment"],
        )
        log.info("%s ECS task %s: overrides %s", "would start" if run["dry_run"] else "will start",
                 config.ecs["task_definition"], json.dumps(overrides))  # fmt: skip
    if run["network_configuration"]:
        log.info("network configuration of the ECS tasks: %s", json.dumps(run["network_configuration"]))
    if run["dry_run"]:
        log.info("dry_run=true: no ECS task is started, nothing is written")
        refusal = "; ".join(run.get("would_refuse") or [])
        if refusal:
            log.warning("a real run of SOX PG-01 %s now would be refused: %s", run["period"], refusal)
        else:
            log.info("a real run of SOX PG-01 %s now would start the tasks above", run["period"])
    return not run["dry_run"]


# -- verify, manifest, pointer -------------------------------------------------------------------
class S3RunObjects(Mapping[str, bytes]):
    """The objects under one run prefix, keyed relative to it, fetched on first access."""

    def __init__(self, store: EvidenceStore, prefix: str):
        self.store, self.prefix = store, prefix
        self._keys = [k[len(prefix) :] for k in store.list_keys(prefix)]
        self._cache: dict[str, bytes] = {}

    def __getitem__(self, key: str) -> bytes:
        if key not in self._keys:
            raise KeyError(key)
        if key not in self._cache:
            self._cache[key] = self.store.get_bytes(self.prefix + key)
        return self._cache[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def _location(plan: dict[str, Any], record: dict[str, Any], dag_run_id: str) -> RunLocation:
    location = RunLocation(
        plan["bucket"], plan["base_prefix"], plan["period"], plan["company"], dag_run_id, record["try_number"]
    )
    if record.get("evidence_uri") != location.uri:
        raise AirflowFailException(
            f"the ECS task wrote to {record.get('evidence_uri')!r} but this run expects {location.uri!r}"
        )
    return location


def verify(plan: dict[str, Any], record: dict[str, Any], dag_run_id: str) -> dict[str, Any]:
    """Run the checklist and store ``verification.json`` beside the evidence (pass or fail)."""
    config = load_config()
    location = _location(plan, record, dag_run_id)
    store = evidence_store(config)
    bucket, prefix = parse_uri(location.uri)
    objects = S3RunObjects(store, prefix)
    report = verify_run(
        objects,
        Expectation(
            company=plan["company"],
            cutoff=plan["cutoff"],
            period_label=plan["period_label"],
            items=plan["ipes"],
            container_exit_code=record.get("exit_code"),
            quality_allow_list=config.quality_allow_list,
            contract_items=config.contract_items,
        ),
    ).as_dict()
    store.put_json(location.key(VERIFICATION), report, immutable=True)
    verdict = "PASSED" if report["passed"] else "FAILED"
    log.info("verification of %s %s: %s", plan["company"], location.uri, verdict)
    for failure in report["failures"]:
        log.error("verification failure: %s", failure)
    return report


def write_manifest(
    plan: dict[str, Any], record: dict[str, Any], report: dict[str, Any], context: Mapping[str, Any]
) -> dict[str, Any]:
    dag_run = context["dag_run"]
    location = _location(plan, record, dag_run.run_id)
    store = evidence_store(load_config())
    run_type = str(getattr(dag_run.run_type, "value", dag_run.run_type))
    body = manifest_body(
        dag_id=dag_run.dag_id,
        dag_run_id=dag_run.run_id,
        run_type=run_type,
        triggered_by=getattr(dag_run, "triggering_user_name", None)
        or ("scheduler" if run_type == "scheduled" else None),
        try_number=record["try_number"],  # the try whose container produced this evidence
        company=plan["company"],
        period=plan["period"],
        cutoff=plan["cutoff"],
        ipes=plan["ipes"],
        ecs=record,
        report=report,
        known_gaps=plan.get("known_gaps", []),
    )
    written = store.write_manifest(location.prefix, body, name=MANIFEST)
    log.info("manifest s3://%s/%s sha256=%s", store.bucket, written.key, written.sha256)
    return written.as_dict()


def move_latest(
    plan: dict[str, Any],
    record: dict[str, Any],
    report: dict[str, Any],
    manifest: dict[str, Any],
    dag_run_id: str,
) -> dict[str, Any]:
    """Move ``latest.json`` if verified; otherwise fail terminally with the checklist failures."""
    location = _location(plan, record, dag_run_id)
    if not report["passed"]:
        raise AirflowFailException(
            f"verification failed for {plan['company']} {plan['period']} ({location.uri}); latest.json not moved:\n- "
            + "\n- ".join(report["failures"])
        )
    pointer = move_pointer(
        evidence_store(load_config()),
        location,
        verified=True,
        manifest=ObjectRecord(**manifest),
        dag_run_id=dag_run_id,
        outcome=report["outcome"],
    )
    return {
        "company": plan["company"],
        "period": plan["period"],
        "run_uri": location.uri,
        "manifest_key": manifest["key"],
        "manifest_sha256": manifest["sha256"],
        "pointer_key": pointer["pointer_key"],
        "outcome": report["outcome"],
        "control_gaps": report["control_gaps"] + plan.get("known_gaps", []),
    }


# -- notifications -------------------------------------------------------------------------------
def notify_outcome(run: dict[str, Any] | None, summaries: list[dict[str, Any]]) -> dict[str, Any]:
    """Success summary for the verified companies and one business notice per variance."""
    if not run or run.get("dry_run"):
        return {"sent": []}
    summaries = [s for s in summaries if s]
    verified = {s["company"] for s in summaries}
    not_verified = [c for c in run["companies"] if c not in verified]
    sent = []
    if summaries:
        subject, message = notifications.success_notice(run["period"], summaries, not_verified)
        send_notice(subject, message)
        sent.append(subject)
    for summary in summaries:
        if summary["outcome"].get("status") == "VARIANCE_DETECTED":
            subject, message = notifications.variance_notice(run["period"], summary)
            send_notice(subject, message)
            sent.append(subject)
    return {"sent": sent, "verified": sorted(verified), "not_verified": not_verified}


def _company_and_period(context: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The company and period a failed task was about, when known (``None`` when not)."""
    task = context.get("task")
    plan = getattr(task, "plan", None) or (getattr(task, "op_kwargs", None) or {}).get("plan")
    if isinstance(plan, dict) and plan.get("period"):
        return plan.get("company") if "companies" not in plan else None, plan["period"]
    period = getattr(context.get("exception"), "period", None) or (context.get("params") or {}).get("period")
    if not period:  # a task after resolve_period without a plan of its own
        try:
            run = context["ti"].xcom_pull(task_ids="resolve_period")
        except Exception as err:  # the notice goes out without the period rather than not at all
            log.warning("period of the failed run unknown: %s", err)
            run = None
        period = run.get("period") if isinstance(run, dict) else None
    return None, period


def incident_notice(context: Mapping[str, Any]) -> tuple[str, str]:
    """The failure notice of a SOX task: which step failed, for which company, why, where the logs are.

    The composer of the DAG's ``FailureNotifier``. A refusal (``RunRefused``) says so, in its words.
    """
    ti = context["ti"]
    company, period = _company_and_period(context)
    error = context.get("exception")
    refused = isinstance(error, RunRefused)
    if refused:
        reason = str(error)
    else:
        reason = f"{type(error).__name__}: {error}" if error else "the task failed without an exception"
    return notifications.failure_notice(
        step=ti.task_id,
        company=company,
        period=period,
        reason=reason,
        log_locations=[f"Airflow task log: {ti.log_url}"],
        refused=refused,
    )
