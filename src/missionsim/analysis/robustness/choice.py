"""Which reform is best: P(best) over the sample, and switching values from one-way sweeps."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

BOOTSTRAP = 1000
"""Bootstrap resamples of the sample's points for P(best)'s interval."""


def p_best(gains: pd.DataFrame, resamples: int = BOOTSTRAP, seed: int = 0,
           level: float = 0.95) -> pd.DataFrame:
    """The probability that each reform is best, over a sample of the factors.

    Args:
        gains: Each reform's gain (columns) at each sample point (rows), paired.
        resamples: Bootstrap resamples of the points.
        seed: Seed of the bootstrap.
        level: Coverage of the percentile interval.

    Returns:
        Index ``reform``, largest share first; columns ``p_best`` (share of points where it
        gives the largest gain; the shares sum to 1), ``low`` and ``high`` (percentile
        bootstrap interval), ``mean`` (mean gain), ``p05`` and ``p95`` (of the gain over the
        points) and ``mean_rank`` (1 = best).
    """
    y = gains.to_numpy(float)
    names = list(gains.columns)
    best = y.argmax(axis=1)
    counts = np.bincount(best, minlength=len(names))
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(y), size=(int(resamples), len(y)))
    boot = np.stack([np.bincount(best[d], minlength=len(names)) for d in draws]) / len(y)
    tail = (1 - level) / 2 * 100
    ranks = (-y).argsort(axis=1).argsort(axis=1) + 1
    table = pd.DataFrame({
        "reform": names, "p_best": counts / len(y),
        "low": np.percentile(boot, tail, axis=0), "high": np.percentile(boot, 100 - tail, axis=0),
        "mean": y.mean(axis=0), "p05": np.percentile(y, 5, axis=0),
        "p95": np.percentile(y, 95, axis=0), "mean_rank": ranks.mean(axis=0)})
    return table.set_index("reform").sort_values(["p_best", "mean"], ascending=False,
                                                 kind="stable")


def switching_value(levels: pd.DataFrame, default: float) -> dict:
    """Where the preferred reform changes along a one-way sweep of one factor.

    Args:
        levels: Mean gain of each reform (columns) at each value of the factor (index,
            increasing), the others at their defaults.
        default: The factor's default value (within the index's range).

    Returns:
        ``preferred`` (best at the default, interpolated linearly between the nearest values),
        and for each side (``below``, ``above``) the switching value (the first crossing,
        moving away from the default, of the preferred reform's gain by another's, each gain
        interpolated linearly between the values run; NaN when none within the range) and
        the reform that takes over (``below_to``, ``above_to``; empty when none).
    """
    x = levels.index.to_numpy(float)
    y = levels.to_numpy(float)
    names = list(levels.columns)
    at_default = np.array([np.interp(default, x, y[:, j]) for j in range(len(names))])
    lead = int(at_default.argmax())
    out = {"preferred": names[lead], "below": math.nan, "below_to": "", "above": math.nan,
           "above_to": ""}
    for side, order in (("below", np.flatnonzero(x < default)[::-1]),
                        ("above", np.flatnonzero(x > default))):
        prev_x, prev_y = default, at_default
        for i in order:
            crossings = []
            for rival in range(len(names)):
                if rival != lead and y[i, rival] > y[i, lead]:
                    before = prev_y[lead] - prev_y[rival]  # ≥ 0: the lead was best there
                    after = y[i, lead] - y[i, rival]  # < 0
                    crossings.append((min(max(before / (before - after), 0.0), 1.0), rival))
            if crossings:
                t, rival = min(crossings)  # the first rival to overtake, between the values
                out[side] = float(prev_x + t * (x[i] - prev_x))
                out[f"{side}_to"] = names[rival]
                break
            prev_x, prev_y = x[i], y[i]
    return out


def switching_table(sweeps: Mapping[str, pd.DataFrame], defaults: Mapping[str, float],
                    ranges: Mapping[str, tuple[float, float]]) -> pd.DataFrame:
    """The switching value of each factor swept one way.

    Args:
        sweeps: Factor name to its :func:`switching_value` input (value × reform gains).
        defaults: Each factor's default.
        ranges: Each factor's plausible range.

    Returns:
        Index ``factor``; columns ``default``, ``low``, ``high``, ``preferred``, ``below``,
        ``below_to``, ``above``, ``above_to`` and ``switches`` (a crossing on either side).
    """
    rows = []
    for name, levels in sweeps.items():
        row = {"factor": name, "default": float(defaults[name]), "low": ranges[name][0],
               "high": ranges[name][1], **switching_value(levels, float(defaults[name]))}
        row["switches"] = bool(row["below_to"] or row["above_to"])
        rows.append(row)
    columns = ["factor", "default", "low", "high", "preferred", "below", "below_to", "above",
               "above_to", "switches"]
    return pd.DataFrame(rows, columns=columns).set_index("factor")
