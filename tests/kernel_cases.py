"""Shared by the compiled kernels' tests: bit-for-bit equality, a random world's organisations."""

from __future__ import annotations

import numpy as np

from missionsim.model.state import CHARITY, COUNCIL, DEPARTMENT

DEPARTMENTS = 3
"""Department slots at the front of a random world's organisations (as in a model's)."""


def same(a, b) -> bool:
    """Equal bit for bit, with the same dtype and shape (arrays), or the same number."""
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def organisations(rng: np.random.Generator, n_places: int, n_charities: int) -> tuple:
    """Kinds and localities of a world laid out as a model's: departments, then one council per
    place, then ``n_charities`` charities in places drawn from ``rng``; returns
    ``(n, kind, locality)`` (locality -1 for the departments)."""
    n = DEPARTMENTS + n_places + n_charities
    kind = np.full(n, CHARITY, dtype=np.int8)
    kind[:DEPARTMENTS] = DEPARTMENT
    kind[DEPARTMENTS:DEPARTMENTS + n_places] = COUNCIL
    locality = np.full(n, -1, dtype=np.int64)
    locality[DEPARTMENTS:DEPARTMENTS + n_places] = np.arange(n_places)
    locality[DEPARTMENTS + n_places:] = rng.integers(0, n_places, n_charities)
    return n, kind, locality
