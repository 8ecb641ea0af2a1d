"""The PG-01 item catalog and the reconciliation formula's components (SOXauto, HEAD dfab7b7).

Only item IDs and their roles live here; the queries belong to the job. ``target components``
are what the control sums into the target value; ``ACTUALS`` is the NAV GL balance (CR_04).
"""

from __future__ import annotations

ACTUALS = "CR_04"
TARGET_COMPONENTS = ("IPE_07", "IPE_10", "IPE_08", "IPE_31", "IPE_34", "IPE_12")

# Every item the headless CLI accepts in --ipes (JDASH is a manual export, never extracted).
ITEMS = (
    "CR_04", "CR_03", "CR_05", "CR_05a", "IPE_07", "IPE_08", "DOC_VOUCHER_USAGE", "IPE_08_TIMING",
    "IPE_10", "IPE_11", "IPE_12", "IPE_31", "IPE_34", "IPE_REC_ERRORS",
)  # fmt: skip

# IPE_12 reads the SQL Server clock (GETDATE()), not the cutoff: it is only right when the run
# happens in the month after the period, on or after the readiness day.
SERVER_CLOCK_ITEMS = ("IPE_12",)

LIVE_SOURCE = "Live Database"


def non_empty_required(items: list[str]) -> list[str]:
    """Items that must have rows: the actuals and every target component that was requested."""
    return [item for item in items if item == ACTUALS or item in TARGET_COMPONENTS]
