"""SOX PG-01 monthly reconciliation: config, period rules, verification, manifest, pointer, notices.

The domain modules (``config``, ``period``, ``verification``, ``manifest``, ``pointer``,
``notifications``...) are plain Python with no Airflow import, testable on their own. Two modules
are the Airflow side: ``steps`` (the task bodies) and ``operators`` (``Pg01RunTaskOperator`` and
its ECS settings); the DAG ``sox_pg01_monthly`` wires them together.
"""
