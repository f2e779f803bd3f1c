"""Global sensitivity of the reform ranking: which uncertainties change which reform looks best.

The nine single-reform scenarios (``scenarios/<reform>.toml``), the baseline and, for
reference, the all-reforms package are run over one design of the uncertainties
(:func:`missionsim.model.params.uncertainties`), in two stages, both through the sweep machinery
(:mod:`missionsim.experiments.sweep`):

1. **Morris screening** over every uncertainty. One :class:`~missionsim.experiments.sweep.Sweep` per
   scenario, all with the same design, factors, replicates and root seed, so design point
   ``p`` and replicate ``r`` run with the same seed and the same uncertainty values in every
   scenario (common random numbers). At each point the paired effect of each reform
   (reform minus baseline, replicate by replicate, averaged) is computed, the reform with the
   largest gain is the *best* and the gain of the best minus that of the runner-up is the
   *margin*. SALib's Morris method then gives μ* and σ of every reform's effect and of the
   margin.
2. **Sobol indices** (Saltelli design) over the leading uncertainties of the screening (those
   with the largest μ*, each output counting equally), the others staying at the scenarios'
   values, for the same outputs: S1 and ST with bootstrap intervals.

Then *which uncertainties change which reform looks best*: the share of design points at which
each reform ranks first (overall, by level of every uncertainty in the screening and by third
of each leading uncertainty's range in the Sobol sample), the one-at-a-time steps of the
Morris trajectories that change the best reform (rank flips, by uncertainty), and the regret
of choosing one reform everywhere.

:func:`run` does all of it and returns an :class:`Analysis`; :func:`markdown` and
:func:`figures` write it up. ``scripts/robustness`` is the command that writes
``docs/robustness.md``.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from missionsim import __version__
from missionsim.experiments.execution import describe
from missionsim.experiments.scenario import Scenario, ScenarioError, load_scenario, shipped_dir
from missionsim.experiments.store import write_atomic
from missionsim.experiments.study import Results
from missionsim.experiments.sweep import NUM_RESAMPLES, Sweep, design_points, run_sweep, sample
from missionsim.model.missions import MISSIONS
from missionsim.model.params import PARAMETERS, uncertainties
from missionsim.model.reforms import REFORMS

BASELINE = "baseline"
"""Name of the scenario every reform is compared with."""
PACKAGES = ("all_reforms",)
"""Packages run for reference: their effects are analysed but they are not ranked."""
MARGIN = "margin"
"""Output name of the gain of the best reform minus that of the runner-up."""
OUTCOME = "outcome"
"""Output name of the baseline's own outcome (the level every effect is added to)."""

DEFAULT_RANGES: dict[str, tuple[float, float]] = {
    "labour_market_tightness": (0.5, 2.0),
    "programme_success_share": (0.1, 0.4),
    "funding_shock": (0.0, 0.3),
    "funding_shock_month": (0, 60),
    "demand_shock": (0.0, 0.5),
    "demand_shock_month": (0, 60),
    "response_lag": (0.5, 2.0),
}
"""Plausible range of each uncertainty (those of ``sweeps/morris_uncertainties.toml``).

An uncertainty missing here is screened over its whole declared range.
"""


# --- what to run ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    """Sizes, world and seeds of the analysis.

    Attributes:
        preset: The world every scenario runs on.
        horizon: Months simulated (the mission's deadline is analysed; a longer horizon adds
            the end).
        seed: Root seed of every run and of both designs (default: the baseline's).
        trajectories: Morris trajectories r (points: r × (uncertainties + 1)).
        levels: Morris grid levels.
        replicates: Replicates per Morris point (paired across scenarios).
        sobol_samples: Sobol base sample N, a power of two (points: N × (leading + 2)).
        sobol_replicates: Replicates per Sobol point.
        leading: How many leading uncertainties the Sobol stage varies.
        uncertainties: The uncertainties screened (default: all of them).
        reforms: The reforms ranked (one scenario file each).
        packages: Scenarios run for reference and not ranked.
    """

    preset: str = "workshop"
    horizon: int = 36
    seed: int | None = None
    trajectories: int = 10
    levels: int = 4
    replicates: int = 2
    sobol_samples: int = 64
    sobol_replicates: int = 1
    leading: int = 3
    uncertainties: tuple[str, ...] | None = None
    reforms: tuple[str, ...] = tuple(REFORMS)
    packages: tuple[str, ...] = PACKAGES

    def runs(self) -> tuple[int, int]:
        """Runs of the Morris and the Sobol stage (before a shock's size joins its month)."""
        k = len(self.uncertainties or [p.name for p in uncertainties()])
        scenarios = 1 + len(self.reforms) + len(self.packages)
        morris = self.trajectories * (k + 1) * self.replicates * scenarios
        sobol = self.sobol_samples * (min(self.leading, k) + 2) * self.sobol_replicates
        return morris, sobol * scenarios


def uncertainty_ranges(names: Sequence[str] | None = None) -> dict[str, tuple[float, float]]:
    """The range each uncertainty is screened over, in declaration order.

    Args:
        names: Uncertainties to keep (default: every declared uncertainty).

    Returns:
        Name to ``(low, high)``: :data:`DEFAULT_RANGES` where given, else the declared range.

    Raises:
        ValueError: A name that is not a declared uncertainty.
    """
    declared = [p.name for p in uncertainties()]
    wanted = declared if names is None else list(names)
    unknown = [n for n in wanted if n not in declared]
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not an uncertainty; expected some of "
                         f"{', '.join(declared)}")
    if not wanted:
        raise ValueError("expected at least one uncertainty to screen")
    out = {}
    for name in declared:
        if name in wanted:
            p = PARAMETERS[name]
            out[name] = DEFAULT_RANGES.get(name, (p.low, p.high))
    return out


def load_scenarios(plan: Plan, folder: str | Path | None = None) -> dict[str, Scenario]:
    """The baseline, the ranked reforms and the packages, on the plan's world and horizon.

    Args:
        plan: The analysis plan.
        folder: Folder of the scenario files (default: the shipped ``scenarios/``).

    Returns:
        Scenario name to scenario: the baseline first, then the reforms, then the packages.

    Raises:
        ScenarioError: A missing or invalid file, or scenarios with different missions.
    """
    folder = shipped_dir() if folder is None else Path(folder)
    names = [BASELINE, *plan.reforms, *plan.packages]
    if len(set(names)) != len(names):
        raise ScenarioError(f"scenarios {', '.join(names)}: each may appear only once")
    out: dict[str, Scenario] = {}
    for name in names:
        path = folder / f"{name}.toml"
        if not path.is_file():
            raise ScenarioError(f"{path}: no such scenario file")
        scenario = load_scenario(path)
        world = scenario.world.model_dump()
        world["preset"] = plan.preset
        out[name] = scenario.with_changes(horizon=plan.horizon, world=world)
    missions = {s.mission for s in out.values()}
    if len(missions) > 1:
        raise ScenarioError(f"the scenarios pursue different missions ({', '.join(missions)})")
    return out


def make_sweeps(scenarios: Mapping[str, Scenario], stage: str, design: str,
                ranges: Mapping[str, tuple[float, float]], samples: int, replicates: int,
                seed: int, month: int, levels: int = 4) -> dict[str, Sweep]:
    """One sweep per scenario, all over the same design, factors, replicates and seed.

    Args:
        scenarios: Scenario name to scenario.
        stage: Label of the stage (``morris`` or ``sobol``), used in the sweeps' names.
        design: ``morris`` or ``sobol``.
        ranges: Factor (an uncertainty) to its ``(low, high)``.
        samples: Morris trajectories or Sobol base sample.
        replicates: Replicates per design point.
        seed: Root seed of the runs and the design.
        month: The month analysed (the sweeps' ``output.month``).
        levels: Morris grid levels.

    Returns:
        Scenario name to :class:`~missionsim.experiments.sweep.Sweep`. Their designs are identical,
        so point ``p``, replicate ``r`` is the same world, shocks and uncertainty values in all.
    """
    sweeps: dict[str, Sweep] = {}
    for name, scenario in scenarios.items():
        sweeps[name] = Sweep.from_mapping({
            "name": f"robustness-{stage}-{name}",
            "description": f"Global sensitivity of the reform ranking ({stage} stage): {name}.",
            "scenario": scenario,
            "design": design,
            "samples": int(samples),
            "replicates": int(replicates),
            "seed": int(seed),
            "levels": int(levels),
            "output": {"metric": "outcome", "month": int(month)},
            "factors": {n: {"low": float(lo), "high": float(hi)} for n, (lo, hi) in
                        ranges.items()},
        }, source=f"<robustness {stage} {name}>")
    first = next(iter(sweeps.values()))
    for name, sweep in sweeps.items():
        if not design_points(sweep).equals(design_points(first)):
            raise ValueError(f"the {stage} design of {name} differs from that of "
                             f"{first.scenario.name}")
    return sweeps


def run_stage(sweeps: Mapping[str, Sweep], out: str | Path | None = None, resume: bool = False,
              workers: int | None = None, scheduler: Any = None, progress: bool = False,
              log: Callable[[str], None] | None = None,
              on_run: Callable[[], None] | None = None) -> dict[str, Results]:
    """Run each sweep with :func:`~missionsim.experiments.sweep.run_sweep`.

    Args:
        sweeps: Scenario name to sweep.
        out: Folder holding one results store per scenario (``OUT/<scenario>``); ``None``
            keeps the results in memory.
        resume: Continue stores already in ``out`` (stored runs are skipped).
        workers: Local worker processes (``None``: all cores).
        scheduler: A dask.distributed scheduler address or Client.
        progress: Show progress bars on standard error.
        log: Called with one line per sweep.
        on_run: Called after each run done (not after runs skipped on resuming).

    Returns:
        Scenario name to :class:`~missionsim.experiments.study.Results`.
    """
    results: dict[str, Results] = {}
    for i, (name, sweep) in enumerate(sweeps.items(), 1):
        if log is not None:
            log(f"[{i}/{len(sweeps)}] {sweep.summary()}")
        folder = None if out is None else Path(out) / name
        results[name] = run_sweep(sweep, out=folder, resume=resume, workers=workers,
                                  scheduler=scheduler, progress=progress,
                                  on_result=None if on_run is None else lambda _d, _t: on_run())
    return results


# --- paired effects at each design point -----------------------------------------------------
def paired_outcomes(results: Mapping[str, Results], sweeps: Mapping[str, Sweep],
                    month: int) -> pd.DataFrame:
    """The outcome at ``month`` of every scenario, paired by design point and replicate.

    Every scenario's results are first checked against its sweep
    (:func:`~missionsim.experiments.sweep.point_values`: same design, every point present), and the
    seeds of each point and replicate must agree across scenarios.

    Returns:
        Index ``(point, replicate)``, one column per scenario.

    Raises:
        ValueError: Results that do not match their sweep, or scenarios that are not paired.
    """
    from missionsim.experiments.sweep import point_values

    columns, seeds = {}, {}
    for name, sweep in sweeps.items():
        res = results[name]
        point_values(res, sweep, "outcome", month)
        months = res.months
        rows = months[(months["scenario"] == sweep.scenario.name) & (months["month"] == month)]
        rows = rows.set_index(["point", "replicate"]).sort_index()
        want = pd.MultiIndex.from_product([range(sweep.n_points), range(sweep.replicates)],
                                          names=["point", "replicate"])
        if not rows.index.equals(want):
            raise ValueError(f"{name}: the results do not hold every point and replicate once")
        columns[name] = rows["outcome"].astype(float)
        seeds[name] = rows["seed"]
    first = next(iter(seeds))
    for name, s in seeds.items():
        if not s.equals(seeds[first]):
            raise ValueError(f"{name} and {first} are not paired: their seeds differ")
    frame = pd.DataFrame(columns)
    frame.attrs["month"] = int(month)
    return frame


def point_table(outcomes: pd.DataFrame, sweep: Sweep, reforms: Sequence[str],
                packages: Sequence[str] = (), direction: int = 1,
                baseline: str = BASELINE) -> pd.DataFrame:
    """Paired effects, the best reform and the margin at every design point.

    Args:
        outcomes: :func:`paired_outcomes`.
        sweep: Any of the stage's sweeps (for the design's factor values).
        reforms: The reforms ranked.
        packages: Scenarios whose effects are kept but not ranked.
        direction: The mission's direction (+1: a higher indicator is better).
        baseline: The scenario the effects are measured from.

    Returns:
        Index ``point``; columns: the factors; the mean paired effect of each reform and
        package (indicator units) and its standard error over replicates (``NAME_se``);
        ``best`` and ``second`` (by gain, the effect in the mission's direction); ``margin``
        (gain of the best minus the runner-up's, ≥ 0) and ``margin_se``; ``outcome`` (the
        baseline's outcome) and ``outcome_se``. Standard errors are NaN with one replicate.
    """
    reforms, packages = list(reforms), list(packages)
    if len(reforms) < 2:
        raise ValueError("expected at least two reforms to rank")
    diffs = outcomes[reforms + packages].sub(outcomes[baseline], axis=0)
    by_point = diffs.groupby(level="point")
    mean, n = by_point.mean(), by_point.size()
    se = by_point.std(ddof=1).div(np.sqrt(n), axis=0)
    gains = direction * mean[reforms].to_numpy()
    order = np.argsort(-gains, axis=1, kind="stable")
    rows = np.arange(len(gains))
    top, runner = order[:, 0], order[:, 1]
    names = np.array(reforms, dtype=object)
    table = design_points(sweep).copy()
    for name in reforms + packages:
        table[name] = mean[name].to_numpy()
    for name in reforms + packages:
        table[f"{name}_se"] = se[name].to_numpy()
    table["best"] = names[top]
    table["second"] = names[runner]
    table[MARGIN] = gains[rows, top] - gains[rows, runner]
    rep_gains = direction * diffs[reforms].to_numpy()
    point_of = outcomes.index.get_level_values("point").to_numpy()
    rep_margin = rep_gains[np.arange(len(rep_gains)), top[point_of]] - \
        rep_gains[np.arange(len(rep_gains)), runner[point_of]]
    margin = pd.Series(rep_margin, index=point_of).groupby(level=0)
    table[f"{MARGIN}_se"] = (margin.std(ddof=1) / np.sqrt(margin.size())).to_numpy()
    base = outcomes[baseline].groupby(level="point")
    table[OUTCOME] = base.mean().to_numpy()
    table[f"{OUTCOME}_se"] = (base.std(ddof=1) / np.sqrt(base.size())).to_numpy()
    table.attrs.update({"month": outcomes.attrs.get("month"), "reforms": reforms,
                        "packages": packages, "direction": int(direction),
                        "replicates": int(n.iloc[0])})
    return table


# --- indices ------------------------------------------------------------------------------------
def _problem(sweep: Sweep) -> dict[str, Any]:
    names = list(sweep.factors)
    return {"num_vars": len(names), "names": names,
            "bounds": [[sweep.factors[n].low, sweep.factors[n].high] for n in names]}


def morris_indices(points: pd.DataFrame, sweep: Sweep, outputs: Sequence[str]) -> pd.DataFrame:
    """Morris elementary-effects indices of each output (SALib, on the unrounded design).

    Args:
        points: :func:`point_table` of the Morris stage.
        sweep: One of the stage's sweeps (its design).
        outputs: Columns of ``points`` to analyse.

    Returns:
        One row per output × factor: ``mu``, ``mu_star``, ``sigma``, ``mu_star_conf`` (95%
        bootstrap half-width), ``noise`` (about the μ* that replicate noise alone would give:
        ``2/√π × mean SE / Δ``, an upper bound since neighbouring points share seeds; NaN with
        one replicate) and ``rank`` within the output (1: largest μ*).
    """
    from SALib.analyze import morris

    x = sample(sweep).astype(float)
    delta = sweep.levels / (2.0 * (sweep.levels - 1))
    frames = []
    for output in outputs:
        y = points[output].to_numpy(float)
        res = morris.analyze(_problem(sweep), x, y, num_resamples=NUM_RESAMPLES,
                             num_levels=sweep.levels, seed=sweep.sample_seed)
        frame = pd.DataFrame({"output": output, "factor": list(sweep.factors),
                              **{k: np.asarray(res[k], float) for k in
                                 ("mu", "mu_star", "sigma", "mu_star_conf")}})
        se = points.get(f"{output}_se")
        frame["noise"] = (2.0 / math.sqrt(math.pi) * float(se.mean()) / delta
                          if se is not None and se.notna().all() else math.nan)
        frame["rank"] = frame["mu_star"].rank(ascending=False, method="first").astype(int)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def sobol_indices(points: pd.DataFrame, sweep: Sweep, outputs: Sequence[str]) -> pd.DataFrame:
    """First-order and total Sobol indices of each output (SALib, Saltelli design).

    Returns:
        One row per output × factor: ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (95% bootstrap
        half-widths) and ``variance`` (of the output over the sample). An output that does
        not vary gets zero indices.
    """
    from SALib.analyze import sobol

    frames = []
    for output in outputs:
        y = points[output].to_numpy(float)
        names = list(sweep.factors)
        if np.ptp(y) <= 1e-12 * max(1.0, float(np.abs(y).max())):
            values = {k: np.zeros(len(names)) for k in ("S1", "S1_conf", "ST", "ST_conf")}
        else:
            res = sobol.analyze(_problem(sweep), y, calc_second_order=sweep.second_order,
                                num_resamples=NUM_RESAMPLES, seed=sweep.sample_seed)
            values = {k: np.asarray(res[k], float) for k in ("S1", "S1_conf", "ST", "ST_conf")}
        frame = pd.DataFrame({"output": output, "factor": names, **values})
        frame["variance"] = float(np.var(y))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def leading_uncertainties(morris: pd.DataFrame, outputs: Sequence[str],
                          n: int) -> tuple[list[str], pd.Series]:
    """The uncertainties that matter most for the ranking.

    Each output's μ* are divided by their largest value, so every output counts equally, and
    averaged over ``outputs`` (the ranked reforms' effects and the margin).

    Returns:
        The ``n`` names with the largest score, and every factor's score (largest first).
    """
    sub = morris[morris["output"].isin(list(outputs))]
    top = sub.groupby("output")["mu_star"].transform("max")
    share = (sub["mu_star"] / top.where(top > 0)).fillna(0.0)
    order = list(dict.fromkeys(sub["factor"]))
    score = share.groupby(sub["factor"]).mean().reindex(order)
    score = score.sort_values(ascending=False, kind="stable")
    score.name = "score"
    return list(score.index[:n]), score


# --- the ranking ------------------------------------------------------------------------------
def ranking(points: pd.DataFrame, reforms: Sequence[str], direction: int = 1) -> pd.DataFrame:
    """How each reform fares across the design points.

    Returns:
        One row per reform, most often first: ``first`` (share of points where it is the
        best), ``top3``, ``mean_rank``, and its effect across points: ``mean``, ``p05``,
        ``p95``, ``min``, ``max``.
    """
    reforms = list(reforms)
    gains = direction * points[reforms]
    ranks = gains.rank(axis=1, ascending=False, method="min")
    rows = []
    for name in reforms:
        e = points[name]
        rows.append({"reform": name, "first": float((points["best"] == name).mean()),
                     "top3": float((ranks[name] <= 3).mean()),
                     "mean_rank": float(ranks[name].mean()), "mean": float(e.mean()),
                     "p05": float(e.quantile(0.05)), "p95": float(e.quantile(0.95)),
                     "min": float(e.min()), "max": float(e.max())})
    table = pd.DataFrame(rows)
    return table.sort_values(["first", "mean_rank"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)


def first_by(points: pd.DataFrame, factor: str, reforms: Sequence[str],
             bounds: tuple[float, float] | None = None, bins: int = 3) -> pd.DataFrame:
    """Share of points at which each reform ranks first, by value of one factor.

    Args:
        points: A :func:`point_table`.
        factor: The factor.
        reforms: The reforms ranked.
        bounds: The factor's range: points are grouped into ``bins`` equal parts of it
            (``None``: one group per distinct value, e.g. the levels of a Morris grid).
        bins: Number of equal parts.

    Returns:
        One row per group: ``factor``, ``group`` (1 = lowest), ``low`` and ``high`` (values
        in the group), ``points``, then one share column per reform.
    """
    x = points[factor].to_numpy(float)
    if bounds is None:
        values = np.unique(x)
        group = np.searchsorted(values, x)
    else:
        lo, hi = bounds
        group = np.clip(np.floor((x - lo) / (hi - lo) * bins), 0, bins - 1).astype(int)
    rows = []
    for g in sorted(set(group.tolist())):
        inside = group == g
        best = points.loc[inside, "best"]
        row = {"factor": factor, "group": g + 1,
               "low": (float(x[inside].min()) if bounds is None else lo + g * (hi - lo) / bins),
               "high": (float(x[inside].max()) if bounds is None
                        else lo + (g + 1) * (hi - lo) / bins),
               "points": int(inside.sum())}
        row.update({name: float((best == name).mean()) for name in reforms})
        rows.append(row)
    return pd.DataFrame(rows)


def rank_flips(points: pd.DataFrame, sweep: Sweep) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The one-at-a-time steps of the Morris trajectories that change the best reform.

    Each trajectory is ``k + 1`` consecutive points, each step moving one factor.

    Returns:
        ``(by_factor, moves)``: per factor, ``steps``, ``flips``, ``share`` and
        ``mean_margin_change`` (mean absolute change of the margin per step); and each change
        of best reform seen (``factor``, ``from``, ``to``, ``count``).
    """
    x = sample(sweep).astype(float)
    names = list(sweep.factors)
    k = len(names)
    best = points["best"].to_numpy()
    margin = points[MARGIN].to_numpy(float)
    steps = {n: 0 for n in names}
    flips = {n: 0 for n in names}
    change = {n: 0.0 for n in names}
    moves: dict[tuple[str, str, str], int] = {}
    for start in range(0, len(x), k + 1):
        for i in range(start, start + k):
            moved = np.flatnonzero(np.abs(x[i + 1] - x[i]) > 0)
            if len(moved) != 1:
                raise ValueError(f"points {i} and {i + 1} are not one Morris step apart")
            name = names[int(moved[0])]
            steps[name] += 1
            change[name] += abs(margin[i + 1] - margin[i])
            if best[i + 1] != best[i]:
                flips[name] += 1
                key = (name, str(best[i]), str(best[i + 1]))
                moves[key] = moves.get(key, 0) + 1
    by_factor = pd.DataFrame({"factor": names, "steps": [steps[n] for n in names],
                              "flips": [flips[n] for n in names]})
    by_factor["share"] = by_factor["flips"] / by_factor["steps"].where(by_factor["steps"] > 0)
    by_factor["mean_margin_change"] = [change[n] / steps[n] if steps[n] else math.nan
                                       for n in names]
    by_factor = by_factor.sort_values(["flips", "mean_margin_change"], ascending=False,
                                      kind="stable").reset_index(drop=True)
    table = pd.DataFrame([{"factor": f, "from": a, "to": b, "count": c}
                          for (f, a, b), c in moves.items()],
                         columns=["factor", "from", "to", "count"])
    table = table.sort_values(["count", "factor"], ascending=[False, True],
                              kind="stable").reset_index(drop=True)
    return by_factor, table


def regret(points: pd.DataFrame, reforms: Sequence[str], choice: str, direction: int = 1,
           outcomes: pd.DataFrame | None = None, baseline: str = BASELINE) -> dict[str, float]:
    """What choosing ``choice`` everywhere loses against the best reform at each point.

    Args:
        points: A :func:`point_table`.
        reforms: The reforms ranked.
        choice: The reform chosen everywhere.
        direction: The mission's direction.
        outcomes: The :func:`paired_outcomes` behind ``points``, for the replicate noise of
            each point's regret (optional).
        baseline: The scenario the effects are measured from.

    Returns:
        ``mean``, ``p95`` and ``max`` of the regret (gain of the best minus the choice's, in
        indicator units), ``share`` of points with a positive regret, and ``share_clear``, of
        points where the best beats the choice by more than twice the standard error of that
        paired difference over replicates (NaN without ``outcomes`` or with one replicate).
    """
    reforms = list(reforms)
    gains = direction * points[reforms]
    loss = gains.max(axis=1) - gains[choice]
    clear = math.nan
    if outcomes is not None:
        rep = direction * (outcomes[reforms].sub(outcomes[baseline], axis=0))
        point_of = rep.index.get_level_values("point").to_numpy()
        column = {r: i for i, r in enumerate(reforms)}
        best = points["best"].map(column).to_numpy()[point_of]
        values = rep.to_numpy()
        gap = values[np.arange(len(values)), best] - values[:, column[choice]]
        by = pd.Series(gap, index=point_of).groupby(level=0)
        se = (by.std(ddof=1) / np.sqrt(by.size())).reindex(points.index)
        if se.notna().all():
            clear = float(((loss > 2 * se) & (loss > 0)).mean())
    return {"mean": float(loss.mean()), "p95": float(loss.quantile(0.95)),
            "max": float(loss.max()), "share": float((loss > 1e-12).mean()),
            "share_clear": clear}


def package_beats(points: pd.DataFrame, reforms: Sequence[str], package: str,
                  direction: int = 1) -> dict[str, float]:
    """How a package compares with the best single reform at each point.

    Returns:
        ``share`` of points where the package's gain exceeds the best reform's, and the mean,
        minimum and maximum of the package's gain minus the best reform's.
    """
    gains = direction * points[list(reforms)]
    extra = direction * points[package] - gains.max(axis=1)
    return {"share": float((extra > 0).mean()), "mean": float(extra.mean()),
            "min": float(extra.min()), "max": float(extra.max())}


# --- the whole analysis ---------------------------------------------------------------------------
@dataclass
class Stage:
    """One stage (Morris or Sobol) at one month.

    Attributes:
        design: ``morris`` or ``sobol``.
        sweeps: Scenario name to sweep.
        points: :func:`point_table`.
        indices: :func:`morris_indices` or :func:`sobol_indices`.
        ranking: :func:`ranking`.
        by_group: :func:`first_by` of every factor (Morris: by grid level; Sobol: by third
            of the range), concatenated.
        outcomes: :func:`paired_outcomes`.
    """

    design: str
    sweeps: dict[str, Sweep]
    points: pd.DataFrame
    indices: pd.DataFrame
    ranking: pd.DataFrame
    by_group: pd.DataFrame
    outcomes: pd.DataFrame

    @property
    def factors(self) -> list[str]:
        """The factors of the stage's design."""
        return list(next(iter(self.sweeps.values())).factors)

    @property
    def sweep(self) -> Sweep:
        """The baseline's sweep (every scenario's has the same design)."""
        return next(iter(self.sweeps.values()))


@dataclass
class Analysis:
    """Everything the write-up needs, at one month.

    Attributes:
        plan: The plan.
        mission: The mission's name.
        month: The month analysed.
        deadline: The mission's deadline.
        seed: The root seed.
        ranges: Each screened uncertainty's range.
        outputs: The outputs analysed: the reforms' and packages' effects, the margin and the
            baseline outcome.
        morris: The screening stage.
        leading: The leading uncertainties (varied by the Sobol stage).
        scores: Every uncertainty's importance score for the ranking.
        sobol: The Sobol stage.
        flips: :func:`rank_flips` by factor.
        moves: :func:`rank_flips` changes of best reform.
        choice: The reform most often best in the screening.
        regret: :func:`regret` of ``choice`` in each stage (``morris``, ``sobol``).
        packages: :func:`package_beats` of each package in the screening.
        info: Version, date, runtime, workers and the like.
    """

    plan: Plan
    mission: str
    month: int
    deadline: int
    seed: int
    ranges: dict[str, tuple[float, float]]
    outputs: list[str]
    morris: Stage
    leading: list[str]
    scores: pd.Series
    sobol: Stage
    flips: pd.DataFrame
    moves: pd.DataFrame
    choice: str
    regret: dict[str, dict[str, float]]
    packages: dict[str, dict[str, float]]
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def reforms(self) -> list[str]:
        """The reforms ranked."""
        return list(self.plan.reforms)


def _stage(design: str, sweeps: dict[str, Sweep], results: Mapping[str, Results], plan: Plan,
           month: int, direction: int, outputs: Sequence[str],
           ranges: Mapping[str, tuple[float, float]]) -> Stage:
    outcomes = paired_outcomes(results, sweeps, month)
    sweep = next(iter(sweeps.values()))
    points = point_table(outcomes, sweep, plan.reforms, plan.packages, direction)
    if design == "morris":
        indices = morris_indices(points, sweep, outputs)
        groups = [first_by(points, f, plan.reforms) for f in sweep.factors]
    else:
        indices = sobol_indices(points, sweep, outputs)
        groups = [first_by(points, f, plan.reforms, bounds=ranges[f]) for f in sweep.factors]
    return Stage(design, sweeps, points, indices, ranking(points, plan.reforms, direction),
                 pd.concat(groups, ignore_index=True), outcomes)


def analyse(plan: Plan, morris: tuple[dict[str, Sweep], Mapping[str, Results]],
            sobol: tuple[dict[str, Sweep], Mapping[str, Results]], month: int | None = None,
            leading: Sequence[str] | None = None) -> Analysis:
    """Analyse both stages' results at one month.

    Args:
        plan: The plan.
        morris: The screening sweeps and their results.
        sobol: The Sobol sweeps and their results.
        month: The month analysed (default: the Morris sweeps' output month).
        leading: The leading uncertainties (default: the Sobol sweeps' factors).

    Returns:
        The :class:`Analysis`.
    """
    m_sweeps, m_results = morris
    s_sweeps, s_results = sobol
    base = m_sweeps[BASELINE]
    mission = MISSIONS[base.scenario.mission]
    month = base.output.month if month is None else int(month)
    direction = mission.direction
    outputs = [*plan.reforms, *plan.packages, MARGIN, OUTCOME]
    ranges = {n: (f.low, f.high) for n, f in base.factors.items()}
    m_stage = _stage("morris", m_sweeps, m_results, plan, month, direction, outputs, ranges)
    _, scores = leading_uncertainties(m_stage.indices, [*plan.reforms, MARGIN], plan.leading)
    lead = list(s_sweeps[BASELINE].factors) if leading is None else list(leading)
    s_stage = _stage("sobol", s_sweeps, s_results, plan, month, direction, outputs, ranges)
    flips, moves = rank_flips(m_stage.points, base)
    choice = str(m_stage.ranking["reform"].iloc[0])
    return Analysis(
        plan=plan, mission=mission.name, month=month, deadline=mission.deadline,
        seed=int(base.seed), ranges=ranges, outputs=outputs, morris=m_stage, leading=lead,
        scores=scores, sobol=s_stage, flips=flips, moves=moves, choice=choice,
        regret={st.design: regret(st.points, plan.reforms, choice, direction, st.outcomes)
                for st in (m_stage, s_stage)},
        packages={p: package_beats(m_stage.points, plan.reforms, p, direction)
                  for p in plan.packages},
        info={"version": __version__,
              "date": datetime.now(UTC).strftime("%Y-%m-%d"),
              "direction": direction, "unit": mission.unit,
              "mission_values": {k: getattr(mission, k) for k in ("momentum", "spread_sd",
                                                                  "noise")}})


def run(plan: Plan, folder: str | Path | None = None, out: str | Path | None = None,
        resume: bool = False, workers: int | None = None, scheduler: Any = None,
        progress: bool = False, log: Callable[[str], None] | None = None) -> list[Analysis]:
    """Run both stages and analyse them.

    Args:
        plan: The plan.
        folder: Folder of the scenario files (default: the shipped ``scenarios/``).
        out: Folder of the results stores (``OUT/morris/<scenario>``,
            ``OUT/sobol/<scenario>``) and of ``OUT/timing.json``, the time each invocation
            spent; ``None`` keeps results in memory.
        resume: Continue stores already in ``out``.
        workers: Local worker processes (``None``: all cores).
        scheduler: A dask.distributed scheduler address or Client.
        progress: Show progress bars on standard error.
        log: Called with progress lines.

    Returns:
        The analysis at the mission's deadline and, when the horizon is longer, at the end.
    """
    say = log or (lambda _line: None)
    start = time.perf_counter()
    scenarios = load_scenarios(plan, folder)
    base = scenarios[BASELINE]
    seed = base.seed if plan.seed is None else int(plan.seed)
    deadline = min(MISSIONS[base.mission].deadline, plan.horizon)
    ranges = uncertainty_ranges(plan.uncertainties)
    if not 1 <= plan.leading <= len(ranges):
        raise ValueError(f"leading = {plan.leading}: expected 1 to {len(ranges)}")
    m_sweeps = make_sweeps(scenarios, "morris", "morris", ranges, plan.trajectories,
                           plan.replicates, seed, deadline, plan.levels)
    say(f"Morris screening: {len(ranges)} uncertainties, {m_sweeps[BASELINE].n_points} points "
        f"x {plan.replicates} replicate(s) x {len(scenarios)} scenarios")
    where = None if out is None else Path(out)
    history = _history(where, resume)
    timing = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "morris_s": 0.0,
              "sobol_s": 0.0, "runs": 0, "executor": describe(workers, scheduler)}

    def count() -> None:
        timing["runs"] += 1

    m_results = run_stage(m_sweeps, None if where is None else where / "morris", resume,
                          workers, scheduler, progress, log, count)
    timing["morris_s"] = time.perf_counter() - start
    _record(where, history, timing)
    outputs = [*plan.reforms, MARGIN]
    m_stage = _stage("morris", m_sweeps, m_results, plan, deadline,
                     MISSIONS[base.mission].direction, outputs, ranges)
    leading, _ = leading_uncertainties(m_stage.indices, outputs, plan.leading)
    leading = sobol_factors(leading, ranges)
    s_sweeps = make_sweeps(scenarios, "sobol", "sobol", {n: ranges[n] for n in leading},
                           plan.sobol_samples, plan.sobol_replicates, seed, deadline)
    say(f"Sobol indices over {', '.join(leading)}: {s_sweeps[BASELINE].n_points} points x "
        f"{plan.sobol_replicates} replicate(s) x {len(scenarios)} scenarios")
    sobol_start = time.perf_counter()
    s_results = run_stage(s_sweeps, None if where is None else where / "sobol", resume,
                          workers, scheduler, progress, log, count)
    timing["sobol_s"] = time.perf_counter() - sobol_start
    _record(where, history, timing)
    if not history:  # nothing ran (every run was stored): report this invocation alone
        history = [timing]
    months = [deadline] + ([plan.horizon] if plan.horizon > deadline else [])
    analyses = []
    for month in months:
        a = analyse(plan, (m_sweeps, m_results), (s_sweeps, s_results), month, leading)
        a.info.update({"runtime_s": sum(t["morris_s"] + t["sobol_s"] for t in history),
                       "morris_s": sum(t["morris_s"] for t in history),
                       "sobol_s": sum(t["sobol_s"] for t in history),
                       "invocations": len(history), "executor": history[0]["executor"],
                       "runs": sum(s.n_runs for s in m_sweeps.values())
                       + sum(s.n_runs for s in s_sweeps.values())})
        analyses.append(a)
    return analyses


SHOCK_SIZES = {"funding_shock_month": "funding_shock", "demand_shock_month": "demand_shock"}
"""A shock's month and the size it acts through: the month does nothing without the size."""


def sobol_factors(leading: Sequence[str], ranges: Mapping[str, Any]) -> list[str]:
    """The factors of the Sobol stage: the leading uncertainties, plus companions.

    The month of a shock matters only through the shock's size, which stays at the scenarios'
    value (no shock) when it is not varied; so when a month is among the leading uncertainties
    and its size is not, the size (if screened) joins the stage, after the leading ones.
    """
    factors = list(leading)
    for name in leading:
        size = SHOCK_SIZES.get(name)
        if size is not None and size in ranges and size not in factors:
            factors.append(size)
    return factors


def _history(where: Path | None, resume: bool) -> list[dict[str, Any]]:
    """The invocations recorded in ``where/timing.json`` (none unless resuming)."""
    path = None if where is None else where / "timing.json"
    if not resume or path is None or not path.is_file():
        return []
    try:
        return list(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError):
        return []


def _record(where: Path | None, history: list[dict[str, Any]], timing: dict[str, Any]) -> None:
    """Add (or update) this invocation in ``history`` and ``where/timing.json``.

    An invocation is recorded only once it has run something: re-analysing stored results
    adds nothing to the time the runs took.
    """
    if timing["runs"] == 0:
        return
    if not any(entry is timing for entry in history):
        history.append(timing)
    if where is not None:
        text = json.dumps(history, indent=1) + "\n"
        write_atomic(where / "timing.json", lambda tmp: tmp.write_text(text, encoding="utf-8"))


# --- writing it up ------------------------------------------------------------------------------
def _label(output: str) -> str:
    return {MARGIN: "best − second", OUTCOME: "baseline outcome"}.get(output, output)


def _f(x: float, digits: int = 2, sign: bool = False) -> str:
    if x is None or not math.isfinite(float(x)):
        return "–"
    return f"{float(x):+.{digits}f}" if sign else f"{float(x):.{digits}f}"


def _pct(x: float) -> str:
    return "–" if x is None or not math.isfinite(float(x)) else f"{float(x):.0%}"


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]],
           align: Sequence[str] | None = None) -> str:
    align = align or ["---"] + ["---:"] * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _in_sobol(a: Analysis, factor: str) -> str:
    if factor not in a.leading:
        return ""
    month = next((m for m, size in SHOCK_SIZES.items() if size == factor), None)
    top = list(a.scores.index[:a.plan.leading])
    if factor not in top and month in top:
        return f"yes (the size of `{month}`)"
    return "yes"


def _fixed_values(a: Analysis) -> dict[str, float]:
    """The value every declared uncertainty has where a stage does not vary it."""
    params = a.morris.sweep.scenario.world.params
    return {p.name: float(params.get(p.name, p.default)) for p in uncertainties()}


def _step(levels: int) -> str:
    """The Morris step as a share of a factor's range, in words where simple."""
    delta = levels / (2 * (levels - 1))
    return {4: "two thirds", 2: "all"}.get(levels, f"{delta:.2f}")


def _count(n: int) -> str:
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    return words[n] if n < len(words) else str(n)


def _range(name: str, bounds: tuple[float, float]) -> str:
    lo, hi = bounds
    if PARAMETERS[name].kind is int:
        return f"{int(lo)} – {int(hi)}"
    return f"{lo:g} – {hi:g}"


def _value(name: str, value: float) -> str:
    return f"{value:.0f}" if PARAMETERS[name].kind is int else f"{value:.3g}"


def _reading(a: Analysis) -> list[str]:
    """The plain-language reading, one paragraph per item."""
    unit = "percentage points" if a.info.get("unit") == "%" else a.info.get("unit", "")
    m, s = a.morris, a.sobol
    rank = m.ranking.set_index("reform")
    best, first = a.choice, float(rank.loc[a.choice, "first"])
    others = [(r, float(rank.loc[r, "first"])) for r in rank.index
              if r != best and rank.loc[r, "first"] > 0]
    mean_rank = m.ranking.sort_values("mean", ascending=a.info.get("direction", 1) < 0)
    runner = next(r for r in mean_rank["reform"] if r != best)
    out = []
    text = (f"**Which reform looks best.** With every uncertainty varying over its range, "
            f"`{best}` gives the largest gain at month {a.month} at {_pct(first)} of the "
            f"{len(m.points)} screening points; its effect averages "
            f"{_f(rank.loc[best, 'mean'], sign=True)} {unit} (5th–95th percentile "
            f"{_f(rank.loc[best, 'p05'], sign=True)} to {_f(rank.loc[best, 'p95'], sign=True)}).")
    if others:
        text += " Elsewhere the best is " + ", ".join(
            f"`{r}` ({_pct(p)})" for r, p in others) + "."
    else:
        text += " No other reform is ever best."
    text += (f" The runner-up on average is `{runner}` "
             f"({_f(rank.loc[runner, 'mean'], sign=True)} {unit}).")
    out.append(text)
    reg = a.regret["morris"]
    reg_s = a.regret["sobol"]
    text = (f"**How robust.** Choosing `{best}` everywhere loses on average "
            f"{_f(reg['mean'], 3)} {unit} against the best reform at each point (95th "
            f"percentile {_f(reg['p95'], 3)}, at most {_f(reg['max'], 3)}); the best reform "
            f"beats the runner-up by {_f(m.points[MARGIN].median())} {unit} at the median "
            f"point.")
    close = m.points[MARGIN] <= 2 * m.points[f"{MARGIN}_se"]
    if m.points[f"{MARGIN}_se"].notna().all():
        text += (f" At {_pct(float(close.mean()))} of the points the margin is smaller than "
                 f"twice its standard error over the {m.points.attrs.get('replicates')} "
                 "replicates (a rough estimate with few replicates).")
    if reg["share"] == 0:
        text += " No other reform is better at any screening point."
    elif math.isfinite(reg["share_clear"]):
        text += (f" Another reform is better at {_pct(reg['share'])} of the points, and "
                 f"better by more than twice the replicate noise at {_pct(reg['share_clear'])}.")
    else:
        text += f" Another reform is better at {_pct(reg['share'])} of the points."
    text += (f" In the Sobol sample (leading uncertainties varying, the others at the "
             f"scenarios' values) `{best}` is best at "
             f"{_pct(float((s.points['best'] == best).mean()))} of "
             f"{len(s.points)} points, with a mean regret of {_f(reg_s['mean'], 3)} {unit}.")
    out.append(text)
    flips = a.flips[a.flips["flips"] > 0]
    if len(flips):
        parts = [f"`{r.factor}` ({int(r.flips)} of {int(r.steps)} steps)"
                 for r in flips.itertuples()]
        text = ("**Which uncertainties change it.** A step of a Morris trajectory moves one "
                f"uncertainty by {_step(a.plan.levels)} of its range; such a step changes the "
                "best reform for " + ", ".join(parts) + ".")
        moves = a.moves.to_dict("records")
        if moves and moves[0]["count"] > 1:
            text += (f" The most common change is from `{moves[0]['from']}` to "
                     f"`{moves[0]['to']}` when `{moves[0]['factor']}` moves.")
        elif moves:
            text += " The changes: " + "; ".join(
                f"from `{mv['from']}` to `{mv['to']}` when `{mv['factor']}` moves"
                for mv in moves) + "."
    else:
        text = ("**Which uncertainties change it.** No one-at-a-time step of the Morris "
                "trajectories changes the best reform.")
    mor = m.indices[m.indices["output"] == MARGIN].sort_values("mu_star", ascending=False)
    parts = []
    for row in mor.head(2).to_dict("records"):
        if row["mu"] <= -0.5 * row["mu_star"]:
            how = "it narrows as the uncertainty rises"
        elif row["mu"] >= 0.5 * row["mu_star"]:
            how = "it widens as the uncertainty rises"
        else:
            how = "either way, depending on the other uncertainties"
        parts.append(f"`{row['factor']}` (μ* = {_f(row['mu_star'])} {unit}; {how})")
    if parts:
        text += " The margin moves most with " + " and ".join(parts) + "."
    sob = s.indices[s.indices["output"] == MARGIN].sort_values("ST", ascending=False)
    if len(sob):
        lead = sob.iloc[0]
        text += (f" By how much: the uncertainty with the largest total Sobol index for the "
                 f"margin of the best reform over the runner-up is `{lead['factor']}` "
                 f"(ST = {_f(lead['ST'])}, S1 = {_f(lead['S1'])}), and the margin itself "
                 f"ranges from {_f(s.points[MARGIN].min())} to {_f(s.points[MARGIN].max())} "
                 f"{unit} over the Sobol sample.")
    swings = []
    for factor in a.leading:
        groups = s.by_group[s.by_group["factor"] == factor]
        shares = groups[best].to_numpy(float)
        if len(shares) and np.ptp(shares) >= 0.1:
            low, high = shares[0], shares[-1]
            swings.append(f"`{factor}` ({_pct(low)} of points in the lowest third of its "
                          f"range, {_pct(high)} in the highest)")
    if swings:
        text += f" The share of points where `{best}` is best moves most with " + "; ".join(
            swings) + "."
    out.append(text)
    for package, beat in a.packages.items():
        out.append(f"**The package.** `{package}` (run for reference, not ranked) "
                   f"beats the best single reform at {_pct(beat['share'])} of the screening "
                   f"points, by {_f(beat['mean'], sign=True)} {unit} on average (from "
                   f"{_f(beat['min'], sign=True)} to {_f(beat['max'], sign=True)}).")
    return out


def markdown(analyses: Sequence[Analysis], command: str,
             images: Mapping[str, str] | None = None) -> str:
    """The write-up of the analysis as Markdown (``docs/robustness.md``).

    Args:
        analyses: The analysis at the deadline and, optionally, at the end (from :func:`run`).
        command: The command that produced it.
        images: Figure name (``morris``, ``sobol``, ``best``, ``effects``) to its path
            relative to the document.

    Returns:
        The document's text.
    """
    a = analyses[0]
    images = images or {}
    plan, m, s = a.plan, a.morris, a.sobol
    unit = "percentage points" if a.info.get("unit") == "%" else a.info.get("unit", "")
    scenarios = 1 + len(plan.reforms) + len(plan.packages)
    m_runs = len(m.points) * plan.replicates * scenarios
    s_runs = len(s.points) * plan.sobol_replicates * scenarios
    lines = [
        "# Robustness of the reform ranking",
        "",
        "<!-- Generated by scripts/robustness; edit the script, not this file. -->",
        "",
        f"Which of the {_count(len(plan.reforms))} enabling reforms looks best for the "
        f"`{a.mission}` mission at month {a.month} (the deadline), and which uncertainties — "
        "conditions the delivery system does not control — could change that, and by how "
        "much. Each reform alone "
        "(`scenarios/<reform>.toml`) is compared with `scenarios/baseline.toml` over the same "
        "replicates at every design point (common random numbers: the same root seed, so point "
        "*p* and replicate *r* meet the same world, shocks and uncertainty values in every "
        "scenario). Effects are paired differences from the baseline in "
        f"{unit}; the *margin* is the gain of the best reform at a point minus that of the "
        "runner-up.",
        "",
        "## How this was made",
        "",
        "```bash",
        command,
        "```",
        "",
        _table(["setting", "value"], [
            ["world (preset)", f"`{plan.preset}`"],
            ["horizon", f"{plan.horizon} months (deadline month {a.deadline})"],
            ["reforms ranked", ", ".join(f"`{r}`" for r in plan.reforms)],
            ["reference packages (not ranked)",
             ", ".join(f"`{p}`" for p in plan.packages) or "none"],
            ["root seed", f"{a.seed} (runs and both designs)"],
            ["Morris screening", f"{plan.trajectories} trajectories × ({len(a.ranges)} "
             f"uncertainties + 1) = {len(m.points)} points, {plan.levels} levels, "
             f"{plan.replicates} replicate(s): {m_runs:,} runs"],
            ["Sobol (Saltelli)", f"N = {plan.sobol_samples} × ({len(a.leading)} uncertainties "
             f"+ 2) = {len(s.points)} points, {plan.sobol_replicates} replicate(s): "
             f"{s_runs:,} runs"],
            ["bootstrap resamples", f"{NUM_RESAMPLES} (95% intervals)"],
            ["mission's baseline values", ", ".join(
                f"`{k}` = {v:.4g}" for k, v in a.info.get("mission_values", {}).items())
             or "not recorded"],
            ["missionsim version", a.info.get("version", __version__)],
            ["date", a.info.get("date", "")],
            ["runtime", _runtime(a.info)],
        ], ["---", "---"]),
        "",
        "Each stage is one sweep per scenario (`missionsim.experiments.sweep`, the same design, "
        "factors, replicates and seed in every sweep), run through `run_sweep` and its results "
        "store; `--out` keeps the stores and `--resume` continues them.",
        "",
        "## Reading",
        "",
    ]
    for paragraph in _reading(a):
        lines += [paragraph, ""]
    lines += [
        "Caveats: the ranking is of each reform *alone* from month 0 at full intensity on one "
        "world; design points are not independent draws (Morris points lie on trajectories "
        "of a grid, the Sobol sample is quasi-random), so shares of points are descriptive, "
        "not probabilities. Uncertainties not varied by a stage stay at the scenarios' values ("
        + ", ".join(f"`{n}` = {v:g}" for n, v in _fixed_values(a).items()) + ").",
        "",
        "## The uncertainties screened",
        "",
        _table(["uncertainty", "range screened", "declared range", "meaning"], [
            [f"`{n}`", _range(n, r), f"{PARAMETERS[n].low:g} – {PARAMETERS[n].high:g}",
             PARAMETERS[n].meaning] for n, r in a.ranges.items()], ["---", "---:", "---:", "---"]),
        "",
        "Ranges are the plausible ranges of `sweeps/morris_uncertainties.toml`"
        + ("" if set(a.ranges) <= set(DEFAULT_RANGES) else " (the declared range where it "
           "gives none)") + "; a shock month "
        f"after month {a.month} means no shock before the month analysed.",
        "",
        "## Morris screening",
        "",
        "μ* is the mean absolute elementary effect: the change in the output when the "
        "uncertainty moves across its whole range, one factor at a time, averaged over the "
        f"trajectories ({unit}). σ is the spread of those effects: large σ relative to μ* "
        "means interactions or non-linearity. The last row is about the μ* that replicate "
        "noise alone would give (an upper bound: neighbouring points share seeds).",
        "",
    ]
    if "morris" in images:
        lines += [f"![Morris μ* of each reform's effect and of the margin]({images['morris']})",
                  ""]
    outs = a.outputs
    mu = m.indices.pivot(index="factor", columns="output", values="mu_star")
    sigma = m.indices.pivot(index="factor", columns="output", values="sigma")
    noise = m.indices.groupby("output")["noise"].first()
    factors = list(a.ranges)
    header = ["μ*"] + [f"`{o}`" if o not in (MARGIN, OUTCOME) else _label(o) for o in outs]
    rows = [[f"`{f}`"] + [_f(mu.loc[f, o], 3) for o in outs] for f in factors]
    rows.append(["*noise bound*"] + [_f(noise[o], 3) for o in outs])
    lines += [_table(header, rows), ""]
    quiet = [o for o in outs if math.isfinite(noise[o]) and mu[o].max() < noise[o]]
    if quiet:
        lines += ["For " + ", ".join(f"`{o}`" if o not in (MARGIN, OUTCOME) else _label(o)
                                     for o in quiet)
                  + " no uncertainty's μ* exceeds the noise bound: at this size its sensitivity "
                  "cannot be told from replicate noise.", ""]
    header[0] = "σ"
    rows = [[f"`{f}`"] + [_f(sigma.loc[f, o], 3) for o in outs] for f in factors]
    lines += [_table(header, rows), ""]
    lines += [
        "**Leading uncertainties.** Each uncertainty's μ* for each reform's effect and for "
        "the margin, as a share of the largest μ* of that output, averaged over those outputs "
        f"(every output counts equally); the {_count(plan.leading)} largest go on to the Sobol "
        "stage, with the size of any shock whose month is among them (a shock's month does "
        "nothing without a shock, and the others stay at the scenarios' values: no shock).",
        "",
        _table(["uncertainty", "score", "Sobol stage"],
               [[f"`{f}`", _f(v), _in_sobol(a, f)] for f, v in a.scores.items()],
               ["---", "---:", "---"]),
        "",
        "## Sobol indices of the leading uncertainties",
        "",
        "S1 is the share of an output's variance over the Sobol sample that the uncertainty "
        "explains alone, ST the share with all its interactions (± 95% bootstrap half-widths; "
        "with small samples S1 can come out slightly negative). The other uncertainties stay "
        "at the scenarios' values.",
        "",
    ]
    if "sobol" in images:
        lines += [f"![Sobol indices]({images['sobol']})", ""]
    rows = []
    for o in outs:
        sub = s.indices[s.indices["output"] == o].set_index("factor")
        cells = [f"{_f(sub.loc[f, 'S1'])} ± {_f(sub.loc[f, 'S1_conf'])} / "
                 f"{_f(sub.loc[f, 'ST'])} ± {_f(sub.loc[f, 'ST_conf'])}" for f in a.leading]
        sd = math.sqrt(float(sub["variance"].iloc[0]))
        rows.append([f"`{o}`" if o not in (MARGIN, OUTCOME) else _label(o), _f(sd, 3), *cells])
    lines += [_table(["output", "SD", *[f"`{f}`: S1 / ST" for f in a.leading]], rows), ""]
    lines += [
        "## Which reform ranks first",
        "",
        "Share of design points at which each reform gives the largest gain, its mean rank "
        "(1 = best) and its effect across the points, in the screening (every uncertainty "
        "varying) and in the Sobol sample (the leading ones varying).",
        "",
    ]
    if "effects" in images:
        lines += [f"![Each reform's effect across the screening points]({images['effects']})",
                  ""]
    sob = s.ranking.set_index("reform")
    rows = [[f"`{r.reform}`", _pct(r.first), _pct(r.top3), _f(r.mean_rank, 1),
             _f(r.mean, sign=True), f"{_f(r.p05, sign=True)} to {_f(r.p95, sign=True)}",
             _pct(sob.loc[r.reform, "first"]), _f(sob.loc[r.reform, "mean"], sign=True)]
            for r in m.ranking.itertuples()]
    lines += [_table(["reform", "first (screening)", "top 3", "mean rank", "mean effect",
                      "5th–95th pct", "first (Sobol)", "mean effect (Sobol)"], rows), ""]
    if "best" in images:
        lines += [f"![Share of points where each reform ranks first, by third of each leading "
                  f"uncertainty's range]({images['best']})", ""]
    winners = [r for r in plan.reforms if (s.by_group[r] > 0).any()
               or (m.by_group[r] > 0).any()]
    lines += [
        "**By third of each leading uncertainty's range** (Sobol sample): share of points at "
        "which each reform ranks first (reforms never first are left out).",
        "",
    ]
    rows = []
    for row in s.by_group.to_dict("records"):
        rows.append([f"`{row['factor']}`", f"{_value(row['factor'], row['low'])} – "
                     f"{_value(row['factor'], row['high'])}", row["points"],
                     *[_pct(row[w]) for w in winners]])
    lines += [_table(["uncertainty", "third", "points", *[f"`{w}`" for w in winners]], rows),
              ""]
    lines += [
        "**By level of every uncertainty** (screening grid, every other uncertainty varying):",
        "",
    ]
    rows = []
    for row in m.by_group.to_dict("records"):
        rows.append([f"`{row['factor']}`", _value(row["factor"], row["low"]), row["points"],
                     *[_pct(row[w]) for w in winners]])
    lines += [_table(["uncertainty", "level", "points", *[f"`{w}`" for w in winners]], rows),
              ""]
    lines += [
        "## Rank flips",
        "",
        f"Each step of a Morris trajectory moves one uncertainty by {_step(plan.levels)} of "
        "its range; a *flip* is a step after which another reform is best. The mean change "
        f"of the margin per step is in {unit}.",
        "",
        _table(["uncertainty", "steps", "flips", "share", "mean change of margin"],
               [[f"`{r.factor}`", r.steps, r.flips, _pct(r.share),
                 _f(r.mean_margin_change, 3)] for r in a.flips.itertuples()]),
        "",
    ]
    if len(a.moves):
        lines += [_table(["uncertainty moved", "best before", "best after", "steps"],
                         [[f"`{r['factor']}`", f"`{r['from']}`", f"`{r['to']}`", r["count"]]
                          for r in a.moves.to_dict("records")], ["---", "---", "---", "---:"]),
                  ""]
    lines += ["## Regret of one choice everywhere", "",
              f"Choosing `{a.choice}` (most often best in the screening) at every point, "
              f"against the best reform at that point ({unit}):", ""]
    rows = [[stage, _f(r["mean"], 3), _f(r["p95"], 3), _f(r["max"], 3), _pct(r["share"]),
             _pct(r["share_clear"])] for stage, r in a.regret.items()]
    lines += [_table(["sample", "mean", "95th percentile", "max", "points with regret",
                      "beyond 2 SE of noise"], rows), ""]
    for later in analyses[1:]:
        lines += _later(later)
    lines += [
        "## Reproducing and extending",
        "",
        "The analysis is `missionsim.analysis.robustness` (`run`, `analyse`, `markdown`, "
        "`figures`). A reduced version runs in the test suite "
        "(`tests/validation/test_robustness.py`). Larger sizes (`--trajectories`, "
        "`--sobol-samples`, `--replicates`), another world "
        "(`--preset`), a longer horizon (`--horizon 120` adds the ranking at the end) and a "
        "cluster (`--scheduler tcp://HOST:8786`) are options of `scripts/robustness --help`.",
        "",
    ]
    return "\n".join(lines)


def _runtime(info: Mapping[str, Any]) -> str:
    total = info.get("runtime_s")
    if total is None:
        return "–"
    text = (f"{total / 60:.1f} min for {info.get('runs', 0):,} runs "
            f"(Morris {info.get('morris_s', 0) / 60:.1f} min, Sobol "
            f"{info.get('sobol_s', 0) / 60:.1f} min) on {info.get('executor', 'local processes')}")
    if info.get("invocations", 1) > 1:
        text += f", summed over {info['invocations']} invocations (`--resume`)"
    return text


def _later(a: Analysis) -> list[str]:
    """A short section on the ranking at another month (e.g. the end of the horizon)."""
    unit = "percentage points" if a.info.get("unit") == "%" else a.info.get("unit", "")
    m, s = a.morris, a.sobol
    sob = s.ranking.set_index("reform")
    end = " (the end of the horizon)" if a.month == a.plan.horizon else ""
    lines = [f"## At month {a.month}{end}", "",
             f"The same runs read at month {a.month} ({unit}).", ""]
    rows = [[f"`{r.reform}`", _pct(r.first), _f(r.mean_rank, 1), _f(r.mean, sign=True),
             _pct(sob.loc[r.reform, "first"])] for r in m.ranking.itertuples()]
    lines += [_table(["reform", "first (screening)", "mean rank", "mean effect",
                      "first (Sobol)"], rows), ""]
    mu = m.indices[m.indices["output"] == MARGIN].sort_values("mu_star", ascending=False)
    lines += [_table(["uncertainty", "μ* of margin", "σ of margin", "flips"],
                     [[f"`{r.factor}`", _f(r.mu_star, 3), _f(r.sigma, 3),
                       int(a.flips.set_index("factor").loc[r.factor, "flips"])]
                      for r in mu.itertuples()]), ""]
    return lines


# --- figures ------------------------------------------------------------------------------------
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#bcbd22", "#17becf")
"""One colour per ranked reform (matplotlib's tab10 without grey)."""


def figures(a: Analysis, folder: str | Path, prefix: str = "robustness") -> dict[str, Path]:
    """Draw the figures of the write-up as PNG files.

    Args:
        a: The analysis (at the deadline).
        folder: Where to write them.
        prefix: File names are ``PREFIX-morris.png``, ``-sobol``, ``-best``, ``-effects``.

    Returns:
        Figure name to path.
    """
    from matplotlib.figure import Figure

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    colour = {r: COLOURS[i % len(COLOURS)] for i, r in enumerate(a.plan.reforms)}
    paths: dict[str, Path] = {}
    factors = list(a.ranges)

    # Morris: μ* heat map, each column scaled by its largest value
    outs = [o for o in a.outputs if o != OUTCOME]
    mu = a.morris.indices.pivot(index="factor", columns="output", values="mu_star")
    mu = mu.reindex(index=factors, columns=outs)
    scaled = mu / mu.max(axis=0).replace(0, np.nan)
    fig = Figure(figsize=(1.0 + 0.85 * len(outs), 1.4 + 0.45 * len(factors)), dpi=100)
    ax = fig.add_subplot()
    ax.imshow(scaled.fillna(0).to_numpy(), cmap="Blues", vmin=0, vmax=1.15, aspect="auto")
    for i in range(len(factors)):
        for j in range(len(outs)):
            ax.text(j, i, _f(mu.iloc[i, j], 2), ha="center", va="center", fontsize=7.5,
                    color="white" if scaled.iloc[i, j] > 0.7 else "black")
    ax.set_xticks(range(len(outs)), [_label(o) for o in outs], rotation=40, ha="right",
                  fontsize=8)
    ax.set_yticks(range(len(factors)), factors, fontsize=8)
    ax.set_title(f"Morris μ* at month {a.month} (points; shading: share of the column's "
                 "largest)", fontsize=9)
    fig.tight_layout()
    paths["morris"] = folder / f"{prefix}-morris.png"
    fig.savefig(paths["morris"])

    # Sobol: S1 and ST with intervals, one panel per output (margin and ranked reforms)
    shown = [MARGIN, *a.plan.reforms]
    cols = 5
    nrows = math.ceil(len(shown) / cols)
    fig = Figure(figsize=(2.4 * cols, 2.3 * nrows + 0.5), dpi=100)
    axes = fig.subplots(nrows, cols, squeeze=False)
    x = np.arange(len(a.leading))
    for k, output in enumerate(shown):
        ax = axes[k // cols][k % cols]
        sub = a.sobol.indices[a.sobol.indices["output"] == output].set_index("factor")
        sub = sub.reindex(a.leading)
        ax.bar(x - 0.2, sub["S1"], 0.4, yerr=sub["S1_conf"], color="#9ecae1", label="S1",
               capsize=2)
        ax.bar(x + 0.2, sub["ST"], 0.4, yerr=sub["ST_conf"], color="#3182bd", label="ST",
               capsize=2)
        ax.set_title(_label(output), fontsize=8.5)
        ax.set_xticks(x, a.leading, rotation=35, ha="right", fontsize=6.5)
        ax.axhline(0, color="#888", lw=0.6)
        ax.set_ylim(-0.25, 1.25)
        ax.tick_params(axis="y", labelsize=7)
    for k in range(len(shown), nrows * cols):
        axes[k // cols][k % cols].set_visible(False)
    axes[0][0].legend(fontsize=7, frameon=False)
    fig.suptitle(f"Sobol indices at month {a.month} (95% bootstrap intervals; axis cut at "
                 "−0.25 and 1.25)", fontsize=9.5)
    fig.tight_layout()
    paths["sobol"] = folder / f"{prefix}-sobol.png"
    fig.savefig(paths["sobol"])

    # Best reform: overall and by third of each leading uncertainty
    panels = ["overall", *a.leading]
    fig = Figure(figsize=(2.6 * len(panels) + 1.8, 3.2), dpi=100)
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    for ax, panel in zip(axes, panels, strict=True):
        if panel == "overall":
            labels = ["screening", "Sobol"]
            shares = [[float((st.points["best"] == r).mean()) for st in (a.morris, a.sobol)]
                      for r in a.plan.reforms]
        else:
            groups = a.sobol.by_group[a.sobol.by_group["factor"] == panel]
            labels = [f"{_value(panel, lo)}–{_value(panel, hi)}"
                      for lo, hi in zip(groups["low"], groups["high"], strict=True)]
            shares = [groups[r].tolist() for r in a.plan.reforms]
        bottom = np.zeros(len(labels))
        for r, share in zip(a.plan.reforms, shares, strict=True):
            share = np.asarray(share, float)
            if share.sum() > 0:
                ax.bar(range(len(labels)), share, bottom=bottom, color=colour[r], label=r,
                       width=0.7)
            bottom += share
        ax.set_xticks(range(len(labels)), labels, fontsize=7, rotation=20)
        ax.set_title(panel, fontsize=8.5)
        ax.tick_params(axis="y", labelsize=7)
    axes[0].set_ylabel("share of points where it ranks first", fontsize=8)
    handles, labels = [], []
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(handles, labels, loc="center right", fontsize=7, frameon=False)
    fig.suptitle(f"Best reform at month {a.month}", fontsize=9.5)
    fig.tight_layout(rect=(0, 0, 1 - 1.7 / (2.6 * len(panels) + 1.8), 1))
    paths["best"] = folder / f"{prefix}-best.png"
    fig.savefig(paths["best"])

    # Effects: distribution of each reform's effect across the screening points
    order = list(a.morris.ranking.sort_values("mean")["reform"])
    fig = Figure(figsize=(7.5, 0.45 * len(order) + 1.3), dpi=100)
    ax = fig.add_subplot()
    data = [a.morris.points[r].to_numpy(float) for r in order]
    box = ax.boxplot(data, vert=False, whis=(5, 95), showfliers=True, patch_artist=True,
                     flierprops={"markersize": 2})
    for patch, r in zip(box["boxes"], order, strict=True):
        patch.set_facecolor(colour[r])
        patch.set_alpha(0.6)
    ax.set_yticks(range(1, len(order) + 1), order, fontsize=8)
    ax.axvline(0, color="#444", lw=0.8)
    unit = "percentage points" if a.info.get("unit") == "%" else a.info.get("unit", "")
    ax.set_xlabel(f"paired effect at month {a.month} ({unit}); whiskers 5th–95th percentile",
                  fontsize=8)
    ax.set_title(f"Each reform's effect across the {len(a.morris.points)} screening points",
                 fontsize=9.5)
    fig.tight_layout()
    paths["effects"] = folder / f"{prefix}-effects.png"
    fig.savefig(paths["effects"])
    return paths
