"""Random draws that numba makes faster than NumPy, bit for bit the same.

numba's ``Generator.standard_normal`` runs NumPy's own ziggurat on the same bit generator, so
it gives the same numbers and leaves the generator in the same state, about three times as
fast as NumPy's at 30,000 draws. Passing a generator into compiled code costs about 12 µs, so
short arrays are still drawn by NumPy (``benchmarks/README.md`` has the timings). The unit
tests (``tests/unit/test_draws.py``) compare both ways of drawing.
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


def warm() -> None:
    """Compile, or load from the cache, the compiled draws now."""
    if COMPILED:
        _compiled_normal(np.random.default_rng(0), 1)  # structural: any seed, one draw
