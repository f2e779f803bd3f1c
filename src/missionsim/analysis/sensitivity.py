"""Sensitivity of a sweep's results to its factors: SALib indices, or SRC and PRCC.

:func:`sensitivity` averages the metric over replicates at each design point
(:func:`point_values`, which first checks that the results are the sweep's) and then uses
SALib for Morris (elementary effects) and Sobol (variance-based) designs. For LHS and
factorial designs it reports standardized regression coefficients (SRC) and partial rank
correlation coefficients (PRCC), which screen for monotone effects but are not a variance
decomposition. It reads results; it never runs the model.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from missionsim.experiments.results import Results
from missionsim.experiments.sweeps import Sweep, as_sweep, design_points, problem, sample
from missionsim.limits import quote
from missionsim.model.reporters import REPORTERS

NUM_RESAMPLES = 1000
"""Bootstrap resamples for SALib's confidence intervals."""
PRECISION = 1e-12
"""Relative tolerance for factor values read back from a store (a float's round trip), and
the relative size below which a rank residual counts as zero."""


def point_values(results: Results, sweep: Sweep | str | Path,
                 metric: str | None = None, month: int | None = None) -> pd.DataFrame:
    """The metric at a month for every design point, beside the point's factor values.

    Columns: the factors, then the metric's mean over replicates (named after the metric),
    its standard deviation (``METRIC_sd``) and the number of replicates; index ``point`` in
    design order.

    Raises:
        ValueError: The results lack the metric, the month or some design points, or their
            factor values are not this sweep's design.
    """
    sweep = as_sweep(sweep)
    metric = sweep.output.metric if metric is None else metric
    month = sweep.output.month if month is None else month
    points = design_points(sweep)
    months = results.months
    if results.runs.empty:
        raise ValueError("the results hold no runs; run the sweep first")
    digest = results.manifest.get("sweep_digest")
    if digest is not None and digest != sweep.digest():
        raise ValueError(f"these results come from another version of sweep "
                         f"{quote(results.manifest.get('sweep'))} (its scenario, design, factors, "
                         "replicates or seed differ); run this sweep into a new folder")
    if metric not in months.columns:
        raise ValueError(f"metric = {quote(metric)}: not a column of the results; expected one of "
                         f"{', '.join(REPORTERS)}")
    if isinstance(month, bool) or not isinstance(month, int | np.integer):
        raise ValueError(f"month = {quote(month)}: expected a whole month")
    rows = months[(months["scenario"] == sweep.scenario.name) & (months["month"] == month)]
    if rows.empty:
        raise ValueError(f"month = {month}: no results at that month (the horizon is "
                         f"{sweep.scenario.horizon})")
    stats = rows.groupby("point")[metric].agg(["mean", "std", "count"])
    missing = [p for p in points.index if p not in stats.index]
    if missing:
        shown = ", ".join(str(p) for p in missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise ValueError(f"the results lack {len(missing)} of {len(points)} design points "
                         f"({shown}); finish the sweep first (run it again with resume)")
    _check_design(results, sweep, points)
    stats = stats.reindex(points.index)
    frame = points.join(stats.rename(columns={"mean": metric, "std": f"{metric}_sd",
                                              "count": "replicates"}))
    frame.attrs.update({"metric": metric, "month": int(month)})
    return frame


def _check_design(results: Results, sweep: Sweep, points: pd.DataFrame) -> None:
    runs = results.runs
    runs = runs[runs["scenario"] == sweep.scenario.name] if len(runs) else runs
    for name in points.columns:
        column = f"factor:{name}"
        if column not in runs.columns:
            raise ValueError(f"these results do not vary factor {quote(name)}: they are not from "
                             f"sweep {quote(sweep.name)}")
        got = runs.groupby("point")[column].first()
        want = points[name].reindex(got.index)
        if want.isna().any() or not np.allclose(got.to_numpy(float), want.to_numpy(float),
                                                rtol=PRECISION, atol=0.0):
            raise ValueError(f"factor {quote(name)} has other values in these results than in the "
                             f"design of sweep {quote(sweep.name)}; were they run from another "
                             "version of the sweep file?")


def sensitivity(results: Results, sweep: Sweep | str | Path, metric: str | None = None,
                month: int | None = None) -> pd.DataFrame:
    """Sensitivity of a metric at a month to the sweep's factors.

    The metric is read at ``month`` in every run and averaged over replicates at each design
    point; then:

    - ``morris``: :func:`SALib.analyze.morris.analyze` on the raw (unrounded) design:
      columns ``mu``, ``mu_star``, ``sigma``, ``mu_star_conf``; sorted by ``mu_star``;
    - ``sobol``: :func:`SALib.analyze.sobol.analyze`: columns ``S1``, ``S1_conf``, ``ST``,
      ``ST_conf``; sorted by ``ST``; with ``second_order``, ``attrs["S2"]`` lists each pair
      of factors with ``S2`` and ``S2_conf``;
    - ``lhs`` and ``factorial``: standardized regression coefficients (``src``, with the
      linear fit's R² in ``attrs["r2"]``) and partial rank correlation coefficients (``prcc``,
      ``prcc_p``); sorted by ``|prcc|``. They measure monotone association, not shares of
      variance.

    Args:
        results: Results of :func:`~missionsim.experiments.sweeps.run_sweep` (in memory or
            ``Results.load(out)``).
        sweep: The sweep (or its file) the results came from.
        metric: A model reporter (default: the sweep's ``output.metric``).
        month: The month read (default: the sweep's ``output.month``).

    Returns:
        One row per factor, most important first, with a ``rank`` column; ``attrs`` hold
        ``method``, ``metric``, ``month``, ``design``, ``points``, ``replicates`` and a
        ``note``.

    Raises:
        ValueError: The results lack the metric, month or some points, do not match the
            design, or the metric is not finite at some point.
    """
    sweep = as_sweep(sweep)
    values = point_values(results, sweep, metric, month)
    metric, month = values.attrs["metric"], values.attrs["month"]
    y = values[metric].to_numpy(float)
    if not np.isfinite(y).all():
        bad = int(np.flatnonzero(~np.isfinite(y))[0])
        raise ValueError(f"{metric} at month {month} is not a finite number at point {bad}")
    names = list(sweep.factors)
    seed = sweep.sample_seed
    extra: dict[str, Any] = {}
    if sweep.design == "morris":
        from SALib.analyze import morris

        res = morris.analyze(problem(sweep), sample(sweep).astype(float), y,
                             num_resamples=NUM_RESAMPLES, num_levels=sweep.levels, seed=seed)
        table = pd.DataFrame({"factor": names, **{k: np.asarray(res[k], float) for k in
                                                  ("mu", "mu_star", "sigma", "mu_star_conf")}})
        key, method = table["mu_star"], "morris"
        note = ("Morris elementary effects per unit of the factor's range fraction: mu_star "
                "(mean |effect|) ranks importance, sigma shows interaction or non-linearity")
    elif sweep.design == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(problem(sweep), y, calc_second_order=sweep.second_order,
                            num_resamples=NUM_RESAMPLES, seed=seed)
        table = pd.DataFrame({"factor": names, **{k: np.asarray(res[k], float) for k in
                                                  ("S1", "S1_conf", "ST", "ST_conf")}})
        key, method = table["ST"], "sobol"
        note = ("Sobol indices: S1 is the share of variance a factor explains alone, ST with "
                "all its interactions")
        if sweep.second_order:
            s2, conf = np.asarray(res["S2"], float), np.asarray(res["S2_conf"], float)
            extra["S2"] = [{"factor": names[i], "other": names[j], "S2": float(s2[i, j]),
                            "S2_conf": float(conf[i, j])}
                           for i in range(len(names)) for j in range(i + 1, len(names))]
    else:
        x = values[names].to_numpy(float)
        src, r2 = _src(x, y)
        prcc, p = _prcc(x, y)
        table = pd.DataFrame({"factor": names, "src": src, "prcc": prcc, "prcc_p": p})
        key, method = table["prcc"].abs(), "src-prcc"
        extra["r2"] = r2
        note = ("standardized regression coefficients (src; the linear fit explains "
                f"R² = {r2:.2f}) and partial rank correlation coefficients (prcc): monotone "
                "association, not shares of variance; use a morris or sobol design for those")
    order = np.argsort(-np.nan_to_num(key.to_numpy(float), nan=-np.inf), kind="stable")
    table = table.iloc[order].reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    table.attrs.update({"method": method, "metric": metric, "month": month,
                        "design": sweep.design, "points": len(values),
                        "replicates": sweep.replicates, "note": note, **extra})
    return table


def _standardize(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sd = a.std(axis=0)
    ok = sd > 0
    z = np.zeros_like(a, dtype=float)
    z[:, ok] = (a[:, ok] - a[:, ok].mean(axis=0)) / sd[ok]
    return z, ok


def _src(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Standardized regression coefficients and the R² of the linear fit."""
    src = np.full(x.shape[1], np.nan)
    if y.std() == 0:
        return src, float("nan")
    zx, ok = _standardize(x)
    zy = (y - y.mean()) / y.std()
    coef, *_ = np.linalg.lstsq(zx[:, ok], zy, rcond=None)
    src[ok] = coef
    fitted = zx[:, ok] @ coef
    r2 = 1.0 - float(np.sum((zy - fitted) ** 2) / np.sum(zy ** 2))
    return src, r2


def _prcc(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Partial rank correlation of each column of ``x`` with ``y``, and two-sided p-values."""
    from scipy import stats

    n, k = x.shape
    prcc = np.full(k, np.nan)
    pval = np.full(k, np.nan)
    rx = np.column_stack([stats.rankdata(x[:, j]) for j in range(k)]) if k else x
    ry = stats.rankdata(y)
    varied = [j for j in range(k) if np.ptp(rx[:, j]) > 0]
    dof = n - len(varied) - 1
    for j in varied:
        others = np.column_stack([np.ones(n)] + [rx[:, i] for i in varied if i != j])
        res_x = rx[:, j] - others @ np.linalg.lstsq(others, rx[:, j], rcond=None)[0]
        res_y = ry - others @ np.linalg.lstsq(others, ry, rcond=None)[0]
        sx, sy = np.sqrt(res_x @ res_x), np.sqrt(res_y @ res_y)
        if sx < PRECISION * n or sy < PRECISION * n:
            continue
        r = float(np.clip(res_x @ res_y / (sx * sy), -1.0, 1.0))
        prcc[j] = r
        if dof > 0:
            if abs(r) >= 1.0:
                pval[j] = 0.0
            else:
                t = r * math.sqrt(dof / (1.0 - r * r))
                pval[j] = float(2.0 * stats.t.sf(abs(t), dof))
    return prcc, pval
