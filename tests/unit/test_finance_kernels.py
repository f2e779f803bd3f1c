"""The compiled monthly money flows give exactly the results of their NumPy references.

Random worlds (no charities, one organisation, councils with nothing due, balances and
reserves negative, zero of either sign and equal to what is due, donations at zero, ties that
do not pool, trust at the pooling threshold, donors giving more than their surplus) go through
each kernel and its reference, which must return and leave identical arrays.
"""

from __future__ import annotations

import numpy as np
import pytest
from kernel_cases import same

from missionsim.model import finance_kernels as fk
from missionsim.model import kernels
from missionsim.model.network import CONTRACT, PARTNERSHIP
from missionsim.model.state import CHARITY, COUNCIL, DEPARTMENT

CASES = 300

pytestmark = pytest.mark.skipif(not kernels.COMPILED, reason="numba is not in use")


def values(rng: np.random.Generator, n: int, scale: float = 1.0) -> np.ndarray:
    """Random reals of both signs with zeros of both signs, repeats and exact ties."""
    x = rng.normal(0.0, scale, n)
    pick = rng.random(n)
    x[pick < 0.1] = 0.0
    x[(pick >= 0.1) & (pick < 0.15)] = -0.0
    x[(pick >= 0.15) & (pick < 0.2)] = scale
    return x


def world(rng: np.random.Generator) -> dict:
    """A random set of organisations and places."""
    n_places = int(rng.integers(1, 12))
    n = int(rng.choice([1, 3, n_places + 4, n_places + 60]))
    kind = rng.choice(np.array([CHARITY, COUNCIL, DEPARTMENT], dtype=np.int8), n)
    if rng.random() < 0.1:
        kind[:] = COUNCIL  # no charities
    return dict(n=n, n_places=n_places, kind=kind, active=rng.random(n) < 0.8,
                locality=rng.integers(0, n_places, n),
                filled=rng.integers(0, 6, n) * (rng.random(n) < 0.8))


def test_income_and_crisis_demand():
    rng = np.random.default_rng(4001)
    for case_no in range(CASES):
        n = int(rng.choice([0, 1, 7, 150]))
        parts = [np.abs(values(rng, n)) for _ in range(5)]
        fm = float(rng.choice([1.0, 0.9, rng.random()]))
        assert same(fk.council_income(True, parts[0], fm, *parts[1:]),
                    fk.council_income(False, parts[0], fm, *parts[1:])), case_no
        y0 = values(rng, n)
        best = np.where(rng.random(n) < 0.2, y0, values(rng, n))  # at its best: no gap
        y = np.where(rng.random(n) < 0.2, y0, values(rng, n))
        args = (np.abs(values(rng, n)), best, y0, y, int(rng.choice([-1, 1])),
                float(rng.choice([1.0, 1.3])), float(rng.random()))
        assert same(fk.crisis_demand(True, *args), fk.crisis_demand(False, *args)), case_no


def test_councils_pay_as_the_reference():
    rng = np.random.default_rng(4002)
    for case_no in range(CASES):
        w = world(rng)
        n_places, n = w["n_places"], w["n"]
        contract = np.abs(values(rng, n)) * (rng.random(n) < 0.7)
        income = np.abs(values(rng, n_places, 12.0))
        crisis = np.abs(values(rng, n_places))
        balance = values(rng, n_places, 2.0)
        balance[rng.random(n_places) < 0.2] = -income[0] / 12.0
        slots = rng.integers(0, n, n_places)
        bill = float(rng.choice([0.0, 0.1, rng.random()]))
        args = (income, crisis, balance, contract, w["kind"], w["active"], w["locality"],
                w["filled"], slots, bill)
        got, ref = fk.councils(True, *args), fk.councils(False, *args)
        for g, r in zip(got, ref, strict=True):
            assert same(g, r), case_no


def test_charity_books_as_the_reference():
    rng = np.random.default_rng(4003)
    for case_no in range(CASES):
        w = world(rng)
        n = w["n"]
        charities = np.flatnonzero((w["kind"] == CHARITY) & w["active"])
        donations = np.abs(values(rng, n, 0.05))
        donations[rng.random(n) < 0.1] = 0.0
        arrays = dict(donations0=np.abs(values(rng, n, 0.05)),
                      mobilisation=np.clip(values(rng, n), 0.0, 1.0),
                      shocks=rng.standard_normal(n), grant=np.abs(values(rng, n)),
                      contract=np.abs(values(rng, n)), frac=np.clip(values(rng, w["n_places"]),
                                                                    0.0, 1.0))
        reserves = values(rng, n)
        par = (float(rng.random()), float(rng.random()), float(rng.random()))
        bill = float(rng.choice([0.0, 0.02]))
        out = []
        for compiled in (True, False):
            d, r = donations.copy(), reserves.copy()
            res = fk.charity_books(compiled, charities, d, arrays["donations0"],
                                   arrays["mobilisation"], arrays["shocks"], r, arrays["grant"],
                                   arrays["contract"], arrays["frac"], w["locality"], w["filled"],
                                   bill, par)
            out.append((d, r, *res))
        for g, r in zip(*out, strict=True):
            assert same(g, r), case_no


def test_pooling_as_the_reference():
    rng = np.random.default_rng(4004)
    pooled = 0
    for case_no in range(CASES):
        w = world(rng)
        n = w["n"]
        w["kind"] = rng.choice(np.array([CHARITY, COUNCIL], dtype=np.int8), n, p=[0.8, 0.2])
        n_ties = int(rng.choice([0, 1, 5, 4 * n]))
        u, v = rng.integers(0, n, n_ties), rng.integers(0, n, n_ties)
        tie_kind = rng.choice(np.array([CONTRACT, PARTNERSHIP], dtype=np.int8), n_ties,
                              p=[0.2, 0.8])
        trust = rng.choice([0.4, rng.random()], n_ties)
        charities = np.flatnonzero((w["kind"] == CHARITY) & w["active"])
        cost = np.abs(values(rng, charities.size, 0.1))
        reserves = values(rng, n, 0.5)
        reserves[rng.random(n) < 0.1] = 3.0 * 0.1  # at the donor threshold exactly
        par = (0.4, float(rng.choice([3.0, 1.0])), 1.0, float(rng.choice([0.1, 1.0, 5.0])))
        out = []
        for compiled in (True, False):
            r = reserves.copy()
            flows = fk.pool(compiled, u, v, tie_kind, trust, w["kind"], w["active"], r,
                            charities, cost, par)
            out.append((r, flows))
        (r_got, f_got), (r_ref, f_ref) = out
        assert same(r_got, r_ref), case_no
        assert (f_got is None) == (f_ref is None), case_no
        if f_ref is not None:
            pooled += 1
            assert same(f_got[0], f_ref[0]) and same(f_got[1], f_ref[1]), case_no
    assert pooled > CASES // 3


def test_distress_and_founding_as_the_reference():
    rng = np.random.default_rng(4005)
    for case_no in range(CASES):
        w = world(rng)
        n = w["n"]
        charities = np.flatnonzero((w["kind"] == CHARITY) & w["active"])
        k = charities.size
        cost = np.abs(values(rng, k, 0.1))
        income = np.where(rng.random(k) < 0.2, cost, np.abs(values(rng, k, 0.1)))
        reserves = values(rng, n, 0.2)
        args = (charities, reserves, income, cost, float(rng.choice([0.01, 0.03])),
                float(rng.choice([0.0, 0.02])), 0.25)
        for g, r in zip(fk.distress(True, *args), fk.distress(False, *args), strict=True):
            assert same(g, r), case_no
        u = rng.random(n)
        u[rng.random(n) < 0.2] = 1.0 / 24.0  # at the founding rate exactly
        args = (w["kind"], w["active"], u, np.clip(values(rng, n), 0.0, 1.0),
                float(rng.choice([0.0, 0.5])), 24.0)
        assert same(fk.founders(True, *args), fk.founders(False, *args)), case_no
