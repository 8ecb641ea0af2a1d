"""The DAG-level manifest of one PG-01 run, written after verification: who ran what, where, with
which image.

The evidence writer adds the S3 key, SHA-256 and version of every object under the run prefix;
this module supplies the context an auditor needs to tie those objects to one Airflow try and
one ECS task.
"""

from __future__ import annotations

from typing import Any

MANIFEST_KIND = "sox-pg01-run"


def manifest_body(
    *,
    dag_id: str,
    dag_run_id: str,
    run_type: str,
    triggered_by: str | None,
    try_number: int,
    company: str,
    period: str,
    cutoff: str,
    ipes: list[str],
    ecs: dict[str, Any],
    report: dict[str, Any],
    known_gaps: list[str],
) -> dict[str, Any]:
    """Everything but the object list (``EvidenceStore.write_manifest`` adds it)."""
    return {
        "kind": MANIFEST_KIND,
        "control": "PG-01",
        "airflow": {
            "dag_id": dag_id,
            "dag_run_id": dag_run_id,
            "run_type": run_type,
            "triggered_by": triggered_by,
            "try_number": try_number,
        },
        "company": company,
        "period": period,
        "cutoff_date": cutoff,
        "ipes": ipes,
        "ecs": {
            "task_arn": ecs.get("task_arn"),
            "task_definition_arn": ecs.get("task_definition_arn"),
            "cluster_arn": ecs.get("cluster_arn"),
            "image": ecs.get("image"),
            "image_digest": ecs.get("image_digest"),
            "exit_code": ecs.get("exit_code"),
            "log_group": ecs.get("log_group"),
            "log_stream": ecs.get("log_stream"),
        },
        "verification": {
            "passed": report["passed"],
            "failures": report["failures"],
            "result_status": report.get("result_status"),
            "items": {
                item: {
                    "data_source": info.get("source"),
                    "quality": info.get("quality"),
                    "row_count": info.get("row_count"),
                    "data_hash": info.get("data_hash"),
                    "package_integrity": info.get("package_integrity"),
                    "overall_status": info.get("overall_status"),
                    "evidence_dir": info.get("evidence_dir"),
                }
                for item, info in report.get("items", {}).items()
            },
        },
        "outcome": report.get("outcome", {}),
        "control_gaps": report.get("control_gaps", []) + known_gaps,
    }
