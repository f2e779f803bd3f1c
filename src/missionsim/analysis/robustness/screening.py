"""Screening: grouped Morris μ* of each reform's gain, then first-order indices of factors.

With a hundred and more factors a Morris design over single factors needs thousands of points;
over groups it needs ``r × (groups + 1)`` (SALib moves all factors of a group together, in
the directions the design draws, and reports μ* per group). The factors of the groups that
matter are then told apart without further runs: RBD-FAST first-order indices (SALib) read
from the Latin hypercube sample that P(best) and EVPPI use.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from missionsim.analysis.sensitivity import NUM_RESAMPLES

MARGIN = "margin"
"""Output name of the gain of the best reform minus that of the runner-up at each point."""
HARMONICS = 10
"""RBD-FAST harmonics (SALib's default ``M``), fewer for small samples."""
RBD_RESAMPLES = 100
"""Bootstrap resamples of each RBD-FAST index (each costs a periodogram per factor)."""


def with_margin(gains: pd.DataFrame) -> pd.DataFrame:
    """``gains`` (points × reforms) with the margin: best gain minus the runner-up's."""
    ordered = np.sort(gains.to_numpy(float), axis=1)
    out = gains.copy()
    out[MARGIN] = ordered[:, -1] - ordered[:, -2] if gains.shape[1] > 1 else 0.0
    return out


def group_morris(raw: np.ndarray, problem: Mapping, outputs: pd.DataFrame, levels: int,
                 seed: int) -> pd.DataFrame:
    """Grouped Morris μ* of each output (SALib, on the unrounded design).

    Args:
        raw: The design's raw sample (points × factors).
        problem: SALib's problem with ``groups``.
        outputs: One column per output, one row per point (design order).
        levels: Grid levels.
        seed: Seed of the bootstrap.

    Returns:
        One row per output × group: ``mu_star``, ``mu_star_conf`` (95% bootstrap half-width),
        ``factors`` (how many factors the group holds) and ``rank`` within the output.
    """
    from SALib.analyze import morris

    groups = list(dict.fromkeys(problem["groups"]))
    sizes = pd.Series(problem["groups"]).value_counts()
    frames = []
    for output in outputs.columns:
        y = outputs[output].to_numpy(float)
        res = morris.analyze(dict(problem), raw, y, num_resamples=NUM_RESAMPLES,
                             num_levels=int(levels), seed=int(seed))
        names = [str(n) for n in res["names"]]
        frame = pd.DataFrame({"output": output, "group": names,
                              "mu_star": np.asarray(res["mu_star"], float),
                              "mu_star_conf": np.asarray(res["mu_star_conf"], float)})
        frame = frame.set_index("group").reindex(groups).reset_index()
        frame["factors"] = [int(sizes[g]) for g in frame["group"]]
        frame["rank"] = frame["mu_star"].rank(ascending=False, method="first").astype(int)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def leading(indices: pd.DataFrame, key: str, outputs: Sequence[str], n: int) -> pd.Series:
    """The ``n`` entries (groups or factors) that matter most across ``outputs``.

    Each output's values of ``key`` are divided by their largest, so every output counts
    equally, and averaged. Returns the scores of every entry, largest first, ``attrs["top"]``
    the first ``n`` names.
    """
    name = "group" if "group" in indices.columns else "factor"
    sub = indices[indices["output"].isin(list(outputs))]
    top = sub.groupby("output")[key].transform("max")
    share = (sub[key].clip(lower=0) / top.where(top > 0)).fillna(0.0)
    order = list(dict.fromkeys(sub[name]))
    score = share.groupby(sub[name]).mean().reindex(order)
    score = score.sort_values(ascending=False, kind="stable")
    score.name = "score"
    score.attrs["top"] = list(score.index[:n])
    return score


def factor_indices(sample: pd.DataFrame, bounds: Mapping[str, tuple[float, float]],
                   outputs: pd.DataFrame, factors: Sequence[str], seed: int) -> pd.DataFrame:
    """RBD-FAST first-order indices of ``factors`` for each output, from a Latin hypercube.

    Args:
        sample: The sample's factor values (one row per point, design order).
        bounds: Every factor's ``(low, high)``.
        outputs: One column per output, rows paired with ``sample``.
        factors: The factors to index (e.g. those of the leading groups).
        seed: Seed of the bootstrap.

    Returns:
        One row per output × factor: ``S1`` and ``S1_conf`` (95% bootstrap half-width,
        :data:`RBD_RESAMPLES` resamples).
    """
    from SALib.analyze import rbd_fast

    names = list(factors)
    problem = {"num_vars": len(names), "names": names,
               "bounds": [list(bounds[n]) for n in names]}
    x = sample[names].to_numpy(float)
    harmonics = max(1, min(HARMONICS, (len(x) - 1) // 4))
    frames = []
    for output in outputs.columns:
        y = outputs[output].to_numpy(float)
        if len(x) < 8 or np.ptp(y) <= 1e-12 * max(1.0, float(np.abs(y).max())):
            s1 = conf = np.zeros(len(names))
        else:
            res = rbd_fast.analyze(problem, x, y, M=harmonics, num_resamples=RBD_RESAMPLES,
                                   seed=int(seed))
            s1 = np.asarray(res["S1"], float)
            conf = np.asarray(res["S1_conf"], float)
        frames.append(pd.DataFrame({"output": output, "factor": names, "S1": s1,
                                    "S1_conf": conf}))
    out = pd.concat(frames, ignore_index=True)
    out["S1"] = out["S1"].where(np.isfinite(out["S1"]), 0.0)
    out["S1_conf"] = out["S1_conf"].where(np.isfinite(out["S1_conf"]), math.nan)
    return out
