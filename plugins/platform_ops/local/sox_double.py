"""The SOXauto PG-01 container, played by the local AWS when a ``soxauto-pg01`` ECS task stops.

Real Fargate would run the derived image: the wrapper runs the headless CLI and uploads
``result.json``, ``evidence/`` (folders and ZIPs), ``outputs/`` and its own ``run.json`` to the
run's S3 prefix. Here the same objects are generated in the job's formats (the result JSON with
``status``, ``params``, ``data_sources``, ``quality_reports`` and ``reconciliation``; one evidence
folder ``00``–``09`` plus its ZIP per item, ``09`` holding the package integrity hash), and written
straight into moto's in-process S3 backend of the task's account. The run is driven by the
container overrides the DAG sent (``SOX_COMPANY``, ``SOX_CUTOFF_DATE``, ``SOX_IPES``,
``SOX_EVIDENCE_URI``...) plus one local-only knob, ``SOX_DOUBLE_SCENARIO``: ``ok`` (default),
``variance``, ``no-data`` (one source falls back to "No Data", exit 0 as the real job does),
``tamper`` (a sealed evidence file is changed before upload) or ``exit1`` (status ERROR, the
container exits 1). A value like ``EC_NG=no-data;JD_GH=ok`` picks a scenario per company.
``MOTO_EXIT_CODE`` still sets the exit code of any run, e.g. 4 for a pre-flight that finds no
database path.

``build_run_outputs`` and ``wrapper_record`` are also the test fixtures of the verification code.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import zipfile
from datetime import UTC, datetime

from platform_ops.sox import contract
from platform_ops.sox.catalog import ACTUALS, LIVE_SOURCE, TARGET_COMPONENTS

FAMILY = "soxauto-pg01"
SCENARIO_ENV = "SOX_DOUBLE_SCENARIO"
SCENARIOS = ("ok", "variance", "no-data", "tamper", "exit1")
NO_DATA_ITEM = "IPE_31"
TAMPERED_ITEM = "IPE_07"
TAMPERED_FILE = "03_data_snapshot.csv"
HEADER = "ID_COMPANY,GL_ACCOUNT,POSTING_DATE,AMOUNT_LCY,_extraction_date"
# The double stops a task at the first DescribeTasks, so polling it every 30 s (the real job's
# ecs.waiter_delay_seconds: it runs for minutes) only makes a demo user wait: a four-company run
# took 519 s locally. `make demo` runs the DAG with this poll interval instead.
DEMO_WAITER_DELAY_SECONDS = 2


def _json(obj) -> bytes:
    return json.dumps(obj, indent=2, sort_keys=True).encode()


def _rows(item: str, company: str, cutoff: str, count: int, extracted_at: str) -> list[str]:
    rng = random.Random(f"{item}/{company}/{cutoff}")
    companies = [
        company,
        "EC_KE" if company != "EC_KE" else "EC_NG",
        "JM_EG" if company != "JM_EG" else "JD_GH",
    ]
    return [
        f"{companies[i % 3]},{rng.randint(10000, 19999)},{cutoff},{rng.uniform(-5e4, 5e4):.2f},{extracted_at}"
        for i in range(count)
    ]


def _package_integrity(files: dict[str, bytes]) -> str:
    return hashlib.sha256(
        b"".join(files[name] for name in sorted(files) if name != "09_execution_log.json")
    ).hexdigest()


def evidence_package(
    item: str, company: str, cutoff: str, label: str, stamp: str, rows: int, live: bool
) -> tuple[str, dict[str, bytes]]:
    """One item's evidence folder (name, files) as ``src/core/evidence/manager.py`` writes it."""
    name = f"{item}_{company[:2]}_{label}_{stamp}"
    extracted_at = datetime.strptime(stamp, "%Y%m%d_%H%M%S").replace(tzinfo=UTC).isoformat()
    files: dict[str, bytes] = {
        "00_system_context.json": _json(
            {"git_commit": "unknown", "host": "ip-10-42-1-17.eu-west-1.compute.internal",
             "python_version": "3.11.9", "runner_version": "SOXauto v1.0"}
        ),
        "execution_metadata.json": _json(
            {"item_id": item, "description": f"{item} extraction", "cutoff_date": cutoff,
             "start_time": extracted_at, "country": company[-2:], "period": label,
             "sox_compliance_required": True}
        ),
    }  # fmt: skip
    if live:
        total = rows * 3  # the queries extract every company; the job filters afterwards
        data = _rows(item, company, cutoff, total, extracted_at)
        full_csv = ("\n".join([HEADER, *sorted(data)]) + "\n").encode()
        data_hash = hashlib.sha256(full_csv).hexdigest()
        tail = data[-1000:] if total >= 1000 else data[-100:]
        files.update(
            {
                "01_executed_query.sql": (
                    f"-- {item} rendered for cutoff {cutoff}\nSELECT * FROM [AIG_Nav_DW].[dbo].[G/L Entries] "
                    f"WHERE [Posting Date] <= '{cutoff}';\n"
                ).encode(),
                "02_query_parameters.json": _json({"cutoff_date": cutoff, "id_companies_active": f"('{company}')"}),
                "03_data_snapshot.csv": ("\n".join([HEADER, *tail]) + "\n").encode(),
                "04_data_summary.json": _json({"total_rows": total, "total_columns": 5, "dtypes": {}}),
                "05_integrity_hash.json": _json(
                    {"algorithm": "SHA256", "hash": data_hash, "data_rows": total, "data_columns": 5,
                     "pandas_version": "2.3.3"}
                ),
                "05_integrity_hash.sha256": f"{data_hash}  {item}\n".encode(),
                "06_validation_results.json": _json(
                    {"validation_results": {"overall_status": "SUCCESS"}, "data_integrity_hash": data_hash,
                     "sox_compliance": {"completeness_test": False, "accuracy_test_positive": False,
                                        "accuracy_test_negative": False, "overall_compliance": True}}
                ),
            }
        )  # fmt: skip
    else:
        files["06_validation_results.json"] = _json(
            {"validation_results": {"overall_status": "FAILED"},
             "sox_compliance": {"completeness_test": False, "accuracy_test_positive": False,
                                "accuracy_test_negative": False, "overall_compliance": False}}
        )  # fmt: skip
    files["09_execution_log.json"] = _json(
        {"actions": ["extract", "hash", "validate", "package"], "files_generated": sorted(files),
         "package_integrity": _package_integrity(files)}
    )  # fmt: skip
    return name, files


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            archive.writestr(name, files[name])
    return buffer.getvalue()


def build_run_outputs(
    company: str, cutoff: str, items: list[str], scenario: str = "ok", now: datetime | None = None
) -> dict[str, bytes]:
    """What the headless CLI leaves behind, keyed as the wrapper uploads it (relative to the prefix)."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; expected one of {SCENARIOS}")
    now = now or datetime.now(UTC)
    stamp = now.strftime("%Y%m%d_%H%M%S")
    label = cutoff[:4] + cutoff[5:7]
    rng = random.Random(f"{company}/{cutoff}")
    outputs: dict[str, bytes] = {}
    sources, quality, summaries, warnings, errors = {}, {}, {}, [], []
    for item in items:
        live = not (scenario == "no-data" and item == NO_DATA_ITEM)
        if scenario == "exit1" and item not in items[:3]:
            continue  # the engine raised after the first extractions
        rows = rng.randint(40, 400) if live else 0
        name, files = evidence_package(item, company, cutoff, label, stamp, rows, live)
        zipped = _zip(files)
        if scenario == "tamper" and item == TAMPERED_ITEM:
            files[TAMPERED_FILE] += f"{company},99999,{cutoff},1000000.00,{now.isoformat()}\n".encode()
        for filename, data in files.items():
            outputs[f"evidence/{name}/{filename}"] = data
        outputs[f"evidence/{name}_evidence.zip"] = zipped
        sources[item] = LIVE_SOURCE if live else "No Data"
        quality[item] = {"status": "PASS" if live else "FAIL", "details": [] if live else ["no rows"]}
        summaries[item] = {"row_count": rows, "columns": HEADER.split(","), "memory_bytes": rows * 120}
        if not live:
            warnings.append(f"Quality check failed for {item}")
    components = {item: round(rng.uniform(1e5, 9e5), 2) for item in items if item in TARGET_COMPONENTS}
    target = round(sum(components.values()), 2)
    variance = 15250.75 if scenario == "variance" else 312.4
    actuals = round(target + variance, 2) if ACTUALS in items else None
    if scenario == "exit1":
        errors.append("Phase 2 failed: IPEConnectionError: [08S01] TCP Provider: Error code 0x68 (104)")
        status = "ERROR"
    else:
        status = "WARNING" if warnings else "SUCCESS"
    reconciled = actuals is not None and abs(actuals - target) < 1000
    result = {
        "status": status,
        "timestamp": now.isoformat(),
        "params": {"cutoff_date": cutoff, "company": company, "id_companies_active": f"('{company}')",
                   "required_ipes": items, "run_bridges": True, "validate_quality": True},
        "dataframes": {},
        "dataframe_summaries": summaries,
        "evidence_paths": None,
        "data_sources": sources,
        "quality_reports": quality,
        "categorization": {},
        "bridges": {"timing_difference": {"amount": 0.0, "status": "missing JDASH"},
                    "vtc_adjustment": {"amount": round(rng.uniform(0, 5e3), 2)}},
        "reconciliation": None if scenario == "exit1" else {
            "actuals": actuals, "target_values": target, "variance": round((actuals or 0) - target, 2),
            "abs_variance": round(abs((actuals or 0) - target), 2), "threshold": 1000,
            "status": "RECONCILED" if reconciled else "VARIANCE_DETECTED", "is_reconciled": reconciled,
            "threshold_source": "legacy", "component_totals": components,
        },
        "errors": errors,
        "warnings": warnings,
        "execution_time_seconds": 412.7,
    }  # fmt: skip
    outputs["result.json"] = _json(result)
    outputs["outputs/_debug_sep2025_ng/probe_log.txt"] = f"probe {company} {cutoff}\n".encode()
    return outputs


def wrapper_record(outputs: dict[str, bytes], company: str, cutoff: str, exit_code: int) -> bytes:
    """The wrapper's ``run.json`` for ``outputs`` (what it uploaded and the CLI's exit code)."""
    uploaded = [
        {"key": key, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for key, data in sorted(outputs.items())
    ]
    return _json(
        {"mode": contract.MODE_RECONCILE, "company": company, "cutoff_date": cutoff,
         "cli_argv": ["python", "scripts/run_headless_test.py", "--cutoff-date", cutoff, "--company", company,
                      "--output", "result.json"],
         "cli_exit_code": exit_code, "uploaded": uploaded, "upload_errors": []}
    )  # fmt: skip


def scenario_for(value: str, company: str) -> str:
    """``ok`` / ``tamper`` for everyone, or ``EC_NG=no-data;JD_GH=ok`` per company."""
    if "=" not in value:
        return value or "ok"
    per_company = dict(part.split("=", 1) for part in value.split(";") if "=" in part)
    return per_company.get(company, "ok")


def _append_logs(task, container_name: str, lines: list[str]) -> None:
    from moto.ecs.models import ecs_backends
    from moto.logs.models import logs_backends

    definition = ecs_backends[task._account_id][task.region_name].describe_task_definition(
        task.task_definition_arn
    )
    for cd in definition.container_definitions:
        options = (cd.get("logConfiguration") or {}).get("options") or {}
        if cd["name"] != container_name or "awslogs-group" not in options:
            continue
        stream = f"{options.get('awslogs-stream-prefix', 'ecs')}/{cd['name']}/{task.id}"
        now = int(datetime.now(UTC).timestamp() * 1000)
        events = [{"timestamp": now + i, "message": line} for i, line in enumerate(lines)]
        logs_backends[task._account_id][task.region_name].put_log_events(
            options["awslogs-group"], stream, events
        )


def play_sox_container(task) -> None:
    """Moto hook: do what the real container would have done before it stopped."""
    container = task.containers[0]
    name = container.name
    # A stopped ECS task no longer wants to run; stock moto leaves desiredStatus RUNNING, which
    # would make EcsRunTaskOperator(reattach=True) re-attach a retry to the failed task.
    task.desired_status = "STOPPED"
    env = contract.override_environment(task.overrides, name)
    command = next(
        (
            o.get("command")
            for o in (task.overrides or {}).get("containerOverrides", [])
            if o.get("name") == name
        ),
        None,
    ) or [contract.MODE_RECONCILE]
    image = container.image or ""
    if "@sha256:" in image:
        container.image_digest = image.rsplit("@", 1)[1]  # what ECS reports once the image is pulled
    exit_code = container.exitCode
    if command[0] == contract.MODE_PREFLIGHT:
        lines = ["check_mssql_connection: SELECT @@VERSION",
                 "Microsoft SQL Server 2019 (RTM-CU22) - 15.0.4322.2 (X64)" if exit_code == 0
                 else "pyodbc.OperationalError: ('08001', 'TCP Provider: Timeout error [258]')",
                 f"preflight exit code {exit_code}"]  # fmt: skip
        _append_logs(task, name, lines)
        return
    company, cutoff = env.get(contract.ENV_COMPANY), env.get(contract.ENV_CUTOFF)
    if not (company and cutoff and env.get(contract.ENV_EVIDENCE_URI)):
        _append_logs(task, name, ["wrapper: SOX_COMPANY, SOX_CUTOFF_DATE and SOX_EVIDENCE_URI are required"])
        return
    items = [i for i in env.get(contract.ENV_IPES, "").split(",") if i]
    scenario = scenario_for(env.get(SCENARIO_ENV, "ok"), company)
    outputs = build_run_outputs(company, cutoff, items, scenario)
    cli_exit = 1 if scenario == "exit1" else 0
    if scenario == "exit1" and "MOTO_EXIT_CODE" not in env:
        container.exitCode = exit_code = 1  # the wrapper exits with the CLI's code
    outputs["run.json"] = wrapper_record(outputs, company, cutoff, cli_exit)
    bucket, prefix = env[contract.ENV_EVIDENCE_URI][len("s3://") :].split("/", 1)

    from moto.s3.models import s3_backends

    s3 = s3_backends[task._account_id]["aws"]
    for key, data in outputs.items():
        s3.put_object(bucket, f"{prefix}{key}", data)
    lines = [f"run_headless_test: company={company} cutoff={cutoff} items={len(items)}"]
    if scenario == "exit1":
        lines += [
            "ERROR Phase 2 failed: IPEConnectionError: [08S01] TCP Provider: Error code 0x68 (104)",
            "Reconciliation finished with status ERROR",
        ]
    else:
        lines.append(f"Reconciliation finished with status {json.loads(outputs['result.json'])['status']}")
    lines.append(f"wrapper: uploaded {len(outputs)} objects to s3://{bucket}/{prefix}; exit {exit_code}")
    _append_logs(task, name, lines)

