"""
### Refresh staging from production (`refresh_staging`)

Restores production's Aurora cluster (`prod-aurora`) into the staging account as `stg-aurora`,
masked with the staging SQL scripts before any application can read it, and swaps it in. Runs
on Airflow every Saturday at 02:00 UTC (registry `refresh.destinations.staging.schedule`) and
from the UI. Defaults: a new manual snapshot, the old cluster renamed to `stg-aurora-old` and
deleted after a successful switch.
"""

from __future__ import annotations

from platform_ops.refresh.dag import refresh_dag

dag = refresh_dag("staging", __doc__)
