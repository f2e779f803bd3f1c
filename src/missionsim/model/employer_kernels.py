"""Sums over each employer's posts in post: the posts in post, skill, morale × skill, morale.

The workforce's turnover pass makes them as it leaves each post, and :func:`org_sums` makes
them afresh where none are kept (``StaffArrays.sums_by_org``); both add each holder through
:func:`add_holder`, so they are the same sums. The compiled pass gives exactly the result of
its NumPy reference, kept here for the unit tests (``tests/unit/test_staff_kernels.py``) and as
the path taken when numba is not used: the sums run over the posts in post order from zero, as
``bincount`` adds its weights.
"""

from __future__ import annotations

import numpy as np

from missionsim.model.compiled import compile_helper as _helper
from missionsim.model.compiled import compile_kernel as _compile
from missionsim.model.state import FILLED


def org_sums_reference(status: np.ndarray, org: np.ndarray, skill: np.ndarray,
                       morale: np.ndarray, n_orgs: int) -> tuple:
    """Posts in post per employer, and the sums of skill, morale × skill and morale (NumPy).

    Each sum runs over the posts in post order from zero, as ``bincount`` adds its weights.
    """
    filled = status == FILLED
    employer = org[filled]
    held_skill, held_morale = skill[filled], morale[filled]
    return (np.bincount(employer, minlength=n_orgs).astype(np.int64),
            np.bincount(employer, weights=held_skill, minlength=n_orgs).astype(np.float64),
            np.bincount(employer, weights=held_morale * held_skill,
                        minlength=n_orgs).astype(np.float64),
            np.bincount(employer, weights=held_morale, minlength=n_orgs).astype(np.float64))


@_helper
def add_holder(filled, held_skill, effort, held_morale, o, morale, skill):
    """Add a holder to employer ``o``'s sums in place; False (adding nothing) if ``o`` is outside.

    Both passes that make the sums add through this, so they give the same sums bit for bit.
    """
    if o < 0 or o >= filled.size:
        return False
    filled[o] += 1
    held_skill[o] += skill
    effort[o] += morale * skill
    held_morale[o] += morale
    return True


@_compile
def _org_sums_kernel(status, org, skill, morale, n_orgs):
    """Compiled :func:`org_sums_reference` under ``n_orgs``, and whether an employer is outside.

    Where one is, the caller uses the reference, which ``bincount`` checks.
    """
    filled = np.zeros(n_orgs, dtype=np.int64)
    held_skill, effort, held_morale = np.zeros(n_orgs), np.zeros(n_orgs), np.zeros(n_orgs)
    for i in range(status.size):
        if status[i] != FILLED:
            continue
        if not add_holder(filled, held_skill, effort, held_morale, org[i], morale[i],
                          skill[i]):
            return filled, held_skill, effort, held_morale, True
    return filled, held_skill, effort, held_morale, False


def org_sums(compiled: bool, status: np.ndarray, org: np.ndarray, skill: np.ndarray,
             morale: np.ndarray, n_orgs: int) -> tuple:
    """Posts in post and sums by employer; see :func:`org_sums_reference`."""
    n_orgs = int(n_orgs)
    if compiled:
        *sums, outside = _org_sums_kernel(status, org, skill, morale, n_orgs)
        if not outside:
            return tuple(sums)
    return org_sums_reference(status, org, skill, morale, n_orgs)


def warm(compiled: bool) -> None:
    """Compile, or load from the cache, the pass here on a one-post staff."""
    if compiled:
        one, real = np.zeros(1, dtype=np.int64), np.ones(1)
        org_sums(True, np.full(1, FILLED, dtype=np.int8), one, real, real, 1)
