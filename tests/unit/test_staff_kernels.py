"""Compiled passes over the staff posts, and the weighted mean, give the reference results.

Random staffs (every post status, employers of every kind, places with and without posts,
programme ids repeated and unused, weights of zero) go through each kernel and its reference;
the results must be equal bit for bit. Whole runs with and without the kernels are compared
in ``test_kernels.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from kernel_cases import same

from missionsim.model import kernels, staff_kernels
from missionsim.model.state import CHARITY, COUNCIL, DEPARTMENT, FILLED

CASES = 300

pytestmark = pytest.mark.skipif(not kernels.COMPILED, reason="numba is not in use")


def random_staff(rng: np.random.Generator) -> dict:
    """Posts of a random staff: employers, places, status, morale and skill."""
    n = int(rng.choice([0, 1, 7, 300, 2_000]))
    n_orgs, n_places = int(rng.integers(1, 60)), int(rng.integers(1, 25))
    status = rng.integers(0, 3, n).astype(np.int8)
    if rng.random() < 0.2:
        status[:] = FILLED
    org, loc = rng.integers(0, n_orgs, n), rng.integers(0, n_places, n)
    if rng.random() < 0.4:  # posts of one employer together, as a built staff mostly has them
        org = np.sort(org)
        loc = rng.integers(0, n_places, n_orgs)[org]
    morale = rng.random(n)
    if rng.random() < 0.3:  # what a post not in post holds is never read
        morale[status != FILLED] = np.nan
    return {
        "n": n, "n_orgs": n_orgs, "n_places": n_places, "status": status, "org": org,
        "loc": loc, "morale": morale, "skill": rng.uniform(0.3, 1.2, n),
    }


def from_the_end(rng: np.random.Generator, index: np.ndarray, n: int) -> np.ndarray:
    """``index`` with some entries counted from the end (negative), as NumPy reads them."""
    if rng.random() < 0.7:
        return index
    return np.where(rng.random(index.size) < 0.3, index - n, index)


def test_delivery_gives_the_reference_sums():
    rng = np.random.default_rng(2001)
    for case_no in range(CASES):
        c = random_staff(rng)
        args = (c["status"], c["loc"], from_the_end(rng, c["org"], c["n_orgs"]), c["morale"],
                c["skill"], rng.uniform(0.5, 1.5, c["n_places"]),
                rng.uniform(0.0, 1.0, c["n_places"]),
                rng.uniform(0.2, 1.4, c["n_orgs"]), rng.uniform(0.0, 1.0, c["n_orgs"]),
                rng.random(c["n_orgs"]) < 0.6, c["n_places"], float(rng.random()))
        ref = staff_kernels.delivery(False, *args)
        got = staff_kernels.delivery(True, *args)
        for r, g in zip(ref, got, strict=True):
            assert same(g, r), case_no


def lever(rng: np.random.Generator, n: int):
    """A lever as a number or as an array over ``n`` places (a targeted reform)."""
    if rng.random() < 0.5:
        return float(rng.choice([0.0, 1.0, rng.random()]))
    return rng.choice([0.0, 0.5, 1.0, rng.random()], n)


def test_the_months_delivery_gives_the_reference_delivery_volunteers_and_reach():
    rng = np.random.default_rng(2008)
    for case_no in range(CASES):
        c = random_staff(rng)
        n_orgs, n_places = c["n_orgs"], c["n_places"]
        kind = rng.choice([DEPARTMENT, COUNCIL, CHARITY], n_orgs).astype(np.int8)
        locality = np.where(kind == DEPARTMENT, -1, rng.integers(0, n_places, n_orgs))
        punitive = lever(rng, n_places)
        at_orgs = punitive if np.ndim(punitive) == 0 else np.where(
            locality >= 0, punitive[np.maximum(locality, 0)], 0.25)
        orgs = (rng.uniform(-2.0, 2.0, n_orgs), kind, locality, rng.random(n_orgs) < 0.8,
                at_orgs)
        n_edges = int(rng.choice([0, 1, 7, 400]))
        cross = rng.random(n_edges) < 0.5
        cross.setflags(write=False)  # read-only, as the network keeps it
        ties = (rng.integers(0, n_orgs, n_edges), rng.integers(0, n_orgs, n_edges),
                rng.choice([0.0, 1.0, 0.5, rng.random()], n_edges) * rng.uniform(1.0, 30.0),
                cross)
        places = (rng.choice([0.0, rng.uniform(0.0, 40.0)], n_places), rng.random(n_places),
                  rng.uniform(0.1, 500.0, n_places), float(rng.choice([1.0, 1.3])),
                  None if rng.random() < 0.5 else rng.uniform(0.3, 3.0, n_places))
        levers = tuple(lever(rng, n_places) for _ in range(5))
        par = (*rng.uniform(0.0, 1.0, 5), *rng.uniform(0.0, 3.0, 14))  # nineteen parameters
        args = ((c["status"], c["loc"], c["org"], c["morale"], c["skill"]), orgs, ties, places,
                levers, par)
        ref = staff_kernels.month_delivery(False, *args)
        got = staff_kernels.month_delivery(True, *args)
        assert len(ref) == len(got) == 3, case_no
        for r, g in zip(ref, got, strict=True):
            assert same(g, r), case_no


@pytest.mark.parametrize("weighted", [False, True])
def test_information_gives_the_reference_information(weighted):
    rng = np.random.default_rng(2002 + weighted)
    for case_no in range(CASES):
        c = random_staff(rng)
        n_prog = int(rng.integers(1, 40))
        trials = (rng.choice([0.0, 0.5, 1.0], c["n_places"]) if weighted
                  else float(rng.choice([0.0, 1.0, rng.random()])))
        loc = from_the_end(rng, c["loc"], c["n_places"]) if weighted else c["loc"]
        args = (c["status"], loc, from_the_end(rng, c["org"], c["n_orgs"]),
                rng.random(c["n_orgs"]), rng.integers(0, n_prog, c["n_orgs"]),
                rng.integers(0, n_prog, c["n_orgs"]), trials, n_prog,
                float(rng.uniform(0.0, 2.0)), float(rng.uniform(0.0, 20.0)))
        ref = staff_kernels.information(False, *args)
        got = staff_kernels.information(True, *args)
        assert len(ref) == len(got) == 3, case_no
        for r, g in zip(ref, got, strict=True):
            assert same(g, r), case_no


def test_counts_in_post_are_bincounts():
    rng = np.random.default_rng(2005)
    for case_no in range(CASES):
        c = random_staff(rng)
        minlength = int(rng.integers(0, 30))  # shorter than the top key, or longer
        for keys in (c["org"], c["loc"]):
            assert same(staff_kernels.count_in_post(True, c["status"], keys, minlength),
                        staff_kernels.count_in_post(False, c["status"], keys, minlength)), \
                case_no


def test_morale_targets_are_the_reference_targets():
    rng = np.random.default_rng(2006)
    # not -0.0: whether NumPy's clip keeps its sign depends on its SIMD path; the model never
    # makes one (a difference of equal values is +0.0)
    edges = np.array([0.0, 1.0, 0.5, np.nan])
    for case_no in range(CASES):
        c = random_staff(rng)
        place = rng.uniform(-0.5, 1.5, c["n_places"])
        employer = np.where(rng.random(c["n_orgs"]) < 0.5, 0.0, rng.uniform(-0.2, 0.6,
                                                                             c["n_orgs"]))
        place[rng.random(c["n_places"]) < 0.2] = rng.choice(edges)
        got = kernels.staff_target(True, place, employer, c["loc"], c["org"])
        ref = kernels.staff_target(False, place, employer, c["loc"], c["org"])
        assert same(got, ref), case_no


def test_the_weighted_mean_is_numpys_average_bit_for_bit():
    from missionsim.model.outcomes import weighted_mean

    rng = np.random.default_rng(2007)
    for case_no in range(CASES):
        n = int(rng.integers(1, 400))
        values = rng.normal(50.0, 20.0, n)
        weights = rng.uniform(0.0, 1e5, n) + 1.0
        got = weighted_mean(values, weights)
        assert np.float64(got).tobytes() == np.average(values, weights=weights).tobytes(), \
            case_no
