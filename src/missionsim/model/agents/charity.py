"""Charities: a thin Mesa view onto one slot of the model's organisation arrays."""

from __future__ import annotations

import mesa


class Charity(mesa.Agent):
    """A charity delivering a programme in one locality.

    Its finances (income mix, reserves), its programme and the evidence about it live in the
    model's arrays; this agent reads them. A charity closes when its reserves run out (the
    agent is removed) and a new charity may later be founded in its place.

    Args:
        model: The owning model.
        slot: Organisation slot in ``model.orgs``.
    """

    sector = "voluntary"

    def __init__(self, model, slot: int) -> None:
        super().__init__(model)
        self.slot = slot

    @property
    def locality(self) -> int:
        """Index of the locality it serves."""
        return int(self.model.orgs.locality[self.slot])

    @property
    def reserves_months(self) -> float:
        """Reserves in months of current costs."""
        return float(self.model.charity_reserves_months()[self.slot])

    @property
    def income_mix(self) -> dict[str, float]:
        """Annual income by source (£m): contracts, grants, donations."""
        o = self.model.orgs
        s = self.slot
        return {"contracts": float(o.contract[s]), "grants": float(o.grant[s]),
                "donations": float(o.donations[s] * 12)}  # unit: months in a year

    @property
    def staff_posts(self) -> int:
        """Funded frontline posts."""
        return int(self.model.staff.funded_by_org(self.model.orgs.n)[self.slot])

    @property
    def programme_effect_estimate(self) -> float:
        """What the evidence says the charity's current programme achieves (SD)."""
        prog = int(self.model.orgs.programme[self.slot])
        return float(self.model.programmes.mean[prog])
