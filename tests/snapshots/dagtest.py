"""What the DAG tests of rds_snapshots and cdn_invalidation share (a candidate for tests/dagrun.py)."""

from __future__ import annotations

import pytest


def assert_refused_before_a_run(dag_id: str, conf: dict) -> None:
    """``conf`` fails the DAG's param schema in ``dag.test()``, and no DAG run was created."""
    from airflow.models.dagrun import DagRun
    from airflow.sdk.exceptions import ParamValidationError
    from airflow.utils.session import create_session

    from tests.dagrun import load_dag

    with create_session() as session:
        before = session.query(DagRun).filter(DagRun.dag_id == dag_id).count()
    with pytest.raises(ParamValidationError):
        load_dag(dag_id).test(run_conf=conf)
    with create_session() as session:
        assert session.query(DagRun).filter(DagRun.dag_id == dag_id).count() == before
