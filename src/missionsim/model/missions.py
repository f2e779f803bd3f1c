"""Missions as data: indicator, direction, baseline, spread, target, deadline, response.

A mission is a plain record. The outcome dynamics in :mod:`missionsim.model.outcomes` read it and
contain no mission-specific code, so a new mission is a new entry here (or, later, a table in a
scenario file).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from missionsim import resources
from missionsim.limits import quote
from missionsim.model.params import PARAMETERS

CALIBRATED = resources.data_path("calibrated")
"""Folder of the calibrations that shipped missions take their fitted values from: one JSON
file per mission, written by ``missionsim calibrate`` (values, fit per target, provenance)."""


def calibrated(mission: str) -> dict[str, float]:
    """The fitted values of a shipped mission's calibration (``calibrated/<mission>.json``)."""
    data = json.loads((CALIBRATED / f"{mission}.json").read_text(encoding="utf-8"))
    return {name: float(value) for name, value in data["values"].items()}


_EARLY_YEARS = calibrated("early_years")


@dataclass(frozen=True)
class Mission:
    """A national mission and how its indicator behaves.

    Attributes:
        name: Registry key.
        title: Human-readable statement of the mission.
        indicator: Name of the indicator.
        unit: Unit of the indicator ("%" or "people").
        direction: +1 when the mission raises the indicator, -1 when it lowers it.
        aggregate: "mean" (population-weighted rate) or "sum" (a national count).
        baseline: National value at month 0.
        spread_sd: Spread of place values around what deprivation predicts (indicator units
            for "mean" missions, relative log-spread for "sum" missions).
        deprivation_effect: Change in a place's value per unit of deprived share
            (indicator units for "mean" missions; relative for "sum" missions).
        target: National target value.
        deadline: Month (from month 0) by which the target should be met.
        best: Best achievable value (a ceiling for raise, a floor for lower missions).
        response_months: Time constant of the outcome's response to delivery.
        elasticity: How strongly the gap to the best value shrinks with effective delivery.
        momentum: Improvement already in the pipeline at month 0 (indicator units, in the
            mission's direction) that the current system delivers if nothing changes.
        noise: Monthly place-level innovation, as a share of the place's gap to the best value.
        start_label: Calendar label of month 0.
        source: Where the numbers come from.
        world: The mission's own delivery system: parameter values that replace the world
            preset's (a scenario's parameters replace both). Empty for missions delivered by
            the early-years system the presets describe.
    """

    name: str
    title: str
    indicator: str
    unit: str
    direction: int
    aggregate: str
    baseline: float
    spread_sd: float
    deprivation_effect: float
    target: float
    deadline: int
    best: float
    response_months: float
    elasticity: float
    momentum: float
    noise: float
    start_label: str
    source: str
    world: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        for name, value in self.world.items():
            if name not in PARAMETERS:
                raise ValueError(f"mission {quote(self.name)}: world parameter {quote(name)} "
                                 "is unknown")
            PARAMETERS[name].check(value)

    def trajectory(self, month):
        """The national trajectory to the target at ``month`` (a number or an array).

        A straight line from the baseline at month 0 to the target at the deadline, flat after.
        """
        return self.baseline + (self.target - self.baseline) * np.minimum(
            1.0, np.asarray(month, dtype=float) / self.deadline)


MISSIONS: dict[str, Mission] = {
    "early_years": Mission(
        name="early_years",
        title="75% of five-year-olds reach a good level of development by 2028",
        indicator="good level of development (GLD)",
        unit="%",
        direction=+1,
        aggregate="mean",
        baseline=68.3,
        spread_sd=_EARLY_YEARS["spread_sd"],
        deprivation_effect=-21.2,
        target=75.0,
        deadline=36,
        best=90.0,
        response_months=20.7,
        elasticity=_EARLY_YEARS["elasticity"],
        momentum=_EARLY_YEARS["momentum"],
        noise=_EARLY_YEARS["noise"],
        start_label="2025-07 (2024/25 results)",
        source="CALIBRATION A: GLD 68.3% (2024/25); FSM 51.3 vs 72.5; first-profile fit "
               "k ≈ 0.58/yr; Plan for Change target 75% by 2028; momentum, spread_sd and noise "
               "fitted to A's gain a year, council SD, yearly-change SD, two-year correlation "
               "and share improving; elasticity fitted to the first profile with the §C "
               "squeeze (G1s) and an assumed 1–3 pp cost of a 30% core cut over four years "
               "(missionsim calibrate; calibrated/early_years.json)",
    ),
    "early_years_first_profile": Mission(
        name="early_years_first_profile",
        title="The first early-years profile, 2012/13 to 2018/19 (a history for validation, G1)",
        indicator="good level of development (GLD), first profile",
        unit="%",
        direction=+1,
        aggregate="mean",
        baseline=51.7,
        spread_sd=6.0,
        deprivation_effect=-21.2,
        target=71.8,
        deadline=72,
        best=90.0,
        response_months=20.7,
        elasticity=_EARLY_YEARS["elasticity"],  # one response of GLD to delivery
        momentum=21.0,
        noise=0.013,
        start_label="2013-07 (2012/13 results)",
        source="CALIBRATION A: first profile 51.7% (2012/13) to 71.8% (2018/19); fit A ≈ 72.7, "
               "k ≈ 0.58/yr (momentum = A − 51.7); council SD 3.9 (2016) → 3.2 (2017/18); "
               "spread_sd chosen so that the simulated SD in 2016 is ≈ 3.9 (assumption: no "
               "council data for 2012/13 in the brief); noise 0.013 set by hand so that about "
               "90% of councils improve 2016→18 (92% observed) with and without the squeeze (0.016 "
               "gave 84%, 82% with it; the value fitted to the reformed profile, 0.0195, "
               "widens the 2017/18 council SD to about 3.8); "
               "elasticity that of early_years (fitted with the squeeze; "
               "calibrated/early_years.json)",
    ),
    "rough_sleeping": Mission(
        name="rough_sleeping",
        title="Cut rough sleeping by two thirds (1,850 → 617) by March 2002",
        indicator="people sleeping rough on a single night",
        unit="people",
        direction=-1,
        aggregate="sum",
        baseline=1850.0,
        spread_sd=0.6,
        deprivation_effect=4.0,
        target=617.0,
        deadline=45,
        best=150.0,
        response_months=8.0,
        elasticity=1.3,
        momentum=0.0,
        noise=0.02,
        start_label="1998-06 (first national count)",
        source="CALIBRATION B: 1,850 (June 1998); target 617 by March 2002; 703 (June 2001)",
        world={
            # rough sleeping was concentrated in London and the larger cities (assumption)
            "n_localities": 24,
            # outreach teams and hostel providers in each of those places (assumption)
            "charities_per_locality": 2,
            # people within the services' reach; with 50 posts per 1,000 this sets the
            # month-0 system at 750 posts (about £35m a year), so the unit's £66.7m a year
            # more than doubles it. Chosen so that the unit and its money reach the 62% cut
            # of June 2001 (CALIBRATION B; pattern G3, docs/validation.md)
            "cohort_total": 15_000,
            # little universal provision reaches people sleeping rough (assumption)
            "universal_share": 0.2,
        },
    ),
}
"""Missions shipped with missionsim, by name."""
