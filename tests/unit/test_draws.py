"""Compiled normal draws give NumPy's numbers and leave the generator where NumPy does.

Generators of every seed kind used by the model (spawned children of a seed sequence) draw
arrays of many lengths, either side of the length from which the draw is compiled; the numbers
and the generator's state after the draw must equal NumPy's ``normal(0.0, 1.0, n)``.
"""

from __future__ import annotations

import numpy as np
import pytest

from missionsim.model import draws
from missionsim.model.compiled import COMPILED

LENGTHS = (0, 1, 5, draws.COMPILED_FROM - 1, draws.COMPILED_FROM, 30_000)


def generators(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    """Two generators in the same state: a spawned child of ``seed``, as the model's streams."""
    make = lambda: np.random.default_rng(np.random.SeedSequence(seed).spawn(3)[2])  # noqa: E731
    return make(), make()


@pytest.mark.skipif(not COMPILED, reason="numba is not in use")
@pytest.mark.parametrize("n", LENGTHS)
def test_compiled_normal_draws_are_numpys(n: int) -> None:
    for seed in range(20):
        mine, theirs = generators(seed)
        got = draws.standard_normal(mine, n)
        want = theirs.normal(0.0, 1.0, n)
        assert got.dtype == want.dtype and got.shape == (n,)
        assert np.array_equal(got, want)
        # the next draws agree too: both generators moved on by the same amount
        assert mine.bit_generator.state == theirs.bit_generator.state
        assert np.array_equal(mine.random(4), theirs.random(4))


def test_long_draws_are_compiled_and_short_ones_are_not() -> None:
    mine, theirs = generators(7)
    long_ = draws.standard_normal(mine, draws.COMPILED_FROM, compiled=False)
    assert np.array_equal(long_, theirs.standard_normal(draws.COMPILED_FROM))
    if COMPILED:  # a long array goes through the compiled draw, which then has a signature
        draws.standard_normal(mine, draws.COMPILED_FROM)
        assert draws._compiled_normal is not draws._standard_normal
        assert draws._compiled_normal.signatures


@pytest.mark.parametrize("n", LENGTHS)
@pytest.mark.parametrize("k", (1, 3))
def test_normal_and_uniform_draws_are_numpys(n: int, k: int) -> None:
    for seed in range(20):
        mine, theirs = generators(seed)
        normal, uniform = draws.normal_and_uniform(mine, n, k)
        want_normal = theirs.standard_normal(n)
        want_uniform = theirs.random((k, n))
        assert normal.dtype == want_normal.dtype and normal.shape == (n,)
        assert uniform.dtype == want_uniform.dtype and uniform.shape == (k, n)
        assert np.array_equal(normal, want_normal) and np.array_equal(uniform, want_uniform)
        assert mine.bit_generator.state == theirs.bit_generator.state
        assert np.array_equal(mine.random(4), theirs.random(4))
