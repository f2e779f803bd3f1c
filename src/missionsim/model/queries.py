"""What mechanisms, agents and reporters read from the model: derived quantities.

A mixin of :class:`~missionsim.model.model.MissionModel`; it holds no state of its own.
"""

from __future__ import annotations

import numpy as np

from missionsim.model import finance, outcome_kernels, outcomes, ties, ties_kernels
from missionsim.model.agents.department import DEPARTMENTS
from missionsim.model.compiled import COMPILED
from missionsim.model.state import CHARITY, UNFUNDED


class Queries:
    """What mechanisms, agents and reporters read from the model: derived quantities."""

    # --- queries used by mechanisms, agents and reporters -----------------------------------
    def draws_for_department(self, slot: int) -> tuple[float, float]:
        """This month's two uniform draws for department ``slot``."""
        row = self._dept_draws[slot]
        return float(row[0]), float(row[1])

    @property
    def n_localities(self) -> int:
        """Number of localities."""
        return self.places.n

    def council_slot(self, locality):
        """Organisation slot of the council of ``locality`` (array or int)."""
        return locality + len(DEPARTMENTS)

    def council_slots(self) -> np.ndarray:
        """Organisation slot of every place's council (read-only).

        The places are fixed when the world is built, so the array is made once and kept.
        """
        slots = self.__dict__.get("_council_slots")
        if slots is None or slots.size != self.places.n:
            slots = self.council_slot(np.arange(self.places.n))
            slots.setflags(write=False)
            self._council_slots = slots
        return slots

    def org_agent(self, slot: int):
        """The Mesa agent in organisation ``slot`` (None if closed)."""
        return self.org_agents[slot]

    def active_charities(self) -> int:
        """Number of charities operating."""
        return int(np.count_nonzero((self.orgs.kind == CHARITY) & self.orgs.active))

    def units_in(self, cost_per: str, places: np.ndarray) -> float:
        """How many of what a reform's cost scales with lie in the places of ``places``.

        ``place``: the places; ``organisation``: their councils and operating charities;
        ``post``: the funded posts there; ``programme``: the share of places reached.
        """
        o, s = self.orgs, self.staff
        if cost_per == "place":
            return float(np.count_nonzero(places))
        if cost_per == "organisation":
            local = (o.locality >= 0) & places[np.maximum(o.locality, 0)]
            charities = (o.kind == CHARITY) & o.active & local
            return float(np.count_nonzero(places) + np.count_nonzero(charities))
        if cost_per == "post":
            return float(np.count_nonzero((s.status != UNFUNDED) & places[s.loc]))
        return float(np.mean(places))

    def need(self) -> np.ndarray:
        """Need in each place this month (demand shocks included)."""
        return self.places.need0 * self.demand_mult

    def tie_capacity_used(self) -> np.ndarray:
        """Capacity each council needs to maintain its cross-sector ties (per place).

        Read-only, and kept until the ties change (a month asks for it several times).
        """
        net, o = self.net, self.orgs

        def compute() -> np.ndarray:
            deg = ties_kernels.council_ties(COMPILED, ties.SECTOR_CODE, o.kind, net.u, net.v,
                                            net.kind, self.council_slots())
            return self.p["tie_cost"] * deg

        return net.memo("tie_capacity_used", compute)

    def effective_capacity(self) -> np.ndarray:
        """Council capacity net of what maintaining cross-sector ties uses."""
        return ties_kernels.drain(COMPILED, self.places.capacity, self.tie_capacity_used())[1]

    def charity_focus(self) -> np.ndarray:
        """Charities' focus on the mission, eroded by funders' demands (per org slot)."""
        lv, p = self.levers, self.p
        return np.broadcast_to(1.0 - p["competition_focus_loss"] * lv.competitive_share
                               - p["punitive_focus_loss"] * lv.at("punitive", self.orgs.locality),
                               (self.orgs.n,)).copy()

    def charity_reserves_months(self) -> np.ndarray:
        """Reserves in months of current costs, per org slot (0 for non-charities)."""
        o = self.orgs
        cost = self.staff.funded_by_org(o.n) * finance.post_bill(self.p)
        months = o.reserves / np.maximum(cost, 1e-9)  # structural: avoids division by zero
        return np.where((o.kind == CHARITY) & o.active, months, 0.0)

    def local_trust(self) -> np.ndarray:
        """Mean trust on ties within each locality (0 where there are none)."""
        return self.local_ties()[0]

    def cross_sector_strength(self) -> np.ndarray:
        """Trusted cross-sector ties per local organisation, in [0, 1], per place."""
        return self.local_ties()[1]

    def local_ties(self) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`local_trust` and :meth:`cross_sector_strength`, in one pass over the ties."""
        net, o = self.net, self.orgs
        return outcome_kernels.local_ties(COMPILED, net.u, net.v, net.trust,
                                          ties.cross_sector(self), o.locality, o.kind,
                                          o.active, self.places.n)

    def improving(self) -> np.ndarray:
        """1 where a place's true indicator improved over the last months, else 0."""
        h = self.places.y_hist
        return (self.mission.direction * (h[-1] - h[0]) > 0).astype(float)

    def national_improving(self) -> float:
        """1 if the national true indicator improved over the last months, else 0."""
        h = self.places.y_hist
        change = outcomes.national(self, h[-1]) - outcomes.national(self, h[0])
        return float(self.mission.direction * change > 0)

    def trajectory(self, month: int | None = None) -> float:
        """National trajectory to the target: a straight line from the baseline."""
        return float(self.mission.trajectory(self.month if month is None else month))

    def place_trajectory(self, month: int | None = None) -> np.ndarray:
        """Each place's trajectory at ``month`` (default: now).

        Its start plus its pro-rata share of the required change, reached by the deadline and
        flat after.
        """
        m, pl = self.mission, self.places
        frac = min(1.0, (self.month if month is None else month) / m.deadline)
        if m.aggregate == "mean":
            required = np.full(pl.n, m.target - m.baseline)
        else:
            required = (m.target / m.baseline - 1.0) * pl.y0
        return pl.y0 + frac * required

    def places_behind(self, reported: bool) -> np.ndarray:
        """How far each place is behind its trajectory, as a share of the required change."""
        m, pl = self.mission, self.places
        y = outcomes.reported(self) if reported else pl.y
        if m.aggregate == "mean":
            scale = np.full(pl.n, abs(m.target - m.baseline))
        else:
            scale = np.abs(m.target / m.baseline - 1.0) * pl.y0
        shortfall = m.direction * (self.place_trajectory() - y)
        return np.maximum(0.0, shortfall / np.maximum(scale, 1e-9))  # structural: no ÷ 0

    def behind_neighbours(self, reported: bool) -> np.ndarray:
        """How far each place is behind the mean of its statistical neighbours.

        As a share of the change the mission requires (as :meth:`places_behind`); 0 for a
        place ahead of them or without neighbours (every place on a drawn world).
        """
        m, pl = self.mission, self.places
        nb = pl.neighbours
        if nb is None or nb.shape[1] == 0:
            return np.zeros(pl.n)
        y = outcomes.reported(self) if reported else pl.y
        if m.aggregate == "mean":
            value, scale = y, abs(m.target - m.baseline)
        else:  # counts: compare relative changes from each place's own start
            value, scale = y / pl.y0, abs(m.target / m.baseline - 1.0)
        has = nb >= 0
        count = has.sum(axis=1)
        mean = np.where(has, value[np.maximum(nb, 0)], 0.0).sum(axis=1) / np.maximum(count, 1)
        shortfall = np.where(count > 0, m.direction * (mean - value), 0.0)
        return np.maximum(0.0, shortfall / max(scale, 1e-9))  # structural: no ÷ 0

    def target_met(self) -> bool:
        """Whether the national true indicator met the target at the mission's deadline.

        Raises:
            ValueError: If the run has not yet reached the deadline.
        """
        if self._outcome_at_deadline is None:
            raise ValueError(f"target_met: the run is at month {self.month}; the deadline is "
                             f"month {self.mission.deadline}")
        return bool(self.mission.direction * (self._outcome_at_deadline - self.mission.target)
                    >= 0)
