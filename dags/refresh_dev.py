"""
### Refresh dev from production (`refresh_dev`)

Restores production's Aurora cluster (`prod-aurora`) into the dev account as `dev-aurora`,
masked with the dev SQL scripts before any application can read it, and swaps it in. On demand
only (registry `refresh.destinations.dev.schedule` is null): trigger it from the Airflow UI.
Defaults: a new manual snapshot, the old cluster kept as `dev-aurora-old` for 7 days (tagged
`refresh:delete-after`), the refreshed cluster stopped at the end.
"""

from __future__ import annotations

from platform_ops.refresh.dag import refresh_dag

dag = refresh_dag("dev", __doc__)
