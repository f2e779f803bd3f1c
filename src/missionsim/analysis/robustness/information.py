"""The value of information: EVPI and EVPPI by the regression method.

A decision picks one option ``d`` (here: which reform, at equal cost) whose net benefit
``NB_d(θ)`` depends on uncertain parameters θ. With a probabilistic sample ``θ_s`` and the
net benefit of every option at each draw:

- **EVPI**, the expected value of perfect information, is
  ``mean_s max_d NB_d,s − max_d mean_s NB_d,s``: what knowing everything would gain on average.
- **EVPPI** of one parameter θ_i is ``E[max_d E(NB_d | θ_i)] − max_d E(NB_d)``: what knowing
  θ_i alone would gain. Following Strong, Oakley & Brennan (2014, *Medical Decision Making*
  34:311–326), ``E(NB_d | θ_i)`` is estimated by regressing each option's net benefit on θ_i
  with a smooth, here ordinary least squares on a cubic B-spline basis (patsy's ``bs()``,
  :data:`SPLINE_DF` degrees of freedom, knots at quantiles) with an intercept; a parameter
  with few distinct values (a whole-number one) gets one mean per value instead, and a
  sample too small for the spline a straight line (:func:`smooth_fit`). Then
  ``EVPPI_i = mean_s max_d ĝ_d(θ_i,s) − max_d mean_s ĝ_d(θ_i,s)``; with an intercept the
  second term equals that of the EVPI, so EVPPI ≤ EVPI up to the fit's noise.

Both are in the units of the net benefit (here percentage points of the mission's outcome).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

SPLINE_DF = 5
"""Degrees of freedom of the cubic B-spline of each regression (without the intercept)."""
DISCRETE = 8
"""A parameter with at most this many distinct values is fitted by one mean per value."""
PER_VALUE = 5
"""Fewest draws at each value for one mean per value."""
FLOOR_DRAWS = 20
"""Random parameters whose mean EVPPI is the noise floor."""
PER_DF = 20
"""Fewest draws per degree of freedom for the spline (else a straight line)."""


def evpi(nb: np.ndarray) -> float:
    """Expected value of perfect information from a sample of net benefits (draws × options)."""
    nb = _matrix(nb)
    return float(nb.max(axis=1).mean() - nb.mean(axis=0).max())


def smooth_fit(theta: np.ndarray, y: np.ndarray, df: int = SPLINE_DF) -> np.ndarray:
    """Fitted values of ``y`` (draws × options) regressed on one parameter ``theta``.

    Least squares for every option at once, with an intercept, on: one indicator per value
    when ``theta`` takes at most :data:`DISCRETE` distinct values, each seen at least
    :data:`PER_VALUE` times; else a cubic B-spline basis (patsy ``bs(theta, df, degree=3)``)
    when there are at least :data:`PER_DF` draws per degree of freedom; else a straight line
    (small samples, where a spline would fit noise).
    """
    theta = np.asarray(theta, float)
    y = np.asarray(y, float)
    if y.ndim == 1:
        y = y[:, None]
    values, where, counts = np.unique(theta, return_inverse=True, return_counts=True)
    if len(values) == 1:
        return np.broadcast_to(y.mean(axis=0), y.shape).copy()
    if len(values) <= DISCRETE and counts.min() >= PER_VALUE:
        sums = np.zeros((len(values), y.shape[1]))
        np.add.at(sums, where, y)
        return (sums / counts[:, None])[where]
    if len(values) > df + 1 and len(theta) >= PER_DF * df:
        import patsy

        basis = np.asarray(patsy.dmatrix(f"bs(x, df={int(df)}, degree=3)", {"x": theta},
                                         return_type="matrix"))
    else:
        basis = np.column_stack([np.ones_like(theta), theta])
    coef, *_ = np.linalg.lstsq(basis, y, rcond=None)
    return basis @ coef


def evppi(theta: np.ndarray, nb: np.ndarray, df: int = SPLINE_DF) -> float:
    """EVPPI of one parameter by the regression method (Strong, Oakley & Brennan 2014).

    Args:
        theta: The parameter's value at each draw.
        nb: Net benefit of each option at each draw (draws × options).
        df: Degrees of freedom of the spline.

    Returns:
        ``mean_s max_d ĝ_d(θ_s) − max_d mean_s ĝ_d(θ_s)``, at least 0.
    """
    nb = _matrix(nb)
    if len(theta) != len(nb):
        raise ValueError(f"theta has {len(theta)} draws, the net benefits {len(nb)}")
    fitted = smooth_fit(theta, nb, df)
    return max(0.0, float(fitted.max(axis=1).mean() - fitted.mean(axis=0).max()))


def noise_floor(nb: np.ndarray, draws: int = FLOOR_DRAWS, seed: int = 0) -> float:
    """The EVPPI the regression gives a parameter that has no bearing on the net benefits.

    The mean EVPPI of ``draws`` independent uniform random "parameters" on the same net
    benefits: the upward bias of the estimator at this sample size (it fits some noise). An
    EVPPI near it cannot be told from no information.
    """
    nb = _matrix(nb)
    rng = np.random.default_rng(seed)
    return float(np.mean([evppi(rng.uniform(size=len(nb)), nb) for _ in range(int(draws))]))


def evppi_table(sample: pd.DataFrame, nb: pd.DataFrame,
                roles: Mapping[str, str] | None = None) -> pd.DataFrame:
    """EVPPI of every column of ``sample`` for the options in ``nb`` (rows paired by draw).

    Returns:
        Index ``factor``, largest first; columns ``evppi`` (at most the EVPI: learning one
        factor cannot be worth more than learning all, so an estimate above it, which small
        samples can give, is cut to it), ``share`` (of the EVPI) and ``role``.
        ``attrs["evpi"]`` holds the EVPI and ``attrs["floor"]`` the :func:`noise_floor`.
    """
    y = nb.to_numpy(float)
    total = evpi(y)
    rows = [{"factor": name, "evppi": min(total, evppi(sample[name].to_numpy(float), y))}
            for name in sample.columns]
    table = pd.DataFrame(rows).set_index("factor")
    table["share"] = table["evppi"] / total if total > 0 else 0.0
    table["role"] = [(roles or {}).get(n, "") for n in table.index]
    table = table.sort_values("evppi", ascending=False, kind="stable")
    table.attrs["evpi"] = total
    table.attrs["floor"] = min(total, noise_floor(y))
    return table


def _matrix(nb: np.ndarray) -> np.ndarray:
    nb = np.asarray(nb, float)
    if nb.ndim != 2 or nb.shape[1] < 2 or len(nb) < 2:
        raise ValueError("expected net benefits of at least two options at two or more draws")
    return nb
