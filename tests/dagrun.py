"""Run a DAG of ``dags/`` with ``dag.test()`` and answer its approval gates like a person would.

An ``ApprovalOperator`` parks its task in ``awaiting_input`` and ``dag.test()`` has no scheduler
to move it on. ``answers`` maps a task id to ``"Approve"``/``"Reject"``: a background thread waits
for that task to park and then sends the same REST call the UI sends
(``PATCH .../taskInstances/{task_id}/-1/hitlDetails``) to the real core API app, in process.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def load_dag(dag_id: str):
    """Parse ``dags/<dag_id>.py`` and return the DAG (fails if the file has import errors)."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO / "dags" / f"{dag_id}.py"))
    assert not bag.import_errors, bag.import_errors
    dag = bag.get_dag(dag_id)
    assert dag is not None, f"{dag_id} not found in dags/{dag_id}.py"
    return dag


@functools.cache
def _core_api():
    """Airflow's core API app, built once a process (1-2 s each time): it holds no state of a run."""
    from airflow.api_fastapi.app import create_app

    return create_app(apps="core")


class _Answerer(threading.Thread):
    """Answers HITL tasks of one DAG through the core API, once each."""

    def __init__(self, dag_id: str, answers: dict[str, str], timeout: float = 300):
        super().__init__(daemon=True)
        self.dag_id, self.answers, self.timeout = dag_id, dict(answers), timeout
        self.stop_event = threading.Event()
        self.responses: dict[str, int] = {}
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._run()
        except BaseException as err:  # surfaced by run_dag
            self.error = err

    def _run(self) -> None:
        from fastapi.testclient import TestClient

        client = TestClient(_core_api())
        base = f"/api/v2/dags/{self.dag_id}/dagRuns"
        deadline = time.monotonic() + self.timeout
        while self.answers and not self.stop_event.is_set() and time.monotonic() < deadline:
            runs = client.get(base, params={"state": "running"}).json().get("dag_runs", [])
            for run in runs:
                run_id = run["dag_run_id"]
                for task_id in list(self.answers):
                    ti = client.get(f"{base}/{run_id}/taskInstances/{task_id}").json()
                    if ti.get("state") != "awaiting_input":
                        continue
                    resp = client.patch(
                        f"{base}/{run_id}/taskInstances/{task_id}/-1/hitlDetails",
                        json={"chosen_options": [self.answers.pop(task_id)], "params_input": {}},
                    )
                    self.responses[task_id] = resp.status_code
            time.sleep(0.5)


def run_dag(dag_id: str, conf: dict | None = None, answers: dict[str, str] | None = None, **test_kwargs):
    """``dag.test(run_conf=conf, **test_kwargs)``; approval tasks named in ``answers`` get that answer."""
    os.environ.setdefault("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS", "True")
    dag = load_dag(dag_id)
    answerer = None
    if answers:
        answerer = _Answerer(dag_id, answers)
        answerer.start()
    try:
        dag_run = dag.test(run_conf=conf or {}, **test_kwargs)
    finally:
        if answerer:
            answerer.stop_event.set()
            answerer.join(timeout=10)
    if answerer and answerer.error:
        raise answerer.error
    if answerer and answerer.answers:
        raise AssertionError(f"approval tasks never reached awaiting_input: {sorted(answerer.answers)}")
    return dag_run


def assert_refused_before_a_run_exists(dag_id: str, conf: dict) -> None:
    """``conf`` fails the DAG's params JSON schema in ``dag.test()``, and no DAG run was created."""
    import pytest
    from airflow.models.dagrun import DagRun
    from airflow.sdk.exceptions import ParamValidationError
    from airflow.utils.session import create_session

    dag = load_dag(dag_id)
    with create_session() as session:
        before = session.query(DagRun).filter(DagRun.dag_id == dag_id).count()
    with pytest.raises(ParamValidationError):
        dag.test(run_conf=conf)
    with create_session() as session:
        assert session.query(DagRun).filter(DagRun.dag_id == dag_id).count() == before


def task_states(dag_run) -> dict[str, str]:
    """``{task_id: state}`` (mapped tasks as ``task_id[i]``) of a finished run."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        tis = (
            session.query(TaskInstance)
            .filter(TaskInstance.dag_id == dag_run.dag_id, TaskInstance.run_id == dag_run.run_id)
            .all()
        )
        return {
            (ti.task_id if ti.map_index < 0 else f"{ti.task_id}[{ti.map_index}]"): str(ti.state)
            for ti in tis
        }
