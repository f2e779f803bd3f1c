"""Which reform ranks first across the design points, what changes it, and regret."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from missionsim.analysis.robustness.plan import BASELINE, MARGIN
from missionsim.analysis.stats import group_se
from missionsim.experiments.sweeps import Sweep, sample


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
        se = group_se(by).reindex(points.index)
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


