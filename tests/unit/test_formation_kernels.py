"""Compiled tie formation gives exactly the ties of its reference.

Random worlds (places with one organisation or many, organisations with no ties, with ties only
to non-delivering partners, with ties to every other, draws at the route boundaries, with and
without a Missions Unit, odds above 1) go through the kernels and the references: the
formation alone and the whole month's exploration (who delivers and explores, levers as
numbers or per organisation); the grouping by a stable counting sort must order slots as
NumPy's stable ``argsort`` does.
"""

from __future__ import annotations

import numpy as np
import pytest
from kernel_cases import DEPARTMENTS, organisations, same

from missionsim.model import formation_kernels, kernels
from missionsim.model.state import CHARITY, COUNCIL, DEPARTMENT

CASES = 300

pytestmark = pytest.mark.skipif(not kernels.COMPILED, reason="numba is not in use")


def test_grouping_orders_as_a_stable_argsort():
    rng = np.random.default_rng(3001)
    for case_no in range(CASES):
        n_keys = int(rng.integers(1, 30))
        size = int(rng.choice([0, 1, 5, 400]))
        keys = rng.integers(0, n_keys, size)
        members = rng.integers(0, 1_000, size)
        ref = formation_kernels.group(False, keys, members, n_keys)
        got = formation_kernels.group(True, keys, members, n_keys)
        for r, g in zip(ref, got, strict=True):
            assert same(g, r), case_no


def random_world(rng: np.random.Generator) -> tuple:
    """The arguments of :func:`formation_kernels.form` for a random world."""
    n_places = int(rng.integers(1, 8))
    n_dept = DEPARTMENTS
    n, kind, locality = organisations(rng, n_places, int(rng.integers(0, 40)))
    delivering = kind != DEPARTMENT
    delivering[n_dept + n_places:] &= rng.random(n - n_dept - n_places) < 0.9
    n_edges = int(rng.choice([0, 3, 30, 200]))
    u = rng.integers(0, n, n_edges)
    v = rng.integers(0, n, n_edges)
    keep = u != v
    u, v = u[keep], v[keep]
    sec = np.where(kind == CHARITY, 2, np.where(kind == COUNCIL, 1, 0)).astype(np.int64)
    starts, adjacent = formation_kernels.group(False, np.concatenate([u, v]),
                                          np.concatenate([v, u]), n)
    loc_starts, loc_slots = formation_kernels.group(False, locality[delivering],
                                               np.flatnonzero(delivering), n_places)
    draws = rng.random((5, n))
    draws[1] = rng.choice([0.0, 0.3, 0.5, 0.7, 0.999, rng.random()], n)
    explorers = np.flatnonzero(delivering & (rng.random(n) < 0.7))
    brokered = rng.choice([0.0, 0.3, 0.5], n)
    drive = rng.random(n)
    mobilised = rng.random(n)
    unit = bool(rng.random() < 0.5)
    par = (float(rng.uniform(0.2, 3.0)), float(rng.uniform(0.3, 1.0)), 0.5,
           float(rng.uniform(0.2, 1.0)), float(rng.random()), float(rng.random()), unit,
           float(rng.uniform(1.0, 2.0)))
    council = np.arange(n_places) + n_dept
    return (explorers, draws, kind, locality, delivering, sec, rng.uniform(0.0, 1.0, n_places),
            council, loc_starts, loc_slots, starts, adjacent, brokered, drive, mobilised, par)


def test_formation_gives_the_reference_ties():
    rng = np.random.default_rng(3002)
    formed = 0
    for case_no in range(CASES):
        args = random_world(rng)
        ref = formation_kernels.form(False, *args)
        got = formation_kernels.form(True, *args)
        for r, g in zip(ref, got, strict=True):
            assert same(g, r), case_no
        formed += ref[0].size
    assert formed > CASES  # ties did form: the acceptance was exercised




def test_exploration_gives_the_reference_ties():
    rng = np.random.default_rng(3006)
    formed = 0
    for case_no in range(CASES):
        (_, draws, kind, locality, delivering, _, cap, council, _, _, _, _, _, drive, mobilised,
         par) = random_world(rng)
        n = kind.size
        active = delivering | (rng.random(n) < 0.5)
        u_ends = rng.integers(0, n, int(rng.choice([0, 3, 30, 200])))
        v_ends = rng.integers(0, n, u_ends.size)
        keep = u_ends != v_ends
        u_ends, v_ends = u_ends[keep], v_ends[keep]
        draws[0] = rng.choice([0.0, 0.05, 0.5, rng.random()], n)
        if rng.random() < 0.5:
            drive = float(rng.choice([0.0, rng.random()]))
        if rng.random() < 0.5:
            mobilised = float(rng.choice([0.0, rng.random()]))
        explore_par = (float(rng.choice([0.0, 0.3, 1.0])), float(rng.random()),
                       float(rng.random()))
        sector_of_kind = np.array([0, 1, 2, 0])
        args = (draws, kind, active, locality, u_ends, v_ends, sector_of_kind, cap, council,
                drive, mobilised, explore_par, par)
        ref = formation_kernels.explore(False, *args)
        got = formation_kernels.explore(True, *args)
        for r, g in zip(ref, got, strict=True):
            assert same(g, r), case_no
        formed += ref[0].size
    assert formed > CASES  # ties did form: the acceptance was exercised
