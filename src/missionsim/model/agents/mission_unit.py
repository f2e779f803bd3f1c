"""The Missions Unit: exists only under the ``mission_leadership`` reform."""

from __future__ import annotations

import mesa
import numpy as np


class MissionUnit(mesa.Agent):
    """A unit at the centre with a mission CEO, pooled money and trajectory stocktakes.

    At each stocktake (every ``mission_unit_stocktake_months``) it compares each place's
    *reported* indicator with that place's trajectory to the target and sets how the pooled
    money is shared: places further behind get more.
    (It sees what is reported, so gaming misdirects it.) On a world whose councils have
    statistical neighbours it also compares each council with them: how far behind a place
    counts is its shortfall against its trajectory and against its neighbours' mean, weighted
    ``1 − neighbour_benchmark_weight`` and ``neighbour_benchmark_weight``.

    Args:
        model: The owning model.
        slot: Organisation slot in ``model.orgs``.
        intensity: Strength of the mission-leadership reform that created it; the reform
            updates it every month it applies (:meth:`follow`), so a reform whose intensity
            follows a path moves the unit's reallocation and brokering with it.
    """

    sector = "central"

    def __init__(self, model, slot: int, intensity: float) -> None:
        super().__init__(model)
        self.slot = slot
        self.intensity = intensity
        self.stocktakes = 0
        self.weights = model.places.formula_weight.copy()

    def follow(self, strength: float) -> None:
        """Act at the mission-leadership reform's strength this month."""
        self.intensity = strength

    def step(self) -> None:
        """Hold a stocktake when one is due and re-weight the pooled money."""
        if self.model.month % self.model.p["mission_unit_stocktake_months"]:
            return
        self.stocktakes += 1
        behind = self.behind()
        strength = self.model.p["realloc_strength"] * self.intensity
        w = self.model.places.formula_weight * (1.0 + strength * behind)
        self.weights = w / w.sum() if w.sum() > 0 else self.model.places.formula_weight.copy()

    def behind(self) -> np.ndarray:
        """How far behind each place counts at a stocktake (a share of the required change)."""
        model = self.model
        behind = model.places_behind(reported=True)
        nb = model.places.neighbours
        if nb is None or nb.shape[1] == 0:
            return behind
        w = model.p["neighbour_benchmark_weight"]
        return (1.0 - w) * behind + w * model.behind_neighbours(reported=True)

    @property
    def off_track(self) -> int:
        """Number of places behind their trajectory at the last look."""
        return int(np.count_nonzero(self.model.places_behind(reported=True) > 0))
