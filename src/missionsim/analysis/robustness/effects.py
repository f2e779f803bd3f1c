"""Paired effects at each design point, and the Morris and Sobol indices of each output."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from missionsim.analysis.robustness.plan import BASELINE, MARGIN, OUTCOME
from missionsim.analysis.sensitivity import NUM_RESAMPLES, point_values
from missionsim.analysis.stats import group_se
from missionsim.experiments.results import Results
from missionsim.experiments.sweeps import Sweep, design_points, problem, sample


def paired_outcomes(results: Mapping[str, Results], sweeps: Mapping[str, Sweep],
                    month: int) -> pd.DataFrame:
    """The outcome at ``month`` of every scenario, paired by design point and replicate.

    Every scenario's results are first checked against its sweep
    (:func:`~missionsim.analysis.sensitivity.point_values`: same design, every point
    present), and the seeds of each point and replicate must agree across scenarios.

    Returns:
        Index ``(point, replicate)``, one column per scenario.

    Raises:
        ValueError: Results that do not match their sweep, or scenarios that are not paired.
    """
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
    se = group_se(by_point)
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
    table[f"{MARGIN}_se"] = group_se(margin).to_numpy()
    base = outcomes[baseline].groupby(level="point")
    table[OUTCOME] = base.mean().to_numpy()
    table[f"{OUTCOME}_se"] = group_se(base).to_numpy()
    table.attrs.update({"month": outcomes.attrs.get("month"), "reforms": reforms,
                        "packages": packages, "direction": int(direction),
                        "replicates": int(n.iloc[0])})
    return table


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
        res = morris.analyze(problem(sweep), x, y, num_resamples=NUM_RESAMPLES,
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
            res = sobol.analyze(problem(sweep), y, calc_second_order=sweep.second_order,
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


