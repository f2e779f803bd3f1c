"""The record's compiled figures of the places and the staff in post are their references'.

Random places (count and rate missions, gaming or not, displacement or not, places ahead of,
on and behind their trajectory, sizes from one place to England's and beyond) and random
employers (none in post, programmes -1, counts past the last slot) go through each kernel and
its NumPy reference; the figures must be equal bit for bit, and of the same types.
"""

from __future__ import annotations

import numpy as np
import pytest

from missionsim.model import kernels, record_kernels

CASES = 300

compiled_only = pytest.mark.skipif(not kernels.COMPILED, reason="numba is not in use")


def same(a, b) -> bool:
    """The same type and, for numbers, the same bits."""
    return type(a) is type(b) and np.float64(a).tobytes() == np.float64(b).tobytes()


def random_places(rng: np.random.Generator) -> tuple[tuple, np.ndarray, record_kernels.Mission]:
    n = int(rng.choice([1, 2, 9, 30, 150, 153, 400]))
    scale = float(rng.choice([1.0, 100.0, 5000.0]))
    y = rng.random(n) * scale
    y0 = y * rng.uniform(0.8, 1.2, n)
    on = rng.random(n) < 0.2  # on their trajectory at month 0
    y0[on] = y[on]
    best = y + rng.random(n) * scale * rng.choice([0.0, 0.3])
    gaming = np.where(rng.random(n) < rng.choice([0.0, 0.5]), rng.random(n), 0.0)
    cohort = rng.uniform(100.0, 5e4, n)
    arrays = (y, best, gaming, y0, cohort, rng.random(n), rng.random(n), rng.uniform(1, 90, n),
              rng.random(n), rng.uniform(0.1, 3.0, n))
    k = max(1, n // 10)
    deprived = rng.permutation(n)[:k].astype(np.int64)
    target = float(rng.choice([0.0, 1.0, 1.1]) * y0.mean())
    mission = record_kernels.Mission(
        float(rng.choice([1.0, -1.0])), bool(rng.random() < 0.5),
        float(rng.choice([0.0, 0.3, 1.0])), target, float(y0.mean()),
        bool(rng.random() < 0.5), float(rng.random()), float(rng.choice([1.0, 100.0])))
    return arrays, deprived, mission


@compiled_only
def test_place_figures_are_the_references():
    rng = np.random.default_rng(7011)
    kinds = set()
    for case_no in range(CASES):
        arrays, deprived, m = random_places(rng)
        got = record_kernels.places(True, *arrays, deprived, m)
        want = record_kernels.places_reference(*arrays, deprived, m)
        assert all(same(g, w) for g, w in zip(got, want, strict=True)), (case_no, got, want)
        kinds.add((m.per_place, m.displacement, 0 < got.on_track < arrays[0].size))
    assert len(kinds) == 8  # both kinds of mission, with and without displacement, mixed tracks


@compiled_only
def test_a_best_given_as_one_number_goes_to_the_reference():
    rng = np.random.default_rng(7012)
    arrays, deprived, m = random_places(rng)
    arrays = (arrays[0], np.float64(arrays[0].max()), *arrays[2:])
    got = record_kernels.places(True, *arrays, deprived, m)
    assert got == record_kernels.places_reference(*arrays, deprived, m)


def random_employers(rng: np.random.Generator) -> tuple:
    n = int(rng.choice([1, 3, 40, 300, 2000]))
    filled = rng.integers(0, 30, n + int(rng.integers(0, 3))) * (rng.random() < 0.9)
    morale = rng.random(filled.size) * filled
    funded = filled + rng.integers(0, 5, filled.size)
    n_prog = int(rng.integers(1, 12))
    belief = (rng.normal(0.1, 0.2, n_prog), rng.uniform(4.0, 1e4, n_prog), 0.1, 0.8416)
    programme = rng.integers(-1, n_prog, n)
    own = rng.integers(-1, n_prog, n)
    return (filled, morale, funded, belief, programme, own, rng.random(n),
            rng.normal(0.0, 0.3, n))


@compiled_only
def test_staff_figures_are_the_references():
    rng = np.random.default_rng(7013)
    empty = 0
    for case_no in range(CASES):
        args = random_employers(rng)
        got = record_kernels.in_post(True, *args)
        want = record_kernels.in_post_reference(*args)
        assert all(same(g, w) for g, w in zip(got, want, strict=True)), (case_no, got, want)
        empty += got.filled == 0
    assert 0 < empty < CASES  # employers with no one in post were among the cases
