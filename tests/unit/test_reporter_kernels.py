"""The reporters' compiled passes give their references' results, and the reporters their values.

Random charities (none, closed, without funded posts, reserves below zero), ties (within and
across localities, to closed organisations and departments) and places (ahead, behind and on
their trajectory, count and rate missions, a target equal to the baseline) go through each
kernel and its reference; the results must be equal bit for bit. Whole runs then compare each
reporter with the plain NumPy formula it had before its pass was compiled (the staff's means,
now summed employer by employer, to 1e-12).
"""

from __future__ import annotations

import numpy as np
import pytest
from kernel_cases import organisations

from missionsim.model import evidence, kernels, outcomes, reporter_kernels, reporters, ties
from missionsim.model.state import CHARITY, COUNCIL, FILLED, UNFUNDED

CASES = 300

compiled_only = pytest.mark.skipif(not kernels.COMPILED, reason="numba is not in use")


def same(a, b) -> bool:
    """Equal bit for bit, with the same type (and for arrays the same dtype and shape)."""
    if isinstance(a, np.ndarray):
        return (isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape
                and a.tobytes() == b.tobytes())
    return type(a) is type(b) and np.float64(a).tobytes() == np.float64(b).tobytes()


def random_orgs(rng: np.random.Generator) -> dict:
    """Organisations of a random world: kinds, localities, operating or closed."""
    n_places = int(rng.integers(1, 12))
    n, kind, locality = organisations(rng, n_places, int(rng.choice([0, 1, 10, 80])))
    active = rng.random(n) < rng.choice([0.5, 0.9, 1.0])
    return {"n": n, "n_places": n_places, "kind": kind, "locality": locality, "active": active}


@compiled_only
def test_charity_reserves_are_the_reference_reserves():
    rng = np.random.default_rng(4002)
    for case_no in range(CASES):
        c = random_orgs(rng)
        n = c["n"]
        reserves = rng.choice([0.0, -1.0, 2.5, rng.normal()], n) * rng.random(n)
        if rng.random() < 0.2:  # values NumPy orders its own way in the middle
            reserves[rng.integers(0, n, 2)] = rng.choice([-0.0, np.nan, np.inf])
        if rng.random() < 0.2:
            reserves[:] = rng.choice([0.0, 1.0])  # the middle values all equal
        funded = rng.integers(0, 4, n + int(rng.integers(0, 3)))  # the counts may run past
        bill = float(rng.choice([0.0, 1e-12, 0.004, rng.random()]))
        args = (c["kind"], c["active"], reserves, funded, bill)
        assert same(reporter_kernels.charity_reserves(True, *args),
                    reporter_kernels.charity_reserves(False, *args)), case_no
        got, ref = (reporter_kernels.reserves_median(True, *args),
                    reporter_kernels.reserves_median(False, *args))
        assert same(got[0], ref[0]) and same(got[1], ref[1]), case_no


@compiled_only
def test_tie_densities_are_the_reference_densities():
    rng = np.random.default_rng(4003)
    for case_no in range(CASES):
        c = random_orgs(rng)
        n_edges = int(rng.choice([0, 3, 30, 400]))
        u, v = rng.integers(0, c["n"], n_edges), rng.integers(0, c["n"], n_edges)
        args = (u, v, c["locality"], c["kind"], c["active"], c["n_places"])
        assert same(reporter_kernels.densities(True, *args),
                    reporter_kernels.densities(False, *args)), case_no


def test_an_organisation_outside_the_localities_is_left_to_the_reference():
    c = random_orgs(np.random.default_rng(4004))
    c["active"][:] = True
    c["locality"][-1] = c["n_places"]  # a charity past the last locality
    one = np.zeros(1, dtype=np.int64)
    with pytest.raises(IndexError):  # as before: bincount's counts run past the localities
        reporter_kernels.densities(kernels.COMPILED, one, one, c["locality"], c["kind"],
                                   c["active"], c["n_places"])


@compiled_only
def test_places_on_track_are_the_reference_count():
    rng = np.random.default_rng(4005)
    for case_no in range(CASES):
        n = int(rng.choice([1, 5, 150]))
        y0 = rng.uniform(1.0, 80.0, n)
        target, baseline = float(rng.uniform(1.0, 80.0)), float(rng.uniform(1.0, 80.0))
        if rng.random() < 0.2:
            target = baseline  # nothing required: every place divides by the least divisor
        frac = float(rng.choice([0.0, 1.0, rng.random()]))
        direction = float(rng.choice([-1.0, 1.0]))
        per_place = bool(rng.random() < 0.5)
        required = (target / baseline - 1.0) * y0 if per_place else target - baseline
        y = y0 + frac * required + rng.choice([0.0, 1e-12, -1e-12, 1.0, -1.0], n)
        args = (y, y0, frac, direction, target, baseline, per_place)
        assert same(reporter_kernels._on_track_kernel(*args),
                    reporter_kernels.on_track_reference(*args)), case_no


@compiled_only
def test_the_reported_indicator_is_the_reference_indicator():
    rng = np.random.default_rng(4008)
    for case_no in range(CASES):
        n = int(rng.choice([1, 5, 150]))
        y, best = rng.uniform(0.0, 80.0, n), rng.choice([0.0, 100.0, rng.uniform(0.0, 100.0)], n)
        gaming = rng.choice([0.0, 0.0, 1.0, rng.random()], n)
        args = (y, best, gaming, float(rng.choice([-1.0, 1.0])))
        assert same(reporter_kernels._reported_kernel(*args),
                    reporter_kernels.reported_reference(*args)), case_no


def test_the_mean_is_numpys_mean():
    rng = np.random.default_rng(4006)
    for n in (1, 2, 7, 8, 9, 127, 128, 129, 1_000, 30_000):
        values = rng.normal(0.0, 1.0, n) * 10.0 ** rng.integers(-3, 4, n)
        for part in (values, values[1:], values[: n // 2], values[-(n // 10 or 1):]):
            if part.size:
                assert same(reporters._mean(part), float(part.mean())), n
    assert reporters._mean(np.empty(0)) == 0.0


def test_the_median_is_numpys_median():
    rng = np.random.default_rng(4007)
    for case_no in range(CASES):
        n = int(rng.choice([1, 2, 3, 8, 9, 240, 241, 1_350]))
        values = rng.choice([0.0, -0.0, 1.5, -2.0, rng.normal()], n) if rng.random() < 0.3 \
            else rng.normal(0.0, 3.0, n)
        if rng.random() < 0.2:
            values[rng.integers(0, n)] = np.nan
        assert same(reporter_kernels.median(values), float(np.median(values))), case_no


# --- the reporters as they were: plain NumPy over the model's own queries ---------------------
def before(model) -> dict:
    """Each reporter whose pass is compiled, by its plain NumPy formula."""
    o, s, net, pl = model.orgs, model.staff, model.net, model.places
    charities = (o.kind == CHARITY) & o.active
    months = model.charity_reserves_months()[charities]
    local = ((o.kind == CHARITY) | (o.kind == COUNCIL)) & o.active
    n_orgs = np.bincount(o.locality[local], minlength=pl.n)
    lu, lv = o.locality[net.u], o.locality[net.v]
    same_place = (lu == lv) & (lu >= 0) & local[net.u] & local[net.v]
    ties_ = np.bincount(lu[same_place], minlength=pl.n)
    possible = n_orgs * (n_orgs - 1) / 2
    ok = possible > 0
    backed = evidence.evidence_backed(model)
    used, own = np.maximum(o.programme, 0), np.maximum(o.own_programme, 0)
    share = o.rollout * backed[used] + (1.0 - o.rollout) * backed[own]
    filled = s.status == FILLED
    k = max(1, pl.n // 10)
    idx = np.argsort(pl.deprivation)[-k:]
    y = pl.y / pl.cohort * 10_000.0 if model.mission.aggregate == "sum" else pl.y
    v = np.sort(y)
    funded = np.count_nonzero(s.status != UNFUNDED)
    return {
        "staff_morale": float(s.morale[filled].mean()) if filled.any() else 0.0,
        "evidence_adoption": float(share[s.org[filled]].mean()) if filled.any() else 0.0,
        "practice_effect": float(o.practice[s.org[filled]].mean()) if filled.any() else 0.0,
        "staff_headcount": s.filled_count(),
        "vacancy_rate": float(np.count_nonzero(s.status == 1) / funded) if funded else 0.0,
        "charities_active": model.active_charities(),
        "charity_reserves_median": float(np.median(months)) if months.size else 0.0,
        "partnership_density": (float(np.mean(ties_[ok] / possible[ok]))
                                if net.n_edges and ok.any() else 0.0),
        "on_track_share": float(np.mean(model.places_behind(reported=False) <= 0.0)),
        "inequality": float(v[-k:].mean() - v[:k].mean()),
        "outcome_most_deprived": (float(pl.y[idx].sum()) if model.mission.aggregate == "sum"
                                  else reporter_kernels.weighted_mean(pl.y[idx], pl.cohort[idx])),
        "cross_sector_ties": (float(ties.cross_sector(model).mean()) if net.n_edges else 0.0),
        "mean_trust": float(net.trust.mean()) if net.n_edges else 0.0,
        "department_focus": (float(np.mean([d.focus for d in model.departments]))
                             if model.departments else 0.0),
        "council_capacity": float(pl.capacity.mean()),
        "outcome_reported": outcomes.national(model,
                                                        outcomes.reported(model)),
        "trajectory_gap": model.mission.direction * (
            outcomes.national(model, pl.y)
            - float(model.mission.trajectory(model.month))),
    }


@pytest.mark.parametrize("mission, reforms", [
    ("early_years", {}),
    ("rough_sleeping", {"civil_society_partnerships": {"intensity": 1.0},
                        "experimentation": {"intensity": 1.0}}),
])
def test_the_reporters_give_their_plain_numpy_values(mission, reforms):
    from missionsim import MissionModel

    model = MissionModel(preset="workshop", mission=mission, reforms=reforms, rng=11,
                         horizon=48)
    for month in range(48):
        model.step()
        if month % 6 == 5:  # twice a year
            want = before(model)
            for name, value in want.items():
                got = reporters.REPORTERS[name](model)
                if name in BY_EMPLOYER:
                    assert type(got) is type(value), (month, name)
                    assert got == pytest.approx(value, rel=1e-12, abs=1e-15), (month, name)
                else:
                    assert same(got, value), (month, name)
    frame = model.datacollector.get_model_vars_dataframe()
    for name in before(model):  # the record gives the same as a lone call
        assert same(float(frame[name].iloc[-1]), float(reporters.REPORTERS[name](model))), name


BY_EMPLOYER = ("staff_morale", "evidence_adoption", "practice_effect")
"""Means over the staff in post summed employer by employer (``StaffArrays.sums_by_org``), then
over the employers: the plain means' values up to the order of the additions (a few units in
the last place of sums of thousands of numbers)."""
