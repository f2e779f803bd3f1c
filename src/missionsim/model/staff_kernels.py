"""Compiled passes that read the staff posts: delivery, programme users and staff reporters.

Each kernel makes one pass over the posts where the NumPy code it replaces makes several (a
mask of the posts in post, gathers through employer and place, products, then ``bincount``).
Each gives exactly the result of its NumPy reference, kept here for the unit tests
(``tests/unit/test_staff_kernels.py``) and as the path taken when numba is not used: sums
run over the posts in post order from zero, as ``bincount`` adds its weights, and every
product keeps the reference's order of operations.
"""

from __future__ import annotations

import numpy as np

from missionsim.model.compiled import compile_kernel as _compile
from missionsim.model.state import FILLED


# --- delivery: effort × skill × practice × focus, summed per place ----------------------------
def delivery_reference(status: np.ndarray, loc: np.ndarray, org: np.ndarray,
                       morale: np.ndarray, skill: np.ndarray, pressure: np.ndarray,
                       time_left: np.ndarray, practice: np.ndarray, focus: np.ndarray,
                       charity: np.ndarray, n_places: int, weight: float) -> tuple:
    """Staff delivery per place, and the part of it by charities' staff (NumPy reference).

    Each post in post contributes ``((1 - weight) + weight × morale) × pressure[place] ×
    time_left[place] × skill × practice[employer] × focus[employer]``; ``charity`` marks the
    employers that are charities.
    """
    filled = status == FILLED
    effort = ((1.0 - weight) + weight * morale) * pressure[loc] * time_left[loc]
    contrib = (effort * skill * practice[org] * focus[org])[filled]
    staff = np.bincount(loc[filled], weights=contrib, minlength=n_places)
    by_charity = charity[org[filled]]
    charity_staff = np.bincount(loc[filled][by_charity], weights=contrib[by_charity],
                                minlength=n_places)
    return staff.astype(np.float64), charity_staff.astype(np.float64)


@_compile
def _delivery_kernel(status, loc, org, morale, skill, pressure, time_left, practice, focus,
                     charity, n_places, weight):
    """Compiled :func:`delivery_reference`: the same sums, in the same order."""
    staff = np.zeros(n_places)
    charity_staff = np.zeros(n_places)
    rest = 1.0 - weight
    for i in range(status.size):
        if status[i] != FILLED:
            continue
        place = loc[i]
        employer = org[i]
        c = ((rest + weight * morale[i]) * pressure[place] * time_left[place] * skill[i]
             * practice[employer] * focus[employer])
        staff[place] += c
        if charity[employer]:
            charity_staff[place] += c
    return staff, charity_staff


# --- programme users: a council's teams split by its rollout share ----------------------------
def users_reference(status: np.ndarray, loc: np.ndarray, org: np.ndarray, rollout: np.ndarray,
                    programme: np.ndarray, own: np.ndarray, weight: np.ndarray | None,
                    n_programmes: int) -> np.ndarray:
    """Staff in post using each programme, each counting ``weight[place]`` if given (reference).

    A post counts ``rollout[employer]`` towards its employer's programme and the rest towards
    the employer's own programme.
    """
    filled = status == FILLED
    employer = org[filled]
    share = rollout[employer]
    other = 1.0 - share
    if weight is not None:
        w = weight[loc[filled]]
        share, other = share * w, other * w
    return (np.bincount(programme[employer], weights=share, minlength=n_programmes)
            + np.bincount(own[employer], weights=other, minlength=n_programmes)
            ).astype(np.float64)  # floats even with no staff in post


@_compile
def _users_kernel(status, loc, org, rollout, programme, own, weight, weighted, n_programmes):
    """Compiled :func:`users_reference` (``weighted`` says whether ``weight`` is used)."""
    adopted = np.zeros(n_programmes)
    kept = np.zeros(n_programmes)
    for i in range(status.size):
        if status[i] != FILLED:
            continue
        employer = org[i]
        share = rollout[employer]
        other = 1.0 - share
        if weighted:
            w = weight[loc[i]]
            share = share * w
            other = other * w
        adopted[programme[employer]] += share
        kept[own[employer]] += other
    return adopted + kept


# --- counts of the posts in post, by employer or by place ----------------------------------
PARTS = 4  # structural: interleaved tallies, enough to keep additions from waiting
"""How many interleaved tallies :func:`_count_kernel` counts posts in (a power of two)."""


def count_reference(status: np.ndarray, keys: np.ndarray, minlength: int) -> np.ndarray:
    """Posts in post with each value of ``keys`` (an employer or a place), as ``bincount``."""
    return np.bincount(keys[status == FILLED], minlength=minlength)


@_compile
def _count_kernel(status, keys, minlength):
    """Compiled :func:`count_reference` for keys under ``minlength``, in one pass.

    Posts of one employer or place mostly lie together, and adding one to the same count
    post after post waits each time for the last addition; so posts are counted in
    :data:`PARTS` interleaved tallies (post ``i`` in tally ``i mod PARTS``), summed at the end.
    Returns the counts and whether a post in post has a key outside [0, ``minlength``)
    (then the caller counts with ``bincount``).
    """
    part = np.zeros((PARTS, minlength), dtype=np.int64)
    outside = False
    for i in range(status.size):
        k = keys[i]
        filled = status[i] == FILLED
        if 0 <= k < minlength:
            part[i & (PARTS - 1), k] += filled
        elif filled:
            outside = True
    counts = np.zeros(minlength, dtype=np.int64)
    for j in range(PARTS):
        for k in range(minlength):
            counts[k] += part[j, k]
    return counts, outside


def count_in_post(compiled: bool, status: np.ndarray, keys: np.ndarray,
                  minlength: int) -> np.ndarray:
    """Posts in post per employer or place; see :func:`count_reference`."""
    minlength = int(minlength)
    if compiled:
        counts, outside = _count_kernel(status, keys, minlength)
        if not outside:
            return counts
    return count_reference(status, keys, minlength)


# --- reporters: a value of each post in post, in post order -----------------------------------
def in_post_reference(status: np.ndarray, values: np.ndarray,
                      employer: np.ndarray | None = None) -> np.ndarray:
    """``values`` of the posts in post, or ``values[employer]`` with ``employer`` (reference).

    The staff reporters average these (morale; an employer's practice or evidence).
    """
    filled = status == FILLED
    return values[filled] if employer is None else values[employer[filled]]


def in_post_values_reference(status: np.ndarray, values: np.ndarray, employer: np.ndarray,
                             by_employer: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """``values`` of the posts in post, then each of ``by_employer`` through their employers.

    The three staff reporters' arrays in one call (reference: one :func:`in_post_reference`
    each).
    """
    return (in_post_reference(status, values),
            *(in_post_reference(status, v, employer) for v in by_employer))


@_compile
def _in_post_values_kernel(status, values, employer, first, second):
    """Compiled :func:`in_post_values_reference` for two employer values, in one pass."""
    n = np.count_nonzero(status == FILLED)
    own, out1, out2 = np.empty(n), np.empty(n), np.empty(n)
    k = 0
    for i in range(status.size):
        if status[i] == FILLED:
            own[k] = values[i]
            out1[k] = first[employer[i]]
            out2[k] = second[employer[i]]
            k += 1
    return own, out1, out2


def in_post_values(compiled: bool, status: np.ndarray, values: np.ndarray, employer: np.ndarray,
                   first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, ...]:
    """A value of each post in post and two of its employer's (see the reference)."""
    if not compiled:
        return in_post_values_reference(status, values, employer, (first, second))
    return _in_post_values_kernel(status, values, employer,
                                  np.ascontiguousarray(first, dtype=np.float64),
                                  np.ascontiguousarray(second, dtype=np.float64))


def delivery(compiled: bool, *args) -> tuple:
    """Staff delivery per place and its charities' part; see :func:`delivery_reference`."""
    return (_delivery_kernel if compiled else delivery_reference)(*args)


def programme_users(compiled: bool, status, loc, org, rollout, programme, own, weight,
                    n_programmes: int) -> np.ndarray:
    """Staff in post using each programme; see :func:`users_reference`."""
    if not compiled:
        return users_reference(status, loc, org, rollout, programme, own, weight, n_programmes)
    weighted = weight is not None
    weight = np.ascontiguousarray(weight, dtype=np.float64) if weighted else np.ones(1)
    return _users_kernel(status, loc, org, rollout, programme, own, weight, weighted,
                         n_programmes)


def warm(compiled: bool) -> None:
    """Compile, or load from the cache, the kernels here on a one-post staff."""
    if not compiled:
        return
    one = np.zeros(1, dtype=np.int64)
    status = np.full(1, FILLED, dtype=np.int8)
    real = np.ones(1)
    _delivery_kernel(status, one, one, real, real, real, real, real, real,
                     np.zeros(1, dtype=bool), 1, 1.0)
    _users_kernel(status, one, one, real, one, one, real, False, 1)
    _count_kernel(status, one, 1)
    _in_post_values_kernel(status, real, one, real, real)
