"""Compiled passes of the partnership network's tie arrays (:mod:`missionsim.model.network`).

The network keeps each tie's ends, kind and trust in four arrays. Finding the ties of one
organisation and dropping ties from all four arrays are single compiled passes here, each
beside its NumPy reference (the path taken when numba is not used;
``tests/unit/test_ties_kernels.py`` compares the two).
"""

from __future__ import annotations

import numpy as np

from missionsim.model.compiled import compile_kernel as _compile


def touching_reference(u: np.ndarray, v: np.ndarray, slot: int) -> np.ndarray:
    """Positions of the ties (ends ``u``, ``v``) with ``slot`` at either end (NumPy)."""
    return np.flatnonzero((u == slot) | (v == slot))


@_compile
def _touching_kernel(u, v, slot):
    """Compiled :func:`touching_reference`."""
    out = np.empty(u.size, dtype=np.int64)
    n = 0
    for i in range(u.size):
        if u[i] == slot or v[i] == slot:
            out[n] = i
            n += 1
    return out[:n].copy()


def touching(compiled: bool, u: np.ndarray, v: np.ndarray, slot: int) -> np.ndarray:
    """Positions of the ties of ``slot``; see :func:`touching_reference`."""
    return (_touching_kernel if compiled else touching_reference)(u, v, int(slot))


def drop_reference(u, v, kind, trust, idx) -> tuple:
    """The four tie arrays without the ties at positions ``idx`` (NumPy reference)."""
    keep = np.ones(u.size, dtype=bool)
    keep[idx] = False
    return u[keep], v[keep], kind[keep], trust[keep]


@_compile
def _drop_kernel(u, v, kind, trust, idx):
    """Compiled :func:`drop_reference`."""
    keep = np.ones(u.size, dtype=np.bool_)
    for i in idx:
        keep[i] = False
    n = 0
    for i in range(u.size):
        if keep[i]:
            n += 1
    new_u = np.empty(n, dtype=u.dtype)
    new_v = np.empty(n, dtype=v.dtype)
    new_kind = np.empty(n, dtype=kind.dtype)
    new_trust = np.empty(n, dtype=trust.dtype)
    j = 0
    for i in range(u.size):
        if keep[i]:
            new_u[j] = u[i]
            new_v[j] = v[i]
            new_kind[j] = kind[i]
            new_trust[j] = trust[i]
            j += 1
    return new_u, new_v, new_kind, new_trust


def drop(compiled: bool, u, v, kind, trust, idx) -> tuple:
    """The tie arrays without the ties at ``idx``; see :func:`drop_reference`."""
    fn = _drop_kernel if compiled else drop_reference
    return fn(u, v, kind, trust, idx)


def warm(compiled: bool) -> None:
    """Compile, or load from the cache, the kernels here on a one-tie network."""
    if not compiled:
        return
    ends, kinds, trusts = np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int8), np.ones(1)
    touching(True, ends, ends, 0)
    drop(True, ends, ends, kinds, trusts, ends)
