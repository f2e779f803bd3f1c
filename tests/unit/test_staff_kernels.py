"""Compiled passes over the staff posts, and the weighted mean, give the reference results.

Random staffs (every post status, employers of every kind, places with and without posts,
programme ids repeated and unused, weights of zero) go through each kernel and its reference;
the results must be equal bit for bit. Delivery and the evidence from practice, summed
employer by employer, must also equal each holder's summed post by post (to 1e-12: the same
terms, added in another order). Whole runs with and without the kernels are compared in
``test_kernels.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from kernel_cases import same

from missionsim.model import employer_kernels, kernels, staff_kernels
from missionsim.model.state import CHARITY, COUNCIL, DEPARTMENT, FILLED

CASES = 300

pytestmark = pytest.mark.skipif(not kernels.COMPILED, reason="numba is not in use")


def random_staff(rng: np.random.Generator) -> dict:
    """Posts of a random staff: employers, places, status, morale and skill.

    Each post serves its employer's place (``locality``), as in the model.
    """
    n = int(rng.choice([0, 1, 7, 300, 2_000]))
    n_orgs, n_places = int(rng.integers(1, 60)), int(rng.integers(1, 25))
    status = rng.integers(0, 3, n).astype(np.int8)
    if rng.random() < 0.2:
        status[:] = FILLED
    org = rng.integers(0, n_orgs, n)
    if rng.random() < 0.4:  # posts of one employer together, as a built staff mostly has them
        org = np.sort(org)
    locality = rng.integers(0, n_places, n_orgs)
    morale = rng.random(n)
    if rng.random() < 0.3:  # what a post not in post holds is never read
        morale[status != FILLED] = np.nan
    return {
        "n": n, "n_orgs": n_orgs, "n_places": n_places, "status": status, "org": org,
        "loc": locality[org], "locality": locality, "morale": morale,
        "skill": rng.uniform(0.3, 1.2, n),
    }


def from_the_end(rng: np.random.Generator, index: np.ndarray, n: int) -> np.ndarray:
    """``index`` with some entries counted from the end (negative), as NumPy reads them."""
    if rng.random() < 0.7:
        return index
    return np.where(rng.random(index.size) < 0.3, index - n, index)


def sums(c: dict) -> tuple:
    """The staff's sums by employer (the reference), read-only as the staff keep them."""
    out = employer_kernels.org_sums(False, c["status"], c["org"], c["skill"], c["morale"],
                                 c["n_orgs"])
    for values in out:
        values.setflags(write=False)
    return out


def test_sums_by_employer_are_the_reference_sums():
    rng = np.random.default_rng(2009)
    outside = 0
    for case_no in range(CASES):
        c = random_staff(rng)
        n_orgs = c["n_orgs"] if rng.random() < 0.8 else int(rng.integers(0, c["n_orgs"] + 1))
        args = (c["status"], c["org"], c["skill"], c["morale"], n_orgs)
        ref = employer_kernels.org_sums(False, *args)
        got = employer_kernels.org_sums(True, *args)
        assert len(ref) == len(got) == 4, case_no
        for r, g in zip(ref, got, strict=True):
            assert same(g, r), case_no
        filled = c["status"] == FILLED
        np.testing.assert_array_equal(got[0], np.bincount(c["org"][filled], minlength=n_orgs))
        outside += got[0].size > n_orgs  # an employer past n_orgs: counted as bincount counts
    assert outside > 0


def employers(rng: np.random.Generator, c: dict) -> tuple:
    """Practice, focus and whether a charity, for each employer of ``c``."""
    n_orgs = c["n_orgs"]
    return (rng.uniform(0.2, 1.4, n_orgs), rng.uniform(0.0, 1.0, n_orgs),
            rng.random(n_orgs) < 0.6)


def test_delivery_gives_the_reference_sums():
    rng = np.random.default_rng(2001)
    for case_no in range(CASES):
        c = random_staff(rng)
        filled, skill, effort, _ = sums(c)
        args = (filled, skill, effort, from_the_end(rng, c["locality"], c["n_places"]),
                rng.uniform(0.5, 1.5, c["n_places"]), rng.uniform(0.0, 1.0, c["n_places"]),
                *employers(rng, c), c["n_places"], float(rng.random()))
        ref = staff_kernels.delivery(False, *args)
        got = staff_kernels.delivery(True, *args)
        for r, g in zip(ref, got, strict=True):
            assert same(g, r), case_no


def test_delivery_by_employer_is_every_holders_delivery_summed():
    """Summed employer by employer, delivery is each holder's, summed post by post (to 1e-12)."""
    rng = np.random.default_rng(2010)
    for case_no in range(CASES):
        c = random_staff(rng)
        pressure = rng.uniform(0.5, 1.5, c["n_places"])
        time_left = rng.uniform(0.0, 1.0, c["n_places"])
        practice, focus, charity = employers(rng, c)
        weight = float(rng.random())
        filled, skill, effort, _ = sums(c)
        got = staff_kernels.delivery(True, filled, skill, effort, c["locality"], pressure,
                                     time_left, practice, focus, charity, c["n_places"], weight)
        held = c["status"] == FILLED
        org, loc = c["org"][held], c["loc"][held]
        each_holder = (((1.0 - weight) + weight * c["morale"][held]) * pressure[loc]
                       * time_left[loc] * c["skill"][held] * practice[org] * focus[org])
        for part, mask in ((got[0], np.ones(org.size, dtype=bool)), (got[1], charity[org])):
            want = np.bincount(loc[mask], weights=each_holder[mask], minlength=c["n_places"])
            np.testing.assert_allclose(part, want, rtol=1e-12, atol=1e-12, err_msg=str(case_no))


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
        locality = np.where(kind == DEPARTMENT, -1, c["locality"])
        status = np.where(kind[c["org"]] == DEPARTMENT, 0, c["status"]).astype(np.int8)
        c = {**c, "status": status}  # departments employ no frontline staff
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
        args = (sums(c)[:3], orgs, ties, places, levers, par)
        ref = staff_kernels.month_delivery(False, *args)
        got = staff_kernels.month_delivery(True, *args)
        assert len(ref) == len(got) == 3, case_no
        for r, g in zip(ref, got, strict=True):
            assert same(g, r), case_no


def information_args(rng: np.random.Generator, c: dict, weighted: bool) -> tuple:
    """Employers' rollout and programmes, the trials lever and the rigours, for ``c``."""
    n_prog = int(rng.integers(1, 40))
    trials = (rng.choice([0.0, 0.5, 1.0], c["n_places"]) if weighted
              else float(rng.choice([0.0, 1.0, rng.random()])))
    return (rng.random(c["n_orgs"]), rng.integers(0, n_prog, c["n_orgs"]),
            rng.integers(0, n_prog, c["n_orgs"]), trials, n_prog,
            float(rng.uniform(0.0, 2.0)), float(rng.uniform(0.0, 20.0)))


@pytest.mark.parametrize("weighted", [False, True])
def test_information_gives_the_reference_information(weighted):
    rng = np.random.default_rng(2002 + weighted)
    for case_no in range(CASES):
        c = random_staff(rng)
        locality = from_the_end(rng, c["locality"], c["n_places"]) if weighted else c["locality"]
        args = (sums(c)[0], locality, *information_args(rng, c, weighted))
        ref = staff_kernels.information(False, *args)
        got = staff_kernels.information(True, *args)
        assert len(ref) == len(got) == 3, case_no
        for r, g in zip(ref, got, strict=True):
            assert same(g, r), case_no


@pytest.mark.parametrize("weighted", [False, True])
def test_information_by_employer_is_every_users_information_summed(weighted):
    """Counted employer by employer, each programme's users are its users post by post."""
    rng = np.random.default_rng(2011 + weighted)
    for case_no in range(CASES):
        c = random_staff(rng)
        rollout, programme, own, trials, n_prog, rigour, trial_rigour = information_args(
            rng, c, weighted)
        got = staff_kernels.information(True, sums(c)[0], c["locality"], rollout, programme,
                                        own, trials, n_prog, rigour, trial_rigour)
        held = c["status"] == FILLED
        org, w = c["org"][held], np.ones(int(held.sum()))
        users = (np.bincount(programme[org], weights=rollout[org], minlength=n_prog)
                 + np.bincount(own[org], weights=1.0 - rollout[org], minlength=n_prog))
        if weighted:
            w = trials[c["loc"][held]]
            tried = (np.bincount(programme[org], weights=rollout[org] * w, minlength=n_prog)
                     + np.bincount(own[org], weights=(1.0 - rollout[org]) * w,
                                   minlength=n_prog)) * trial_rigour
        else:
            tried = users * trial_rigour * trials
        np.testing.assert_allclose(got[0], users * rigour, rtol=1e-12, atol=1e-9,
                                   err_msg=str(case_no))
        np.testing.assert_allclose(got[1], users * rigour + tried, rtol=1e-12, atol=1e-9,
                                   err_msg=str(case_no))


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
    from missionsim.model.reporter_kernels import weighted_mean

    rng = np.random.default_rng(2007)
    for case_no in range(CASES):
        n = int(rng.integers(1, 400))
        values = rng.normal(50.0, 20.0, n)
        weights = rng.uniform(0.0, 1e5, n) + 1.0
        got = weighted_mean(values, weights)
        assert np.float64(got).tobytes() == np.average(values, weights=weights).tobytes(), \
            case_no


def test_the_kept_sums_by_employer_are_never_stale(monkeypatch):
    """After every phase of runs with closures, foundings and cuts, the sums the staff keep
    are the sums of the posts as they stand."""
    from missionsim import MissionModel
    from missionsim.model import model as model_module
    from missionsim.model.phases import PHASES, Phase

    checked = []

    def checking(phase: Phase) -> Phase:
        def run(model) -> None:
            phase.run(model)
            s, n = model.staff, model.orgs.n
            kept = s._sums
            if kept is not None:
                fresh = employer_kernels.org_sums(False, s.status, s.org, s.skill, s.morale, n)
                for k, f in zip(kept, fresh, strict=True):
                    assert same(k[:f.size], f), (model.month, phase.name)
                checked.append(phase.name)
        return Phase(phase.name, phase.summary, run)

    monkeypatch.setattr(model_module, "PHASES", tuple(checking(p) for p in PHASES))
    every = {name: {"start": 2} for name in ("local_capacity", "mission_leadership",
                                             "civil_society_partnerships", "devolution")}
    for preset, reforms, params in (
            ("workshop", every, {"funding_shock": 0.4, "funding_shock_month": 6}),
            ("small", {}, {"demand_shock": 0.6, "demand_shock_month": 3})):
        model = MissionModel(preset=preset, reforms=reforms, params=params, rng=7, horizon=30)
        model.run()
        assert model.orgs.closed > 0 or preset == "small"
    assert {"finance", "evidence", "outcome", "record"} <= set(checked)
