"""Pattern G1, the first early-years profile, with and without the capacity squeeze.

**G1**: the first profile (2012/13 to 2018/19) rose fast and saturated while councils converged
and most improved (CALIBRATION §A and §G1). **G1s**: the same history with the decade's squeeze
applied (``scenarios/history/early_years_first_profile_squeeze.toml``: council core and mission
money falling 1.96% a year in real terms, −18% over ten years, §C). History had both at once, so
the model must reproduce the rise *with* the squeeze: this bounds how strongly money moves the
outcome. G1s also checks that early-intervention spending falls faster than core funding, as it
did (−42% against −18%, §C), because councils pay crisis demand first.

:func:`run` does the runs and keeps what the checks and the calibration
(:mod:`missionsim.analysis.calibration`) read; :func:`g1` and :func:`g1s` build the patterns.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from missionsim.analysis.observed import observed
from missionsim.analysis.validation_core import (
    MINUS,
    MONTHS_A_YEAR,
    Check,
    Pattern,
    fit_saturating,
    scenario,
    signed,
)
from missionsim.experiments import runner, study
from missionsim.experiments.options import RunOptions
from missionsim.experiments.scenario import Scenario
from missionsim.model.missions import Mission

HISTORY = "early_years_first_profile"
"""The first profile's scenario, without the squeeze (G1)."""
SQUEEZED = "early_years_first_profile_squeeze"
"""The same history with the decade's squeeze (G1s)."""
CORE_CUT = -0.18
"""Real change in council core funding per person over the decade (CALIBRATION §C, IFS 2024)."""
EARLY_CUT = -0.42
"""Real change in early-intervention spending, 2010/11→2020/21 (§C, Pro Bono Economics)."""
LEVERAGE = math.log1p(EARLY_CUT) / math.log1p(CORE_CUT)
"""How much faster early-intervention spending fell than core funding, in log terms (≈ 2.75)."""
LEVERAGE_TOLERANCE = 0.5
"""Relative tolerance on :data:`LEVERAGE`: the two figures come from different sources and
windows (§C dates the −18% to 2010/11→2024/25, the −42% to 2010/11→2020/21), so only its size
(between about 1.4 and 4.1) is informative, not its decimals."""
YEAR = 12
"""Months in the first and last year over which spending is averaged."""


@dataclass
class FirstProfile:
    """What the G1 checks read from the runs of one first-profile scenario.

    Attributes:
        months: The observed months (0, 12, … 72).
        national: National GLD per replicate (rows) at each observed month (columns).
        fits: A and k of the saturating fit to each replicate's series.
        sds: Council SD per replicate at the months the brief gives an SD for.
        improving: Share of councils improving between the first and last SD month, per run.
        spend: Mission spending by month (rows) and replicate (columns), £m a month.
        trend: The scenario's ``core_funding_trend``.
    """

    months: np.ndarray
    national: np.ndarray
    fits: np.ndarray
    sds: np.ndarray
    improving: np.ndarray
    spend: pd.DataFrame
    trend: float

    @property
    def a(self) -> float:
        """Mean fitted A."""
        return float(self.fits[:, 0].mean())

    @property
    def k(self) -> float:
        """Mean fitted k (a year)."""
        return float(self.fits[:, 1].mean())

    def rmse(self) -> float:
        """RMSE of the mean national series against the observed one (pp)."""
        seen = observed().first_profile["gld"].to_numpy()
        return float(np.sqrt(np.mean((self.national.mean(axis=0) - seen) ** 2)))

    def spending_change(self) -> float:
        """Relative change in spending from the run's first year to its last (mean of runs)."""
        first = self.spend.loc[1:YEAR].mean()
        last = self.spend.iloc[-YEAR:].mean()
        return float((last / first).mean() - 1.0)

    def core_change(self) -> float:
        """Relative change in core funding between the same two years (the trend compounded)."""
        years = (len(self.spend) - YEAR) / MONTHS_A_YEAR
        return (1.0 + self.trend) ** years - 1.0

    def leverage(self) -> float:
        """Log change of spending per log change of core funding (nan without a trend)."""
        core = self.core_change()
        return math.log1p(self.spending_change()) / math.log1p(core) if core else math.nan


def run(s: Scenario, replicates: int, options: RunOptions | None = None,
        mission: Mission | None = None, preset: str | None = None) -> FirstProfile:
    """Run a first-profile scenario, keeping every place's value at the observed years.

    Args:
        s: The scenario (:data:`HISTORY` or :data:`SQUEEZED`).
        replicates: Paired seeds.
        options: How to run.
        mission: A variant of the scenario's mission (while calibrating).
        preset: Another world preset (reduced runs).
    """
    data = observed()
    profile, sd_obs = data.first_profile, data.first_profile_sd
    if preset is not None:
        s = s.with_changes(world={"preset": preset, "params": dict(s.world.params)})
    months = profile["month"].to_numpy()
    specs = [dataclasses.replace(runner.spec_for(s, r), snapshots=tuple(int(m) for m in months),
                                 **({"mission": mission} if mission is not None else {}))
             for r in range(replicates)]
    res = study.execute(specs, {"kind": "validation", "pattern": "G1", "scenario": s.name},
                        options)
    snaps = res.places[res.places["at"] == "snapshot"]
    first, last = min(sd_obs), max(sd_obs)
    national, sds, improving, fits = [], [], [], []
    for _, one in snaps.groupby("replicate", sort=True):
        y = {m: one.loc[one["month"] == m, "outcome"].to_numpy() for m in months}
        w = one.loc[one["month"] == months[-1], "cohort"].to_numpy()
        series = np.array([np.average(y[m], weights=w) for m in months])
        national.append(series)
        fits.append(fit_saturating(months / MONTHS_A_YEAR, series))
        sds.append([float(y[m].std()) for m in sd_obs])
        improving.append(float(np.mean(y[last] > y[first])))
    spend = res.months.pivot_table(index="month", columns="replicate", values="spend")
    return FirstProfile(months=months, national=np.array(national), fits=np.array(fits),
                        sds=np.array(sds), improving=np.array(improving), spend=spend,
                        trend=float(s.world.params.get("core_funding_trend", 0.0)))


def checks(fp: FirstProfile) -> list[Check]:
    """The G1 checks of one run set: the fit, the series, the council spread, improvement."""
    data = observed()
    profile, sd_obs, tol, fit = (data.first_profile, data.first_profile_sd, data.tolerance,
                                 data.first_profile_fit)
    first, last = min(sd_obs), max(sd_obs)
    sd = fp.sds.mean(axis=0)
    rmse, imp = fp.rmse(), float(fp.improving.mean())
    year = dict(zip(profile["month"], profile["year"], strict=True))
    return [
        Check("A, the level the rise saturates at (fit to each run's seven years)",
              f"{fp.a:.1f}", f"{fit['A']:g}", abs(fp.a - fit["A"]) <= tol["a"],
              f"± {tol['a']} pp"),
        Check("k, the rate of the rise", f"{fp.k:.2f} a year", f"{fit['k']:g} a year",
              abs(fp.k - fit["k"]) <= tol["k"], f"± {tol['k']}"),
        Check("national GLD year by year (RMSE of the model mean against the seven years)",
              f"{rmse:.2f} pp", f"{profile['gld'].iloc[0]:g} → {profile['gld'].iloc[-1]:g}",
              rmse <= tol["series_rmse"], f"≤ {tol['series_rmse']} pp"),
        *[Check(f"council SD in {year[m]}", f"{v:.2f} pp", f"{obs:g} pp",
                abs(v - obs) <= tol["sd"], f"± {tol['sd']} pp")
          for (m, obs), v in zip(sd_obs.items(), sd, strict=True)],
        Check(f"councils converging: SD falls from {year[first]} to {year[last]}",
              f"{sd[-1] - sd[0]:+.2f} pp", f"{signed(sd_obs[last] - sd_obs[first])} pp",
              sd[-1] < sd[0], "the SD falls"),
        Check(f"share of councils improving, {year[first]} to {year[last]}", f"{imp:.0%}",
              f"{data.improving:.0%}", abs(imp - data.improving) <= tol["improving"],
              f"± {tol['improving']:.0%}"),
    ]


def _tables(p: Pattern, fp: FirstProfile) -> Pattern:
    p.tables["national"] = pd.DataFrame(fp.national, columns=fp.months).rename_axis("replicate")
    p.tables["sd"] = pd.DataFrame(fp.sds, columns=list(observed().first_profile_sd))
    return p


def g1(replicates: int = 10, preset: str | None = None,
       options: RunOptions | None = None) -> Pattern:
    """G1: the first profile's saturating rise, councils converging while most improve.

    Runs ``scenarios/history/early_years_first_profile.toml`` (the england world) for
    ``replicates`` paired seeds.
    """
    fp = run(scenario(HISTORY), replicates, options, preset=preset)
    p = Pattern("G1", "The first profile: a fast rise that saturates, councils converging")
    p.checks = checks(fp)
    return _tables(p, fp)


def g1s(replicates: int = 10, preset: str | None = None,
        options: RunOptions | None = None) -> Pattern:
    """G1s: the first profile reproduced with the decade's squeeze applied.

    Runs ``scenarios/history/early_years_first_profile_squeeze.toml`` and, on the same seeds, the
    scenario without the squeeze, for the squeeze's effect by 2018/19 (a note, not a check).
    """
    s = scenario(SQUEEZED)
    fp = run(s, replicates, options, preset=preset)
    lev, spent, core = fp.leverage(), fp.spending_change(), fp.core_change()
    low, high = LEVERAGE * (1 - LEVERAGE_TOLERANCE), LEVERAGE * (1 + LEVERAGE_TOLERANCE)
    p = Pattern("G1s", "The first profile with the decade's squeeze applied")
    p.checks = [*checks(fp), Check(
        "early-intervention spending falls faster than core funding (log change of mission "
        "spending per log change of core funding, first year to last)",
        f"{lev:.2f} ({spent:+.0%} against core {core:+.0%})".replace("-", MINUS),
        f"{LEVERAGE:.2f} ({EARLY_CUT:+.0%} against {CORE_CUT:+.0%}, §C)".replace("-", MINUS),
        low <= lev <= high, f"± {LEVERAGE_TOLERANCE:.0%} ({low:.1f}–{high:.1f})")]
    plain = run(scenario(HISTORY), replicates, options, preset=preset)
    effect = fp.national[:, -1] - plain.national[:, -1]
    p.notes = [f"The squeeze (`core_funding_trend` = {fp.trend:g}, core money "
               f"{core:+.0%} by the last year)".replace("-", MINUS)
               + f" changes national GLD in 2018/19 by {signed(effect.mean())} pp against the "
               f"same seeds without it (runs {signed(effect.min())} to {signed(effect.max())})."]
    return _tables(p, fp)
