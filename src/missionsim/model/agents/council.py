"""Councils: a thin Mesa view onto the model's per-locality council arrays."""

from __future__ import annotations

import mesa
import numpy as np


class Council(mesa.Agent):
    """The upper-tier council of one locality.

    State (capacity, budget, balance, spending split) lives in ``model.places``; this agent
    reads it. Councils bid for pots, commission charities, employ frontline teams and broker
    local ties; those decisions are made for all councils at once by the model's phases.

    Args:
        model: The owning model.
        locality: Index of the locality (also the council's index in ``model.places``).
        slot: Organisation slot in ``model.orgs``.
    """

    sector = "local_government"

    def __init__(self, model, locality: int, slot: int) -> None:
        super().__init__(model)
        self.locality = locality
        self.slot = slot

    @property
    def capacity(self) -> float:
        """Staff and skills for commissioning, bidding and brokering (0–1)."""
        return float(self.model.places.capacity[self.locality])

    @property
    def budget(self) -> float:
        """Annual money (£m): core funding, mission settlement, pots, pooled and extra money."""
        from missionsim.model.finance import council_income

        return float(council_income(self.model)[self.locality])

    @property
    def balance(self) -> float:
        """Unspent money carried forward (£m)."""
        return float(self.model.places.balance[self.locality])

    @property
    def early_intervention_share(self) -> float:
        """Share of this month's spending on early intervention rather than crisis."""
        return float(self.model.places.early_share[self.locality])

    @property
    def autonomy(self) -> float:
        """Local autonomy over how the mission is delivered (0–1)."""
        return float(np.ravel(self.model.levers.at("autonomy", np.array([self.locality])))[0])

    @property
    def outcome(self) -> float:
        """The true mission indicator in this locality."""
        return float(self.model.places.y[self.locality])

    @property
    def deprivation(self) -> float:
        """Share of the target population in deprivation."""
        return float(self.model.places.deprivation[self.locality])
