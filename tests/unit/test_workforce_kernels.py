"""The kernels over the staff posts give their references' results bit for bit.

The counts of the posts in post, whose employers and places lie in runs; the change of one
employer's funded posts (a charity founded or closed); the sums by employer of posts in runs,
and the delivery from them.
Random cases with edge cases: no posts, one post, every post in post or none, keys outside
the counts, values of posts not in post that must not be read.
"""

from __future__ import annotations

import numpy as np
import pytest
from kernel_cases import same

from missionsim.model import employer_kernels, kernels, staff_kernels, workforce_kernels
from missionsim.model.state import FILLED, UNFUNDED, VACANT

CASES = 300

pytestmark = pytest.mark.skipif(not kernels.COMPILED, reason="numba is not in use")


def random_keys(rng: np.random.Generator, n: int, top: int) -> np.ndarray:
    """Keys in runs (sorted, or runs of random lengths) or scattered, from 0 to ``top - 1``."""
    keys = rng.integers(0, top, n)
    shape = rng.integers(0, 3)
    if shape == 0:
        keys.sort()
    elif shape == 1 and n:
        keys = np.repeat(keys, rng.integers(1, 20, n))[:n]
    return keys


def test_counts_in_post_are_bincounts():
    rng = np.random.default_rng(3001)
    for case_no in range(CASES):
        n = int(rng.choice([0, 1, 2, 9, 300, 3_000]))
        top = int(rng.integers(1, 60))
        keys = random_keys(rng, n, top)
        status = rng.integers(0, 3, n).astype(np.int8)
        if rng.random() < 0.2:
            status[:] = rng.choice([UNFUNDED, VACANT, FILLED])
        minlength = int(rng.choice([0, 1, top // 2, top, top + 5]))
        ref = staff_kernels.count_reference(status, keys, minlength)
        got = staff_kernels.count_in_post(True, status, keys, minlength)
        assert same(got, ref), case_no
        counts, outside = staff_kernels._count_kernel(status, keys, minlength)
        past = keys[status == FILLED] >= minlength
        assert outside == bool(past.any()), case_no
        if not outside:
            assert same(counts, ref), case_no


def test_a_negative_key_in_post_is_left_to_bincount():
    status = np.array([FILLED, VACANT, FILLED], dtype=np.int8)
    for keys in (np.array([-1, 0, 0]), np.array([0, 0, -1]), np.array([0, -1, -1])):
        assert staff_kernels._count_kernel(status, keys, 3)[1]
        with pytest.raises(ValueError):
            staff_kernels.count_in_post(True, status, keys, 3)
    # a negative key of a post not in post is no count at all
    counts, outside = staff_kernels._count_kernel(status, np.array([0, -1, 2]), 3)
    assert not outside and counts.tolist() == [1, 0, 1]


def test_one_employer_changes_as_in_the_reference():
    rng = np.random.default_rng(3003)
    for case_no in range(CASES):
        n_orgs = int(rng.integers(1, 30))
        n = int(rng.choice([0, 1, 5, 200, 2_000]))
        org = random_keys(rng, n, n_orgs)
        status = rng.choice(np.array([UNFUNDED, VACANT, FILLED], dtype=np.int8), size=n)
        tenure = rng.integers(0, int(rng.choice([1, 3, 100])), n)
        locality = rng.integers(-1, 5, n_orgs)
        loc = locality[org]
        funded = np.bincount(org[status != UNFUNDED], minlength=n_orgs)
        slot = int(rng.integers(0, n_orgs))
        # the employer alone, or among others left unchanged
        others = rng.choice(n_orgs, size=int(rng.integers(0, n_orgs)), replace=True)
        slots = np.concatenate([others, [slot]]).astype(np.int64)
        rng.shuffle(slots)
        change = np.zeros(slots.size, dtype=np.int64)
        change[slots == slot] = 0
        change[np.flatnonzero(slots == slot)[0]] = int(rng.choice([-40, -3, -1, 1, 2, 30]))
        results = []
        for fn in (kernels.establishment_reference, kernels.establishment):
            arrays = [org.copy(), loc.copy(), status.copy(), tenure.copy()]
            counts = funded.copy()
            extra, moved = fn(*arrays, locality, counts, slots, change)
            results.append((arrays, counts, extra, moved))
        (ref, ref_counts, ref_extra, ref_moved), (got, got_counts, got_extra, got_moved) = results
        for r, g in zip(ref, got, strict=True):
            assert same(g, r), case_no
        assert same(got_counts, ref_counts), case_no
        assert same(got_extra, ref_extra), case_no
        assert got_moved == ref_moved, case_no


def test_sums_by_employer_of_posts_in_runs_give_the_reference_sums():
    rng = np.random.default_rng(3004)
    for case_no in range(CASES):
        n = int(rng.choice([0, 1, 2, 9, 300, 3_000]))
        n_orgs, n_places = int(rng.integers(1, 60)), int(rng.integers(1, 25))
        org = random_keys(rng, n, n_orgs)
        status = rng.integers(0, 3, n).astype(np.int8)
        if rng.random() < 0.2:
            status[:] = rng.choice([UNFUNDED, VACANT, FILLED])
        morale, skill = rng.random(n), rng.uniform(0.3, 1.2, n)
        # what posts not in post hold is never read
        morale[(status != FILLED) & (rng.random(n) < 0.3)] = np.nan
        skill[(status != FILLED) & (rng.random(n) < 0.3)] = -np.inf
        args = (status, org, skill, morale, n_orgs)
        ref = employer_kernels.org_sums(False, *args)
        got = employer_kernels.org_sums(True, *args)
        for r, g in zip(ref, got, strict=True):
            assert same(g, r), case_no
        assert np.isfinite(got[1]).all() and np.isfinite(got[3]).all(), case_no
        delivery = (got[0], got[1], got[2], rng.integers(0, n_places, got[0].size),
                    rng.uniform(0.5, 1.5, n_places), rng.uniform(0.0, 1.0, n_places),
                    rng.uniform(-0.2, 1.4, got[0].size), rng.uniform(0.0, 1.0, got[0].size),
                    rng.random(got[0].size) < 0.6, n_places, float(rng.random()))
        for r, g in zip(staff_kernels.delivery(False, *delivery),
                        staff_kernels.delivery(True, *delivery), strict=True):
            assert same(g, r), case_no


def random_month(rng: np.random.Generator) -> tuple:
    """A month's arguments of ``staff_month``: posts, places, employers and parameters."""
    n = int(rng.choice([0, 1, 2, 9, 300, 3_000]))
    n_orgs, n_places = int(rng.integers(1, 40)), int(rng.integers(1, 25))
    org = random_keys(rng, n, n_orgs)
    loc = random_keys(rng, n, n_places)
    status = rng.integers(0, 3, n).astype(np.int8)
    if rng.random() < 0.2:
        status[:] = rng.choice([UNFUNDED, VACANT, FILLED])
    morale, noise = rng.random(n), rng.standard_normal(n)
    # places: no posts in post at the start or now, and workloads over the cap
    filled0 = rng.integers(0, 20, n_places).astype(float)
    places = (rng.uniform(0.0, 2.0, n_places), rng.uniform(0.2, 1.0, n_places),
              rng.uniform(0.0, 2.0, n_places), rng.uniform(0.2, 1.0, n_places), filled0)
    levers = [float(rng.random()) if rng.random() < 0.5 else rng.random(n_places)
              for _ in range(2)]
    # employers: charities open and closed, with no funded posts, reserves near a month's
    kind = rng.integers(0, 4, n_orgs).astype(np.int8)
    active = rng.random(n_orgs) < 0.8
    funded = rng.integers(0, 5, n_orgs)
    bill = float(rng.uniform(0.01, 0.1))
    reserves = funded * bill * rng.choice([0.5, 1.0, 2.0], n_orgs) * (rng.random(n_orgs) < 0.9)
    place_par = (float(rng.uniform(0.5, 1.5)), float(rng.uniform(1.0, 3.0)), 0.7,
                 *rng.uniform(0.0, 0.5, 4))
    org_par = (bill, float(rng.random()) / int(rng.integers(1, 6)), float(rng.random()))
    morale_par = (float(rng.integers(1, 12)), float(rng.uniform(0.0, 0.05)))
    return (status, loc, org, morale, noise, *places, *levers, kind, active, reserves, funded,
            place_par, org_par, morale_par)


def test_the_month_kernel_gives_the_reference_targets_morale_and_months():
    rng = np.random.default_rng(3005)
    for case_no in range(CASES):
        args = random_month(rng)
        morale = args[3]
        ref_morale, got_morale = morale.copy(), morale.copy()
        ref = workforce_kernels.staff_month(*args[:3], ref_morale, *args[4:], compiled=False)
        got = workforce_kernels.staff_month(*args[:3], got_morale, *args[4:])
        assert same(got_morale, ref_morale), case_no
        for r, g in zip(ref, got, strict=True):
            assert same(g, r), case_no


def test_the_quit_hazards_exp_is_the_compiled_exp_bit_for_bit():
    """``libm_exp`` (the NumPy path's) and ``math.exp`` in compiled code agree on every value.

    NumPy's own array ``exp`` may differ from both in the last bit, so the two paths of the
    workforce month would not agree if either used it.
    """
    import math

    import numba

    @numba.njit(cache=False)
    def compiled_exp(x):
        out = np.empty(x.size)
        for i in range(x.size):
            out[i] = math.exp(x[i])
        return out

    rng = np.random.default_rng(3006)
    x = np.concatenate([rng.uniform(-12.0, 12.0, 200_000), rng.normal(0.0, 1.0, 50_000),
                        [0.0, -0.0, 1e-300, -1e-300, 708.9, 709.5, 709.8, 800.0, -800.0,
                         np.inf, -np.inf, np.nan]])
    with np.errstate(over="ignore"):  # exp(800) overflows to inf, as NumPy's exp warns
        got = workforce_kernels.libm_exp(x)
    assert got.dtype == np.float64 and got.shape == x.shape
    assert got.tobytes() == compiled_exp(x).tobytes()


def test_a_draw_over_the_months_bound_never_falls_under_a_hazard():
    """The turnover pass skips ``exp`` for a draw at or over its bound: no hazard lies above it.

    Over morale from 0 to 1 (and either sign of the slope), every hazard the reference works
    out lies under the bound the kernel uses, and draws just under and over each hazard give
    the reference's quits.
    """
    rng = np.random.default_rng(3007)
    morale = np.concatenate([np.linspace(0.0, 1.0, 2_001), rng.random(2_000)])
    for case_no in range(60):
        par = (float(rng.uniform(0.0, 0.3)), float(rng.choice([0.25, 1.0, 4.0])),
               float(rng.choice([0.01, 0.2, 0.5, 1.0])), float(rng.uniform(-6.0, 10.0)),
               float(rng.random()))
        hazard = workforce_kernels.quit_hazard(morale, par)
        n = morale.size
        for u in (np.nextafter(hazard, -1.0), hazard, np.nextafter(hazard, 2.0)):
            u = np.clip(u, 0.0, np.nextafter(1.0, 0.0))
            status = np.full(n, FILLED, dtype=np.int8)
            org, loc = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
            args = (morale.copy(), np.zeros(n, dtype=np.int64), org, loc, u, np.zeros(n),
                    np.zeros(n), np.zeros(1, dtype=np.int8), np.zeros(1), np.zeros(1), par,
                    (0.0, 0.0, 1.0, 0.0), (0.0, 0.0, 0.0, 0.0, 1.0))
            ref_status, got_status = status.copy(), status.copy()
            ref = workforce_kernels.turnover_reference(ref_status, np.zeros(n), *args)
            got = workforce_kernels._turnover_kernel(got_status, np.zeros(n), *args)
            assert got[0] == ref[0], case_no
            assert same(got_status, ref_status), case_no
