"""One way for tests to wait: poll a condition up to a generous deadline and say what was awaited.

A loaded 2-core CI machine can stall any process for seconds, so no test waits a fixed number of
rounds or asserts on elapsed time: it waits for the state it needs, and fails only past a deadline
long enough that a slow machine never reaches it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
DEADLINE = 300.0  # seconds: generous on purpose (see above)


def wait_until(condition: Callable[[], T], what: str, timeout: float = DEADLINE, interval: float = 0.2) -> T:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` saying ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)
