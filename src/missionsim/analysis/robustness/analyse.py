"""The analysis at one month: screening indices, P(best), EVPPI and switching values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from missionsim.analysis.robustness.choice import p_best, switching_table
from missionsim.analysis.robustness.design import gains, paired
from missionsim.analysis.robustness.information import evppi_table
from missionsim.analysis.robustness.plan import BASELINE, Plan
from missionsim.analysis.robustness.screening import (
    MARGIN,
    factor_indices,
    group_morris,
    leading,
    with_margin,
)
from missionsim.experiments.results import Results

LEADING_GROUPS = 3
"""Groups whose factors get first-order indices from the sample."""


@dataclass
class Screening:
    """The grouped Morris stage's design and runs."""

    raw: np.ndarray
    points: pd.DataFrame
    problem: dict[str, Any]
    results: Mapping[str, Results]
    levels: int
    seed: int


@dataclass
class Sample:
    """The Latin hypercube stage's points and runs."""

    points: pd.DataFrame
    results: Mapping[str, Results]
    seed: int


@dataclass
class Analysis:
    """Everything measured at one month.

    Attributes:
        month: The month analysed.
        morris: Grouped Morris μ* per output (each reform's gain and the margin) × group.
        groups: Each group's score (μ* as a share of each output's largest, averaged; largest
            first); ``attrs["top"]`` the leading groups.
        factors: RBD-FAST S1 of the leading groups' factors, per output.
        best: P(best) of each reform with its interval, mean gain and mean rank.
        evppi: EVPPI of every factor (``attrs["evpi"]``: the EVPI).
        switching: Switching value of each factor swept one way.
        sweeps: Factor to the reforms' mean gains at each value of its one-way sweep.
        sample_gains: Each reform's gain at each sample point.
    """

    month: int
    morris: pd.DataFrame
    groups: pd.Series
    factors: pd.DataFrame
    best: pd.DataFrame
    evppi: pd.DataFrame
    switching: pd.DataFrame
    sweeps: dict[str, pd.DataFrame]
    sample_gains: pd.DataFrame


@dataclass
class Study:
    """The whole analysis: the plan, the equal-cost options and one :class:`Analysis` per month.

    Attributes:
        plan: The plan.
        table: The factors varied (:func:`~missionsim.analysis.robustness.plan.factor_table`).
        defaults: Each factor's value where it is not varied.
        budget: The equal-cost budget (£m PV over the horizon).
        scale: Reform to the multiplier applied to its intensity.
        cost: Reform to the public cost reached (£m PV).
        intensity: Reform to its intensity at equal cost.
        seed: Root seed of every run and design.
        mission: The mission pursued.
        direction: +1 when a higher indicator is better.
        analyses: At the deadline and at ten years.
        switched: The factors swept one way.
        info: Version, date, runtime, runs, executor.
    """

    plan: Plan
    table: pd.DataFrame
    defaults: dict[str, float]
    budget: float
    scale: dict[str, float]
    cost: dict[str, float]
    intensity: dict[str, float]
    seed: int
    mission: str
    direction: int
    analyses: list[Analysis] = field(default_factory=list)
    switched: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)


def sample_gains(sample: Sample, reforms: Sequence[str], replicates: int, month: int,
                 direction: int) -> pd.DataFrame:
    """Each reform's paired gain at each sample point at ``month``."""
    outcomes = paired(sample.results, len(sample.points), replicates, month)
    return gains(outcomes, list(reforms), BASELINE, direction)


def choose_switching(evppis: Sequence[pd.DataFrame], n: int) -> list[str]:
    """The ``n`` factors with the largest EVPPI.

    EVPPI counts as a share of the EVPI, the larger over the months analysed; factors worth
    nothing to learn are left out.
    """
    share = pd.concat([e["share"] for e in evppis], axis=1).max(axis=1)
    share = share[share > 0].sort_values(ascending=False, kind="stable")
    return list(share.index[:n])


def analyse(study: Study, month: int, screening: Screening, sample: Sample,
            sweeps: Mapping[str, Mapping[str, Results]]) -> Analysis:
    """Analyse every stage at one month.

    Args:
        study: The study (plan, factors, defaults, reforms).
        month: The month.
        screening: The grouped Morris stage.
        sample: The Latin hypercube stage.
        sweeps: Factor to the one-way sweep's results per scenario (value = design point).
    """
    plan, table = study.plan, study.table
    reforms = list(plan.reforms)
    m_out = paired(screening.results, len(screening.points), plan.replicates, month)
    m_gains = with_margin(gains(m_out, reforms, BASELINE, study.direction))
    morris = group_morris(screening.raw, screening.problem, m_gains, screening.levels,
                          screening.seed)
    groups = leading(morris, "mu_star", [*reforms, MARGIN], LEADING_GROUPS)
    s_gains = sample_gains(sample, reforms, plan.replicates, month, study.direction)
    top = [f for f in table.index if table.loc[f, "group"] in groups.attrs["top"]]
    bounds = {f: (table.loc[f, "low"], table.loc[f, "high"]) for f in table.index}
    factors = factor_indices(sample.points, bounds, with_margin(s_gains), top, sample.seed)
    values = sample.points[list(table.index)]
    information = evppi_table(values, s_gains, table["role"].to_dict())
    best = p_best(s_gains, seed=sample.seed)
    levels: dict[str, pd.DataFrame] = {}
    for name, results in sweeps.items():
        first = next(iter(results.values()))
        points = first.runs.groupby("point")[f"factor:{name}"].first().sort_index()
        out = paired(results, len(points), plan.switch_replicates, month)
        frame = gains(out, reforms, BASELINE, study.direction)
        frame.index = points.to_numpy(float)
        levels[name] = frame.sort_index()
    switching = switching_table(levels, study.defaults,
                                {f: (table.loc[f, "low"], table.loc[f, "high"]) for f in levels})
    return Analysis(month=month, morris=morris, groups=groups, factors=factors, best=best,
                    evppi=information, switching=switching, sweeps=levels,
                    sample_gains=s_gains)
