"""Compiled passes for the model-level reporters, with the NumPy passes they replace.

A record reads the posts, the charities, the ties and the places once each month. Each
kernel here makes one pass where the NumPy code makes several (masks, gathers, counts), and
gives exactly the result of its NumPy reference, kept beside it for the unit tests
(``tests/unit/test_reporter_kernels.py``) and as the path taken when numba is not used.
Only counts, gathers, comparisons and single sums, differences, products or divisions are
compiled here; sums and means over arrays stay NumPy's (:func:`mean`), as does the median where
NumPy's own ordering of equal values could decide it (:func:`reserves_median`). The figures of
the places and of the staff in post, whose sums are NumPy's pairwise sums reproduced in
compiled code, are in :mod:`~missionsim.model.record_kernels`.
"""

from __future__ import annotations

import math

import numpy as np

from missionsim.model.compiled import compile_helper as _helper
from missionsim.model.compiled import compile_kernel as _compile
from missionsim.model.compiled import maximum as _maximum
from missionsim.model.state import CHARITY, COUNCIL

LEAST_DIVISOR = 1e-9  # structural: avoids a division by zero
"""Least divisor of a charity's reserves' months and a place's shortfall, as the model's own."""


# --- charities' reserves ----------------------------------------------------------------------
def reserves_reference(kind: np.ndarray, active: np.ndarray, reserves: np.ndarray,
                       funded: np.ndarray, bill: float) -> np.ndarray:
    """Reserves of each operating charity in months of its current costs (NumPy reference).

    The costs are ``funded`` posts (per organisation slot) times ``bill``, at least
    :data:`LEAST_DIVISOR`; in slot order.
    """
    charities = (kind == CHARITY) & active
    cost = funded[:kind.size] * bill
    return (reserves / np.maximum(cost, LEAST_DIVISOR))[charities]


@_helper
def _reserves_kernel(kind, active, reserves, funded, bill):
    """Compiled :func:`reserves_reference`: a count, then one pass over the charities."""
    n = 0
    for j in range(kind.size):
        if kind[j] == CHARITY and active[j]:
            n += 1
    out = np.empty(n)
    k = 0
    for j in range(kind.size):
        if kind[j] == CHARITY and active[j]:
            out[k] = reserves[j] / _maximum(funded[j] * bill, LEAST_DIVISOR)
            k += 1
    return out


def charity_reserves(compiled: bool, kind, active, reserves, funded, bill: float) -> np.ndarray:
    """Operating charities' reserves in months of costs; see :func:`reserves_reference`."""
    if not compiled or funded.size < kind.size or reserves.size != kind.size:
        return reserves_reference(kind, active, reserves, funded, bill)
    return _reserves_kernel(kind, active, np.ascontiguousarray(reserves, dtype=np.float64),
                            funded, float(bill))


@_compile
def _reserves_median_kernel(kind, active, reserves, funded, bill):
    """The operating charities' number, lower and upper middle months, and whether plain.

    Plain: no value is a NaN or -0.0, so every order of them puts the same bits in the middle.
    """
    months = _reserves_kernel(kind, active, reserves, funded, bill)
    n = months.size
    for x in months:
        if x != x or (x == 0.0 and math.copysign(1.0, x) < 0.0):
            return n, 0.0, 0.0, False
    if n == 0:
        return n, 0.0, 0.0, True
    half = n // 2  # structural: the middle
    part = np.partition(months, half)
    lower = upper = part[half]
    if n % 2 == 0:  # structural: an even count has two middle values
        lower = part[0]
        for i in range(1, half):
            lower = max(lower, part[i])
    return n, lower, upper, True


def reserves_median(compiled: bool, kind, active, reserves, funded,
                    bill: float) -> tuple[int, float]:
    """The number of operating charities and the median of their reserves' months (0 if none).

    :func:`median` of :func:`charity_reserves`. Compiled, the middle values are found in the
    same pass and NumPy's mean of them (their sum, halved) is taken here; where a value is a
    NaN or -0.0, NumPy's partition decides which lies in the middle, so it is used instead.
    """
    if compiled and funded.size >= kind.size and reserves.size == kind.size:
        n, lower, upper, plain = _reserves_median_kernel(
            kind, active, np.ascontiguousarray(reserves, dtype=np.float64), funded, float(bill))
        if plain:
            middle = upper if n % 2 else (lower + upper) / 2  # structural: the mean of two
            return n, (middle if n else 0.0)
    months = charity_reserves(compiled, kind, active, reserves, funded, bill)
    return months.size, (median(months) if months.size else 0.0)


def mean(values: np.ndarray) -> float:
    """``values.mean()`` of a float array (0 when empty): NumPy's same sum, less overhead."""
    return float(np.add.reduce(values) / values.size) if values.size else 0.0


def weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    """``np.average(values, weights=weights)`` of float arrays: the same sums, less overhead.

    The weights must not sum to zero (a population, a need or a budget: always positive).
    """
    return float(np.add.reduce(np.multiply(values, weights)) / np.add.reduce(weights))


def median(values: np.ndarray) -> float:
    """``np.median`` of a non-empty float array, by its same steps with less overhead.

    NumPy partitions a copy at the middle one or two places and the last (where a NaN would
    sort), takes NumPy's mean of the middle, and gives the last value instead if it is a NaN.
    """
    n = values.size
    half = n // 2  # structural: the middle
    odd = n % 2  # structural: an odd count has one middle value
    part = np.partition(values, [half, -1] if odd else [half - 1, half, -1])
    middle = part[half - 1 + odd:half + 1]
    last = float(part[-1])
    if last != last:  # a NaN
        return last
    return float(np.add.reduce(middle) / middle.size)


# --- ties within each locality ----------------------------------------------------------------
def densities_reference(u: np.ndarray, v: np.ndarray, locality: np.ndarray, kind: np.ndarray,
                        active: np.ndarray, n_places: int) -> np.ndarray:
    """Density of ties among each locality's operating council and charities (reference).

    Ties present over pairs possible, for each locality with at least one pair, in locality
    order.
    """
    local = ((kind == CHARITY) | (kind == COUNCIL)) & active
    n_orgs = np.bincount(locality[local], minlength=n_places)
    lu, lv = locality[u], locality[v]
    same = (lu == lv) & (lu >= 0) & local[u] & local[v]
    ties = np.bincount(lu[same], minlength=n_places)
    possible = n_orgs * (n_orgs - 1) / 2  # structural: pairs of organisations
    ok = possible > 0
    return ties[ok] / possible[ok]


@_compile
def _densities_kernel(u, v, locality, kind, active, n_places):
    """Compiled :func:`densities_reference`: one pass over the organisations, one over ties.

    Returns the densities and True, or an empty array and False where an operating council
    or charity lies outside the localities (left to the reference, which ``bincount`` checks).
    """
    n_orgs = np.zeros(n_places, dtype=np.int64)
    local = np.zeros(kind.size, dtype=np.bool_)
    for j in range(kind.size):
        if (kind[j] == CHARITY or kind[j] == COUNCIL) and active[j]:
            place = locality[j]
            if place < 0 or place >= n_places:
                return np.empty(0), False
            local[j] = True
            n_orgs[place] += 1
    ties = np.zeros(n_places, dtype=np.int64)
    for e in range(u.size):
        a, b = u[e], v[e]
        place = locality[a]
        if place == locality[b] and place >= 0 and local[a] and local[b]:
            ties[place] += 1
    n = 0
    for i in range(n_places):
        if n_orgs[i] * (n_orgs[i] - 1) > 0:
            n += 1
    out = np.empty(n)
    k = 0
    for i in range(n_places):
        pairs = n_orgs[i] * (n_orgs[i] - 1)
        if pairs > 0:
            out[k] = ties[i] / (pairs / 2)  # structural: pairs of organisations
            k += 1
    return out, True


def densities(compiled: bool, u, v, locality, kind, active, n_places: int) -> np.ndarray:
    """Tie density per locality with a pair of organisations; see :func:`densities_reference`."""
    if compiled:
        out, ok = _densities_kernel(u, v, locality, kind, active, n_places)
        if ok:
            return out
    return densities_reference(u, v, locality, kind, active, n_places)


# --- places on track ---------------------------------------------------------------------------
def on_track_reference(y: np.ndarray, y0: np.ndarray, frac: float, direction: float,
                       target: float, baseline: float, per_place: bool) -> int:
    """Places at or ahead of their own trajectory (NumPy reference).

    As ``places_behind(reported=False) <= 0`` of the model: each place's trajectory is its
    start ``y0`` plus ``frac`` of the change the mission requires of it (the national change,
    or for counts, ``per_place``, its pro-rata share), and a place is behind by its shortfall
    in the mission's ``direction`` over that change's size.
    """
    if per_place:
        required = (target / baseline - 1.0) * y0
        scale = np.abs(target / baseline - 1.0) * y0
    else:
        required = np.full(y0.size, target - baseline)
        scale = np.full(y0.size, abs(target - baseline))
    shortfall = direction * ((y0 + frac * required) - y)
    behind = np.maximum(0.0, shortfall / np.maximum(scale, LEAST_DIVISOR))
    return int(np.count_nonzero(behind <= 0.0))


@_helper
def _on_track_kernel(y, y0, frac, direction, target, baseline, per_place):
    """Compiled :func:`on_track_reference`: one pass over the places."""
    count = 0
    for i in range(y.size):
        if per_place:
            required = (target / baseline - 1.0) * y0[i]
            scale = abs(target / baseline - 1.0) * y0[i]
        else:
            required = target - baseline
            scale = abs(target - baseline)
        shortfall = direction * ((y0[i] + frac * required) - y[i])
        if _maximum(0.0, shortfall / _maximum(scale, LEAST_DIVISOR)) <= 0.0:
            count += 1
    return count


# --- the reported indicator ------------------------------------------------------------------
def reported_reference(y: np.ndarray, best: np.ndarray, gaming: np.ndarray,
                       direction: float) -> np.ndarray:
    """The reported indicator per place, as the model's ``outcomes.reported`` (reference).

    Where a place games, its true gap to ``best`` shrunk by ``gaming``; elsewhere ``y``.
    """
    gap = np.abs(best - y) * (1.0 - gaming)
    return np.where(gaming > 0.0, best - direction * gap, y)


@_helper
def _reported_kernel(y, best, gaming, direction):
    """Compiled :func:`reported_reference`: one pass over the places."""
    out = np.empty(y.size)
    for i in range(y.size):
        if gaming[i] > 0.0:
            out[i] = best[i] - direction * (abs(best[i] - y[i]) * (1.0 - gaming[i]))
        else:
            out[i] = y[i]
    return out


def warm(compiled: bool) -> None:
    """Compile, or load from the cache, the kernels here on one post, charity and tie."""
    if not compiled:
        return
    one = np.zeros(1, dtype=np.int64)
    real = np.ones(1)
    kind = np.full(1, CHARITY, dtype=np.int8)
    active = np.ones(1, dtype=bool)
    _reserves_kernel(kind, active, real, one, 1.0)
    _reserves_median_kernel(kind, active, real, one, 1.0)
    _densities_kernel(one, one, one, kind, active, 1)
