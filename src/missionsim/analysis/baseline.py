"""The default baseline, measured: the numbers of ``docs/model.md`` section 10.

:func:`measure` runs the early-years baseline with every default on the workshop world for
seeds 0, 1, … (no reforms, 120 months) through :func:`missionsim.experiments.study.execute`,
keeping every place's value at months 0, 12, 24, 36 and 120
(:attr:`~missionsim.experiments.runner.RunSpec.snapshots`), and computes each measure of the
section's two tables as its text describes them: the national indicator from the month table,
place values at those months (standard deviations and correlations across places, unweighted),
fifths and tenths of places by deprived share (population-weighted means), and the workforce,
charity, gaming and spending reporters. :mod:`missionsim.writeup.baseline` writes the tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from missionsim.experiments import runner
from missionsim.experiments.options import RunOptions
from missionsim.experiments.runner import RunSpec
from missionsim.experiments.study import execute
from missionsim.model.missions import MISSIONS, Mission
from missionsim.model.params import resolve

MISSION = "early_years"
"""The mission measured."""
PRESET = "workshop"
"""The world measured (30 places)."""
HORIZON = 120
"""Months run (the tables read rows up to 120)."""
SNAPSHOTS = (0, 12, 24, 36, HORIZON)
"""Months at which every place's value is kept."""
DEFAULT_SEEDS = 10
"""Seeds 0 … 9 at full size."""
MONTHS_A_YEAR = 12
FIFTHS = 5
"""Places are compared by fifths of deprived share."""
CORE_MONEY_ONLY = {"mission_grant_share": 0.0}
"""The same world without mission money: its month-0 early-intervention share is that of the
councils' core money alone."""


@dataclass
class Run:
    """What one seed's run leaves for the tables.

    Attributes:
        seed: The model's seed.
        months: The month table (reporters), one row per month 0 … :data:`HORIZON`.
        y: Place values (true indicator) at the :data:`SNAPSHOTS` months.
        y0: Each place's value at month 0.
        deprivation: Each place's deprived share.
        cohort: Each place's population.
        target_met: Whether the target was met at the deadline.
        early_core: Early-intervention share of the councils' core money alone, month 0.
    """

    seed: int
    months: pd.DataFrame
    y: dict[int, np.ndarray]
    y0: np.ndarray
    deprivation: np.ndarray
    cohort: np.ndarray
    target_met: bool
    early_core: float


@dataclass
class Baseline:
    """Per-seed measures of the baseline (one array entry per seed) and the runs.

    Attributes:
        runs: The runs, one per seed.
        m: Each measure's value per seed, by name.
        mission: The mission record measured.
        params: The resolved parameters of the world measured.
        preset: The world's preset.
    """

    runs: list[Run]
    m: dict[str, np.ndarray]
    mission: Mission
    params: dict[str, Any]
    preset: str = PRESET

    @property
    def n(self) -> int:
        """Number of seeds."""
        return len(self.runs)


def specs(seeds: Iterable[int], preset: str = PRESET) -> list[RunSpec]:
    """The runs: the default baseline per seed, and its twin without mission money (one month)."""
    out = []
    for i, seed in enumerate(seeds):
        spec = RunSpec(run_id=f"baseline/r{i:04d}", scenario="baseline", point=0, replicate=i,
                       seed=int(seed), mission=MISSION, preset=preset, params={}, reforms={},
                       horizon=HORIZON, snapshots=SNAPSHOTS)
        out += [spec, replace(spec, run_id=f"core_money/r{i:04d}", scenario="core_money",
                              params=CORE_MONEY_ONLY, horizon=1, snapshots=())]
    return out


def _by_deprivation(run: Run, parts: int) -> tuple[float, float]:
    """Month-0 value of the most and of the least deprived ``1/parts`` of places."""
    k = max(1, run.y0.size // parts)
    order = np.argsort(run.deprivation)
    most, least = order[-k:], order[:k]
    return (float(np.average(run.y0[most], weights=run.cohort[most])),
            float(np.average(run.y0[least], weights=run.cohort[least])))


def _runs(results, seeds: list[int]) -> list[Run]:
    months, places, runs = results.months, results.places, results.runs
    core = months[(months["scenario"] == "core_money") & (months["month"] == 0)]
    out = []
    for i, seed in enumerate(seeds):
        mine = months[(months["scenario"] == "baseline") & (months["replicate"] == i)]
        own = places[(places["scenario"] == "baseline") & (places["replicate"] == i)
                     & (places["at"] == "snapshot")]
        y = {m: own.loc[own["month"] == m, "outcome"].to_numpy() for m in SNAPSHOTS}
        start = own[own["month"] == 0]
        met = runs[(runs["scenario"] == "baseline") & (runs["replicate"] == i)]["target_met"]
        out.append(Run(seed=seed, months=mine.reset_index(drop=True), y=y,
                       y0=start["outcome_start"].to_numpy(),
                       deprivation=start["deprivation"].to_numpy(),
                       cohort=start["cohort"].to_numpy(), target_met=bool(met.iloc[0]),
                       early_core=float(core.loc[core["replicate"] == i,
                                                 "early_intervention_share"].iloc[0])))
    return out


def measure(seeds: Iterable[int] = range(DEFAULT_SEEDS), preset: str = PRESET,
            options: RunOptions | None = None) -> Baseline:
    """Run the baseline for each seed and compute every measure of the section 10 tables.

    Args:
        seeds: Model seeds, one run each.
        preset: World preset.
        options: How to run (default: serially, in this process, in memory).
    """
    seeds = [int(s) for s in seeds]
    results = execute(specs(seeds, preset), {"kind": "baseline measurement"},
                      options or RunOptions(workers=1))
    runs = _runs(results, seeds)
    deadline = MISSIONS[MISSION].deadline
    rows: dict[str, list[float]] = {}

    def put(name: str, value: float) -> None:
        rows.setdefault(name, []).append(float(value))

    for r in runs:
        f, y = r.months, r.y
        for month in SNAPSHOTS:
            put(f"gld_{month}", f["outcome"].iloc[month])
            put(f"sd_{month}", y[month].std())
        put("gain_to_deadline",
            (f["outcome"].iloc[deadline] - f["outcome"].iloc[0]) / (deadline / MONTHS_A_YEAR))
        for year in range(1, deadline // MONTHS_A_YEAR + 1):
            put(f"gain_year_{year}", f["outcome"].iloc[MONTHS_A_YEAR * year]
                - f["outcome"].iloc[MONTHS_A_YEAR * (year - 1)])
        put("target_met", r.target_met)
        put("reported_36", f["outcome_reported"].iloc[deadline])
        put("sd_y0", r.y0.std())
        put("corr_deprivation", np.corrcoef(r.deprivation, r.y0)[0, 1])
        most, least = _by_deprivation(r, FIFTHS)
        put("fifth_most", most)
        put("fifth_least", least)
        put("tenth_most", f["outcome_most_deprived"].iloc[0])
        put("change_sd", (y[24] - y[12]).std())
        put("corr_two_years", np.corrcoef(y[0], y[24])[0, 1])
        put("corr_changes", np.corrcoef(y[12] - y[0], y[24] - y[12])[0, 1])
        put("share_improving", np.mean(y[24] > y[0]))
        put("turnover", f["staff_turnover"].iloc[1:HORIZON + 1].mean())
        put("turnover_first_year", f["staff_turnover"].iloc[1:MONTHS_A_YEAR + 1].mean())
        put("vacancy", f["vacancy_rate"].iloc[1:HORIZON + 1].mean())
        put("closures", f["charity_closures"].iloc[HORIZON])
        put("charities_0", f["charities_active"].iloc[0])
        for month in (0, HORIZON):
            put(f"reserves_{month}", f["charity_reserves_median"].iloc[month])
            put(f"morale_{month}", f["staff_morale"].iloc[month])
        for month in (0, deadline):
            put(f"gaming_{month}", f["gaming_gap"].iloc[month])
            put(f"headcount_{month}", f["staff_headcount"].iloc[month])
            put(f"reach_{month}", f["reach"].iloc[month])
            put(f"trust_{month}", f["mean_trust"].iloc[month])
        for month in (0, 1):
            put(f"early_{month}", f["early_intervention_share"].iloc[month])
        put("early_core", r.early_core)
    mission = MISSIONS[MISSION]
    return Baseline(runs=runs, m={k: np.array(v) for k, v in rows.items()}, mission=mission,
                    params=resolve(preset, {}, mission.world), preset=preset)


def delivery_index(seeds: Iterable[int] = range(DEFAULT_SEEDS),
                   preset: str = PRESET) -> np.ndarray:
    """The delivery index (population-weighted mean of the places' delivery) by month.

    No reporter records the places' delivery, so this steps the runner's model of each seed
    month by month and reads it. Only the numbers the prose of section 10 quotes use it; the
    tables do not.

    Returns:
        One row per seed, one column per month 0 … :data:`HORIZON`.
    """
    rows = []
    for spec in specs(seeds, preset)[::2]:
        model = runner.build_model(replace(spec, snapshots=()))
        pl = model.places
        delivery = [float(np.average(pl.delivery, weights=pl.cohort))]
        while model.month < model.horizon:
            model.step()
            delivery.append(float(np.average(pl.delivery, weights=pl.cohort)))
        rows.append(delivery)
    return np.array(rows)
