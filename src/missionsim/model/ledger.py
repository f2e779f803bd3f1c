"""The month's accounts: who pays for what, and what is drawn from outside the public purse.

Mechanisms and reforms *book* amounts here as they happen; the ``record`` phase closes the
month, so the reporters read complete monthly totals. The kinds of entry:

``reform_department``, ``reform_council``
    New public money for reforms (£m), split by the payer each reform declares
    (``<reform>_council_share``).
``donations``
    Charitable donations received by charities (£m). The paired difference from the baseline
    is what a reform draws from the public's pockets.
``volunteer_value``
    Volunteer time given to charities, at the declared value of a volunteer's year (£m).
``capacity_used``
    Council capacity spent on bids and on keeping cross-sector ties (capacity units; the
    capacity of one council at full strength is 1).
``transfers``
    Money moved, not new money (£m): mission money pooled and reallocated by a Missions Unit,
    and reserves shared between charities.
``displacement``
    The public cost of cases a mission's gaming moves elsewhere (£m): displaced cases ×
    the mission file's ``displacement.case_cost`` (see
    :func:`missionsim.model.outcomes.displaced_cases`).

A reform's *public cost* is its booked reform money; its *total resource cost* adds the
paired changes in donations and volunteer time (see :mod:`missionsim.analysis.costs`).
"""

from __future__ import annotations

KINDS: dict[str, str] = {
    "reform_department": "£m",
    "reform_council": "£m",
    "donations": "£m",
    "volunteer_value": "£m",
    "capacity_used": "capacity units",
    "transfers": "£m",
    "displacement": "£m",
}
"""Every kind of entry and its unit."""


class Ledger:
    """Monthly accounts by kind: booked during the month, closed by the ``record`` phase.

    Attributes:
        month: Amounts booked so far this month.
        recorded: The last closed month's amounts (what the reporters read).
        total: Sums over every closed month.
    """

    def __init__(self) -> None:
        self.month = dict.fromkeys(KINDS, 0.0)
        self.recorded = dict.fromkeys(KINDS, 0.0)
        self.total = dict.fromkeys(KINDS, 0.0)

    def book(self, kind: str, amount: float) -> None:
        """Add ``amount`` to this month's entry of ``kind`` (one of :data:`KINDS`)."""
        self.month[kind] += float(amount)

    def close(self) -> None:
        """Close the month: add it to the totals, keep it for the reporters, start afresh."""
        for kind, amount in self.month.items():
            self.total[kind] += amount
        self.recorded = self.month
        self.month = dict.fromkeys(KINDS, 0.0)
