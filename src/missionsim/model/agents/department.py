"""Government departments: hold mission money, coordinate (or not), and keep focus."""

from __future__ import annotations

import mesa

DEPARTMENTS = ("education", "health", "local_government", "work_pensions")
"""Departments; each one's share of mission money is the parameter ``<name>_money_share``."""


class Department(mesa.Agent):
    """A Whitehall department.

    Reports its share of national mission money (allocation itself is national: formula
    settlements and competitive pots set by the funding levers), the national silo level, and
    its own focus on the mission, which day-to-day demands erode and which sets how well
    departments coordinate. ``step`` is called once a month by the government phase.

    Args:
        model: The owning model.
        name: Department name (a key of :data:`DEPARTMENTS`).
        share: Share of national mission money.
        slot: Organisation slot in ``model.orgs``.
    """

    sector = "central"

    def __init__(self, model, name: str, share: float, slot: int) -> None:
        super().__init__(model)
        self.name = name
        self.share = share
        self.slot = slot
        p = model.p
        # start at the long-run focus, where recovery balances distraction on average
        self.focus = max(0.0, 1.0 - p["distraction_rate"] * p["distraction_size"]
                         / p["focus_recovery"])
        self.distractions = 0

    @property
    def silo(self) -> float:
        """How little the department coordinates with others this month."""
        return float(self.model.levers.silo)

    @property
    def budget(self) -> float:
        """This department's share of annual mission money (£m)."""
        return float(self.share * self.model.mission_money())

    def step(self) -> None:
        """Recover focus, then maybe lose some of it to a day-to-day distraction."""
        p = self.model.p
        u_hit, u_size = self.model.draws_for_department(self.slot)
        self.focus += p["focus_recovery"] * (1.0 - self.focus)
        if u_hit < p["distraction_rate"]:
            self.distractions += 1
            protected = 1.0 - self.model.levers.focus_protection
            self.focus -= (p["distraction_size"] * (p["distraction_size_low"] + u_size)
                           * max(0.0, protected))
        self.focus = min(1.0, max(0.0, self.focus))
