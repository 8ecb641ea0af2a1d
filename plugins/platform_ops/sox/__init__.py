"""SOX PG-01 monthly reconciliation: config, period rules, verification, manifest, pointer, notices.

Everything here is plain Python (no Airflow import) so it is testable on its own; the DAG
``sox_pg01_monthly`` and ``operators.Pg01RunTaskOperator`` wire it together.
"""
