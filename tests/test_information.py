"""EVPI and EVPPI (regression method) against a brute-force nested Monte Carlo on a toy decision.

Two options whose net benefits depend on θ1 ~ Normal(0, 1) and θ2 ~ Uniform(0, 1):

    NB_A = 0.2 + θ1 + 0.5 θ2        NB_B = 1.5 θ2² + 0.3 θ1 + 0.1

Nested Monte Carlo takes K outer draws of the parameter of interest and, for each, J inner draws
of the other to estimate E(NB_d | θ_i) (both stratified: one draw in each of K or J
equal-probability strata); the regression estimate (one sample of 20,000 draws) must agree within
TOLERANCE (absolute, in net-benefit units: 5% of the EVPPI of θ1, 20% of that of θ2), which
covers both estimators' Monte Carlo error at these sizes (about 0.003 apart).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from missionsim.analysis.robustness.information import (
    evpi,
    evppi,
    evppi_table,
    noise_floor,
    smooth_fit,
)

TOLERANCE = 0.01
N = 20_000
OUTER, INNER = 2_000, 2_000


def net_benefit(t1, t2):
    return np.stack([0.2 + t1 + 0.5 * t2, 1.5 * t2 ** 2 + 0.3 * t1 + 0.1], axis=-1)


def nested(which: int, seed: int = 1) -> float:
    """Brute-force EVPPI of θ1 (which = 0) or θ2 (which = 1)."""
    rng = np.random.default_rng(seed)
    strata = (np.arange(OUTER) + rng.uniform(size=OUTER)) / OUTER  # one draw per stratum
    if which == 0:
        outer = norm.ppf(strata)[:, None]
        inner = ((np.arange(INNER) + rng.uniform(size=INNER)) / INNER)[None, :]
        nb = net_benefit(np.broadcast_to(outer, (OUTER, INNER)),
                         np.broadcast_to(inner, (OUTER, INNER)))
    else:
        outer = strata[:, None]
        inner = norm.ppf((np.arange(INNER) + rng.uniform(size=INNER)) / INNER)[None, :]
        nb = net_benefit(np.broadcast_to(inner, (OUTER, INNER)),
                         np.broadcast_to(outer, (OUTER, INNER)))
    conditional = nb.mean(axis=1)  # OUTER × options
    return float(conditional.max(axis=1).mean() - conditional.mean(axis=0).max())


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(7)
    t1, t2 = rng.normal(size=N), rng.uniform(size=N)
    return t1, t2, net_benefit(t1, t2)


@pytest.mark.parametrize("which", [0, 1])
def test_regression_evppi_matches_nested_monte_carlo(sample, which):
    t1, t2, nb = sample
    got = evppi((t1, t2)[which], nb)
    want = nested(which)
    assert want > 0.03
    assert got == pytest.approx(want, abs=TOLERANCE)


def test_evppi_lies_between_zero_and_the_evpi(sample):
    t1, t2, nb = sample
    total = evpi(nb)
    assert total == pytest.approx(nb.max(axis=1).mean() - nb.mean(axis=0).max())
    for theta in (t1, t2):
        assert 0 <= evppi(theta, nb) <= total + 1e-9
    noise = np.random.default_rng(3).uniform(size=N)
    assert evppi(noise, nb) < 0.005
    assert 0 <= noise_floor(nb, draws=5) < 0.005


def test_a_dominated_decision_is_worth_nothing_to_learn():
    rng = np.random.default_rng(2)
    theta = rng.uniform(size=500)
    nb = np.stack([theta + 5.0, theta], axis=1)
    assert evpi(nb) == pytest.approx(0.0)
    assert evppi(theta, nb) == pytest.approx(0.0, abs=1e-9)


def test_whole_number_parameters_get_one_mean_per_value():
    theta = np.repeat([1.0, 2.0, 3.0], 5)
    y = np.arange(15.0)[:, None] ** 2
    fitted = smooth_fit(theta, y)
    np.testing.assert_allclose(fitted[:, 0], np.repeat([6.0, 51.0, 146.0], 5))


def test_small_samples_get_a_straight_line():
    theta = np.linspace(0.0, 1.0, 12)
    y = np.stack([2.0 * theta + 1.0, theta ** 2], axis=1)
    fitted = smooth_fit(theta, y)
    np.testing.assert_allclose(fitted[:, 0], y[:, 0])
    slope, intercept = np.polyfit(theta, y[:, 1], 1)
    np.testing.assert_allclose(fitted[:, 1], slope * theta + intercept)


def test_the_table_orders_factors_and_records_the_evpi(sample):
    t1, t2, nb = sample
    table = evppi_table(pd.DataFrame({"t1": t1, "t2": t2}), pd.DataFrame(nb, columns=["A", "B"]),
                        {"t1": "assumption"})
    assert list(table.index) == ["t1", "t2"]
    assert table.attrs["evpi"] == pytest.approx(evpi(nb))
    assert (table["share"] <= 1).all() and table.loc["t1", "role"] == "assumption"
    with pytest.raises(ValueError, match="two options"):
        evpi(nb[:, :1])
