"""Random draws that numba makes faster than NumPy, bit for bit the same.

numba's ``Generator.standard_normal`` runs NumPy's own ziggurat on the same bit generator, so
it gives the same numbers and leaves the generator in the same state, about three times as
fast as NumPy's at 30,000 draws; its ``Generator.random`` reads the same doubles as NumPy's, so
uniform draws that follow in the same call are NumPy's too. Passing a generator into compiled
code costs about 12 µs, so short arrays are still drawn by NumPy (``benchmarks/README.md`` has
the timings). The unit tests (``tests/unit/test_draws.py``) compare both ways of drawing.
"""

from __future__ import annotations

import numpy as np

from missionsim.model.compiled import COMPILED
from missionsim.model.compiled import compile_kernel as _compile

COMPILED_FROM = 2_048  # structural: where numba's fixed cost of taking a generator is repaid
"""Arrays at least this long are drawn in compiled code (numba's fixed cost of taking a
generator, about 12 µs, is repaid from about 1,000 draws; results are the same either way)."""


def _standard_normal(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.standard_normal(n)


_compiled_normal = _compile(_standard_normal)


def standard_normal(rng: np.random.Generator, n: int, compiled: bool = COMPILED) -> np.ndarray:
    """``n`` standard normal draws from ``rng``: the numbers ``rng.normal(0.0, 1.0, n)`` gives.

    Drawn in compiled code when ``compiled`` (numba in use) and ``n`` is at least
    :data:`COMPILED_FROM`, else by NumPy.
    """
    if compiled and n >= COMPILED_FROM:
        return _compiled_normal(rng, int(n))
    return rng.standard_normal(n)


def _normal_and_uniform(rng: np.random.Generator, n: int, k: int) -> tuple:
    """``n`` normal draws, then ``k`` blocks of ``n`` uniform draws (NumPy reference)."""
    return rng.standard_normal(n), rng.random((k, n))


@_compile
def _normal_and_uniform_kernel(rng, n, k):
    """Compiled :func:`_normal_and_uniform`: the same numbers, in the same order."""
    normal = rng.standard_normal(n)
    uniform = np.empty((k, n))
    for j in range(k):
        for i in range(n):
            uniform[j, i] = rng.random()
    return normal, uniform


def normal_and_uniform(rng: np.random.Generator, n: int, k: int,
                       compiled: bool = COMPILED) -> tuple[np.ndarray, np.ndarray]:
    """``n`` standard normal draws, then ``k`` rows of ``n`` uniform draws in [0, 1), from ``rng``.

    The numbers ``rng.standard_normal(n)`` and then ``rng.random((k, n))`` give, drawn in one
    compiled call when ``compiled`` (numba in use) and ``n`` is at least
    :data:`COMPILED_FROM`, else by NumPy. numba's ``Generator.random`` reads the same
    doubles from the same bit generator as NumPy's.
    """
    n, k = int(n), int(k)
    if compiled and n >= COMPILED_FROM:
        return _normal_and_uniform_kernel(rng, n, k)
    return _normal_and_uniform(rng, n, k)


def warm() -> None:
    """Compile, or load from the cache, the compiled draws now."""
    if COMPILED:
        _compiled_normal(np.random.default_rng(0), 1)  # structural: any seed, one draw
        _normal_and_uniform_kernel(np.random.default_rng(0), 1, 1)  # structural: one of each
