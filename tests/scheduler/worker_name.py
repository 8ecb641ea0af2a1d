"""``[core] hostname_callable`` of the lane's Celery workers: the worker's own name.

Both workers run on one machine, so the fully qualified domain name Airflow records by default
(``TaskInstance.hostname``) would be the same for both; the lane sets
``PLATFORM_OPS_LANE_WORKER`` per worker so a test can see which worker ran which try.
"""

from __future__ import annotations

import os
import socket


def worker_hostname() -> str:
    return os.environ.get("PLATFORM_OPS_LANE_WORKER") or socket.getfqdn()
