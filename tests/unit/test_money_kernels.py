"""The compiled passes of the annual budget give exactly the results of their NumPy references.

Random tie lists (none, ties in both directions, ties between other kinds and across places,
several ties between one charity and its council) go through each kernel and its reference,
which must return identical arrays.
"""

from __future__ import annotations

import numpy as np
import pytest
from kernel_cases import same

from missionsim.model import kernels
from missionsim.model import money_kernels as mk
from missionsim.model.network import CONTRACT, COORDINATION, PARTNERSHIP
from missionsim.model.state import CHARITY, COUNCIL, DEPARTMENT

CASES = 300

pytestmark = pytest.mark.skipif(not kernels.COMPILED, reason="numba is not in use")


def test_council_trust():
    rng = np.random.default_rng(5001)
    for case_no in range(CASES):
        n = int(rng.choice([1, 2, 9, 80]))
        n_places = int(rng.integers(1, 6))
        kind = rng.choice(np.array([CHARITY, COUNCIL, DEPARTMENT], dtype=np.int8), n)
        locality = rng.integers(0, n_places, n)
        n_edges = int(rng.choice([0, 1, 5, 300]))
        u, v = rng.integers(0, n, n_edges), rng.integers(0, n, n_edges)
        trust = rng.random(n_edges)
        trust[rng.random(n_edges) < 0.1] = 0.0
        got = mk.council_trust(True, u, v, trust, kind, locality, n)
        want = mk.council_trust(False, u, v, trust, kind, locality, n)
        assert same(got, want), case_no


def test_tie_kinds():
    rng = np.random.default_rng(5002)
    for case_no in range(CASES):
        n = int(rng.choice([1, 2, 9, 80]))
        n_places = int(rng.integers(1, 6))
        kind = rng.choice(np.array([CHARITY, COUNCIL, DEPARTMENT], dtype=np.int8), n)
        locality = rng.integers(0, n_places, n)
        n_edges = int(rng.choice([0, 1, 5, 300]))
        u, v = rng.integers(0, n, n_edges), rng.integers(0, n, n_edges)
        tie_kind = rng.choice(np.array([CONTRACT, PARTNERSHIP, COORDINATION], dtype=np.int8),
                              n_edges)
        contract = rng.random(n) * (rng.random(n) < 0.5)
        got = mk.tie_kinds(True, u, v, tie_kind, kind, locality, contract)
        want = mk.tie_kinds(False, u, v, tie_kind, kind, locality, contract)
        assert same(got[0], want[0]) and same(got[1], want[1]), case_no


def test_notice_cuts():
    rng = np.random.default_rng(5003)
    for case_no in range(CASES):
        n = int(rng.choice([1, 2, 9, 80]))
        funded = rng.integers(0, 40, n)
        slots = rng.choice(n, int(rng.integers(0, n + 1)), replace=False)
        targets = np.maximum(0, funded[slots] + rng.integers(-45, 10, slots.size))
        months = float(rng.choice([1.0, 1.5, 3.0, 7.0, rng.uniform(1.0, 24.0)]))
        got = mk.notice_cuts(True, funded, slots, targets, months)
        want = mk.notice_cuts(False, funded, slots, targets, months)
        assert same(got, want), case_no
