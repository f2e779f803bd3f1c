"""The compiled evidence passes give exactly the beliefs and adoptions of their references.

Random cases (no programmes or one, programmes with no information, beliefs drawn from a few
values so that different programmes score the same, zeros of both signs and scores that are
not numbers, organisations with no ties, ties at the trust threshold, trials everywhere, in
some places or nowhere, levers as numbers or per organisation) go through each kernel and its
reference; the best candidate of each reviewer must be the one the reference's stable sort
picks.
"""

from __future__ import annotations

import numpy as np
import pytest
from kernel_cases import same

from missionsim.model import evidence_kernels, kernels
from missionsim.model.state import CHARITY, COUNCIL, DEPARTMENT, UNIT

CASES = 400

pytestmark = pytest.mark.skipif(not kernels.COMPILED, reason="numba is not in use")


def test_learning_gives_the_reference_beliefs():
    rng = np.random.default_rng(4001)
    for case_no in range(CASES):
        n = int(rng.choice([0, 1, 5, 300]))
        theta = rng.normal(0.0, 0.2, n)
        mean = rng.normal(0.0, 0.2, n)
        prec = rng.uniform(1.0, 50.0, n)
        z = rng.normal(0.0, 1.0, n)
        users = rng.choice([0.0, 0.0, 1.0, rng.uniform(0.0, 40.0)], n) * rng.random(n)
        info_u = users * rng.choice([0.0, 0.05])
        info = info_u + users * rng.choice([0.0, 0.5, 1.0])
        root = np.sqrt(np.maximum(info, 0.0))
        bias = float(rng.choice([0.0, 0.3]))
        ref_mean, ref_prec = mean.copy(), prec.copy()
        evidence_kernels.learn(False, theta, ref_mean, ref_prec, z, info_u, info, root, bias)
        evidence_kernels.learn(True, theta, mean, prec, z, info_u, info, root, bias)
        assert same(mean, ref_mean), case_no
        assert same(prec, ref_prec), case_no


def random_case(rng: np.random.Generator) -> tuple:
    """The arguments of :func:`evidence_kernels.adopt` for a random world."""
    n_places = int(rng.integers(1, 6))
    n = 3 + n_places + int(rng.choice([0, 1, 10, 200]))
    kind = np.full(n, CHARITY, dtype=np.int8)
    kind[:3] = DEPARTMENT
    kind[3:3 + n_places] = COUNCIL
    kind[3 + n_places:] = rng.choice([CHARITY, CHARITY, COUNCIL, DEPARTMENT], n - 3 - n_places)
    kind[2] = UNIT if rng.random() < 0.5 else DEPARTMENT
    active = rng.random(n) < rng.choice([1.0, 0.8])
    n_prog = int(rng.integers(1, n + 1))
    own = rng.integers(0, n_prog, n)
    programme = np.where(rng.random(n) < 0.4, rng.integers(0, n_prog, n), own)
    programme[:3] = own[:3] = -1
    rollout = np.where(rng.random(n) < 0.5, rng.random(n), rng.choice([1.0, 0.25], n))
    practice = rng.normal(0.0, 0.2, n)
    theta = rng.normal(0.0, 0.2, n_prog)
    values = [0.0, -0.0, 0.1, 0.2, -0.1, rng.normal(0.0, 0.2)]
    if rng.random() < 0.2:
        values.append(np.nan)
    mean = rng.choice(values, n_prog)
    sd = rng.choice([0.1, 0.2, rng.uniform(0.05, 0.5)], n_prog)
    draw = rng.random(n)
    spread = rng.choice([0.0, 1.0, 30.0], n) * rng.random(n)
    innovation = [0.0, 5.0, spread][int(rng.integers(0, 3))]
    trials = [0.0, 1.0, rng.choice([0.0, 0.5, 1.0], n)][int(rng.integers(0, 3))]
    n_edges = int(rng.choice([0, 1, 20, 600]))
    net_u = rng.integers(0, n, n_edges)
    net_v = rng.integers(0, n, n_edges)
    keep = net_u != net_v
    net_u, net_v = net_u[keep], net_v[keep]
    trust = rng.choice([0.3, 0.5, 0.9, rng.random()], net_u.size)
    par = (float(rng.choice([0.03, 0.3, 1.0])), float(rng.choice([0.0, 1.0, 1.5])),
           float(rng.choice([0.0, 1.0])), float(rng.choice([-1.0, 0.0, 0.15, 1.0])), 0.5,
           float(rng.choice([0.0, 0.02, -0.05])), float(rng.choice([0.25, 0.5])),
           float(rng.choice([0.0, 0.3])))
    return (draw, innovation, trials, kind, active, programme, own, rollout, practice, theta,
            mean, sd, net_u, net_v, trust, par)


def test_adoption_gives_the_reference_adoptions():
    rng = np.random.default_rng(4002)
    adopted = 0
    for case_no in range(CASES):
        args = random_case(rng)
        ref_args = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
        ref = evidence_kernels.adopt(False, *ref_args)
        got = evidence_kernels.adopt(True, *args)
        assert got == ref, case_no
        for i in (5, 7, 8):  # programme, rollout, practice: changed in place
            assert same(args[i], ref_args[i]), (case_no, i)
        adopted += ref
    assert adopted > CASES  # organisations did adopt: the choice was exercised


def test_equal_scores_go_to_the_earliest_candidate():
    # council 3 sees programmes 2 and 1, scoring the same, on the v end of the first tie and
    # the u end of the second: the reference sorts the u ends first, so programme 1 wins
    kind = np.array([DEPARTMENT, CHARITY, CHARITY, COUNCIL], dtype=np.int8)
    active = np.ones(4, dtype=bool)
    programme = np.array([-1, 1, 2, 0])
    mean = np.array([0.0, 0.3, 0.3, 0.3])
    net_u, net_v = np.array([2, 3]), np.array([3, 1])
    par = (1.0, 0.0, 0.0, -1.0, 0.5, 0.0, 0.25, 0.0)
    for compiled in (False, True):
        prog, rollout = programme.copy(), np.ones(4)
        n = evidence_kernels.adopt(compiled, np.zeros(4), 0.0, 0.0, kind, active, prog,
                                   programme.copy(), rollout, np.zeros(4), mean, mean,
                                   np.full(4, 0.1), net_u, net_v, np.ones(2), par)
        assert n == 1
        assert prog.tolist() == [-1, 1, 2, 1]
        assert rollout.tolist() == [1.0, 1.0, 1.0, 0.25]
