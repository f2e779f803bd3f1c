"""The record's figures of the places and of the staff in post, each in one compiled pass.

A month's record reads the places for ten reporters (the national outcome true and reported,
places on track, inequality, the most deprived tenth, capacity, early intervention, reach,
displaced cases) and the posts by employer for five (morale, evidence, practice, headcount,
vacancies). In NumPy each is a handful of small array operations, and their Python overhead
was a fifth of a workshop month. Each kernel here gives all of them in one call, with the
results of its NumPy reference bit for bit: the sums are NumPy's own pairwise sums
(:func:`~missionsim.model.compiled.add_reduce`), the products and quotients the same
operations in the same order. The references are kept beside them, for the unit tests
(``tests/unit/test_record_kernels.py``) and as the path taken when numba is not used.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from missionsim.model.compiled import add_reduce as _sum
from missionsim.model.compiled import compile_helper as _helper
from missionsim.model.compiled import compile_kernel as _compile
from missionsim.model.evidence_kernels import evidence_backed
from missionsim.model.reporter_kernels import (
    _on_track_kernel,
    _reported_kernel,
    on_track_reference,
    reported_reference,
    weighted_mean,
)
from missionsim.model.reporter_kernels import mean as _mean

PER_CAPITA = 10_000.0  # unit: count missions compare places per 10,000 of their population
DECILE = 10  # structural: the best and worst tenth of places


class PlaceFigures(NamedTuple):
    """The record's figures of the places (the mission indicator's units unless stated)."""

    outcome: float  # national true value
    reported: float  # national reported value
    on_track: int  # places at or ahead of their trajectory
    inequality: float  # best minus worst tenth of places (per 10,000 for counts)
    most_deprived: float  # the most deprived tenth (mean, or sum for counts)
    capacity: float  # mean council capacity
    early: float  # early intervention's share of councils' spending (weighted by core money)
    reach: float  # share of need reached (weighted by need)
    displaced: float  # cases moved elsewhere by gaming (0 without displacement)


class Mission(NamedTuple):
    """What the place figures need of the mission and the month."""

    direction: float
    per_place: bool  # a count (``sum``) mission: places add up, and compare per capita
    frac: float  # share of the way to the deadline
    target: float
    baseline: float
    displacement: bool
    share: float  # displaced share of the gap gaming hides
    per: float  # the rate's base (100 for a percentage)


# --- the places --------------------------------------------------------------------------------
def national(values: np.ndarray, cohort: np.ndarray, per_place: bool) -> float:
    """National value of a per-place indicator: a sum (``per_place``), else weighted by cohort."""
    return float(values.sum()) if per_place else weighted_mean(values, cohort)


def places_reference(y, best, gaming, y0, cohort, capacity, early_share, core, reach, need0,
                     deprived, m: Mission) -> PlaceFigures:
    """The place figures with NumPy (reference), as the reporters worked them out.

    ``deprived``: the most deprived tenth's place indices.
    """
    reported = reported_reference(y, best, gaming, m.direction)
    on_track = on_track_reference(y, y0, m.frac, m.direction, m.target, m.baseline, m.per_place)
    v = np.sort(y / cohort * PER_CAPITA if m.per_place else y)
    k = max(1, len(v) // DECILE)
    if m.displacement:
        moved = m.share * gaming * np.abs(best - y)
        displaced = float((moved if m.per_place else moved * cohort / m.per).sum())
    else:
        displaced = 0.0
    return PlaceFigures(national(y, cohort, m.per_place),
                        national(reported, cohort, m.per_place), on_track,
                        _mean(v[-k:]) - _mean(v[:k]),
                        national(y[deprived], cohort[deprived], m.per_place),
                        _mean(capacity), weighted_mean(early_share, core),
                        weighted_mean(reach, need0), displaced)


@_helper
def _national_kernel(values, cohort, per_place):
    if per_place:
        return _sum(values)
    return _sum(values * cohort) / _sum(cohort)


@_compile
def _places_kernel(y, best, gaming, y0, cohort, capacity, early_share, core, reach, need0,
                   deprived, direction, per_place, frac, target, baseline, displacement,
                   share, per):
    """Compiled :func:`places_reference`: the same figures, with NumPy's sums."""
    n = y.size
    reported = _reported_kernel(y, best, gaming, direction)
    on_track = _on_track_kernel(y, y0, frac, direction, target, baseline, per_place)
    v = np.sort(y / cohort * PER_CAPITA) if per_place else np.sort(y)
    k = max(1, n // DECILE)
    displaced = 0.0
    if displacement:
        moved = share * gaming * np.abs(best - y)
        displaced = _sum(moved) if per_place else _sum(moved * cohort / per)
    return (_national_kernel(y, cohort, per_place),
            _national_kernel(reported, cohort, per_place), on_track,
            _sum(v[n - k:]) / k - _sum(v[:k]) / k,
            _national_kernel(y[deprived], cohort[deprived], per_place),
            _sum(capacity) / capacity.size,
            _sum(early_share * core) / _sum(core),
            _sum(reach * need0) / _sum(need0),
            displaced)


def places(compiled: bool, y, best, gaming, y0, cohort, capacity, early_share, core, reach,
           need0, deprived, m: Mission) -> PlaceFigures:
    """The record's figures of the places; see :func:`places_reference`.

    The place arrays are one float a place; a ``best`` given as one number is left to the
    reference.
    """
    arrays = (y, best, gaming, y0, cohort, capacity, early_share, core, reach, need0)
    if not compiled or np.shape(best) != y.shape:
        return places_reference(*arrays, deprived, m)
    return PlaceFigures(*_places_kernel(*arrays, deprived, *m))


# --- the staff in post -------------------------------------------------------------------------
class InPost(NamedTuple):
    """The staff in post: their mean morale, evidence-backed share and practice; the counts."""

    morale: float
    evidence: float
    practice: float
    filled: int
    vacant: int
    funded: int


def in_post_reference(filled, morale, funded, belief, programme, own_programme, rollout,
                      practice) -> InPost:
    """The staff in post's means and the posts' counts, from the sums by employer (reference).

    ``filled``, ``morale``: each employer's posts in post and their holders' summed morale;
    ``funded``: funded posts per employer slot (every slot counts); ``belief``: the
    programmes' believed effects' means and precisions, the meaningful effect and the
    confidence z (a programme is evidence-backed where ``(mean - meaningful) / sd >= z``, with
    ``sd = 1 / sqrt(precision)``: :func:`~missionsim.model.evidence_kernels.evidence_backed`).
    An employer's posts count its evidence-backed share (the rolled-out programme's backing
    times its rollout plus its own programme's times the rest; -1: none, read as programme 0)
    and its practice.
    """
    n = rollout.size
    count = filled[:n]
    total, posts = int(count.sum()), int(funded.sum())
    if not total:
        return InPost(0.0, 0.0, 0.0, 0, posts, posts)
    backed = evidence_backed(*belief)
    used, own = np.maximum(programme, 0), np.maximum(own_programme, 0)  # -1: none
    share = rollout * backed[used] + (1.0 - rollout) * backed[own]
    return InPost(float(np.add.reduce(morale[:n]) / total),
                  float(np.add.reduce(count * share) / total),
                  float(np.add.reduce(count * practice) / total),
                  total, posts - total, posts)


@_compile
def _in_post_kernel(filled, morale, funded, mean, prec, meaningful, z, programme, own_programme,
                    rollout, practice):
    """Compiled :func:`in_post_reference`: the programmes' backing, then the employers.

    Each programme's backing is worked out once, then one pass over the employers; NumPy's sums.
    """
    n = rollout.size
    total = 0
    for j in range(n):
        total += filled[j]
    posts = 0
    for j in range(funded.size):
        posts += funded[j]
    if total == 0:
        return 0.0, 0.0, 0.0, 0, posts, posts
    backed = np.empty(mean.size)  # 1.0 where a programme is evidence-backed, else 0.0
    for k in range(mean.size):
        backed[k] = 1.0 if (mean[k] - meaningful) / (1.0 / math.sqrt(prec[k])) >= z else 0.0
    evidence = np.empty(n)
    used = np.empty(n)
    for j in range(n):
        a, b = backed[max(programme[j], 0)], backed[max(own_programme[j], 0)]
        evidence[j] = filled[j] * (rollout[j] * a + (1.0 - rollout[j]) * b)
        used[j] = filled[j] * practice[j]
    return (_sum(morale[:n]) / total, _sum(evidence) / total, _sum(used) / total,
            total, posts - total, posts)


def in_post(compiled: bool, filled, morale, funded, belief, programme, own_programme,
            rollout, practice) -> InPost:
    """The staff in post's means and the posts' counts; see :func:`in_post_reference`."""
    if not compiled or filled.size < rollout.size or morale.size < rollout.size:
        return in_post_reference(filled, morale, funded, belief, programme, own_programme,
                                 rollout, practice)
    mean, prec, meaningful, z = belief
    return InPost(*_in_post_kernel(filled, morale, funded, mean, prec, float(meaningful),
                                   float(z), programme, own_programme, rollout, practice))


def warm(compiled: bool) -> None:
    """Compile, or load from the cache, the kernels here on one place and one employer."""
    if not compiled:
        return
    real = np.ones(1)
    one = np.zeros(1, dtype=np.int64)
    mission = Mission(1.0, False, 0.5, 1.0, 0.0, True, 0.5, 100.0)  # structural: any mission
    places(True, *([real] * 10), one, mission)  # structural: the ten place arrays
    in_post(True, one + 1, real, one, (real, real, 0.0, 0.0), one, one, real, real)
