"""Compiled passes over the staff posts and their sums by employer: delivery, evidence, counts.

One pass over the posts a month sums each employer's posts in post, their skill and their
morale (:mod:`~missionsim.model.employer_kernels`, kept by ``StaffArrays.sums_by_org`` until
the posts change); the delivery and the evidence from practice are then sums over the
employers. Each kernel makes one
pass where the NumPy code it replaces makes several (masks, gathers, products, then
``bincount``) and gives exactly the result of its NumPy reference, kept here for the unit tests
(``tests/unit/test_staff_kernels.py``) and as the path taken when numba is not used: sums run
over the posts, or the employers, in order from zero, as ``bincount`` adds its weights, and
every product keeps the reference's order of operations.
"""

from __future__ import annotations

import numpy as np

from missionsim.model import outcome_kernels as _outcome
from missionsim.model.compiled import compile_helper as _helper
from missionsim.model.compiled import compile_kernel as _compile
from missionsim.model.compiled import maximum as _maximum
from missionsim.model.state import CHARITY, FILLED, each


@_helper
def _at(k, n):
    """Index ``k`` of an array of ``n``, counted from the end where negative (as NumPy).

    Unsigned, so that the array read with it is not checked for a negative index again.
    """
    return np.uint64(k + n if k < 0 else k)


# --- delivery: effort × skill × practice × focus, summed per place ----------------------------
def delivery_reference(filled: np.ndarray, skill: np.ndarray, effort: np.ndarray,
                       locality: np.ndarray, pressure: np.ndarray, time_left: np.ndarray,
                       practice: np.ndarray, focus: np.ndarray, charity: np.ndarray,
                       n_places: int, weight: float) -> tuple:
    """Staff delivery per place, and the part of it by charities' staff (NumPy reference).

    Each holder of a post delivers ``((1 - weight) + weight × morale) × skill``, times their
    place's ``pressure`` and ``time_left`` and their employer's ``practice`` and ``focus``.
    Summed over an employer's holders that is ``((1 - weight) × skill + weight × effort) ×
    pressure × time_left × practice × focus``, with ``skill`` and ``effort`` the employer's
    sums of skill and of morale × skill
    (:func:`~missionsim.model.employer_kernels.org_sums_reference`); employers with nobody in
    post (``filled``) add nothing. ``charity`` marks the employers that are charities.
    """
    working = np.flatnonzero(filled[:practice.size] > 0)
    place = locality[working]
    place = np.where(place < 0, place + n_places, place)  # from the end, as NumPy reads it
    contrib = (((1.0 - weight) * skill[working] + weight * effort[working]) * pressure[place]
               * time_left[place] * practice[working] * focus[working])
    staff = np.bincount(place, weights=contrib, minlength=n_places)
    by_charity = charity[working]
    charity_staff = np.bincount(place[by_charity], weights=contrib[by_charity],
                                minlength=n_places)
    return staff.astype(np.float64), charity_staff.astype(np.float64)


@_helper
def _delivery_kernel(filled, skill, effort, locality, pressure, time_left, practice, focus,
                     charity, n_places, weight):
    """Compiled :func:`delivery_reference`: the same sums, in the same order (employer order).

    A place is read with an unsigned index (a negative one first counted from the end, as
    NumPy counts it), which spares a check at each read.
    """
    staff = np.zeros(n_places)
    charity_staff = np.zeros(n_places)
    rest = 1.0 - weight
    for o in range(practice.size):
        if filled[o] <= 0:
            continue
        here = _at(locality[o], n_places)
        c = ((rest * skill[o] + weight * effort[o]) * pressure[here] * time_left[here]
             * practice[o] * focus[o])
        staff[here] += c
        if charity[o]:
            charity_staff[here] += c
    return staff, charity_staff


# --- the month's delivery per place: employers, posts, ties and places in one call ------------
EMPLOYER_PARAMETERS = slice(0, 5)  # structural: the five parameters of ``employers``
POST_PARAMETERS = slice(5, 8)  # structural: pressure effort, morale effort, coordination
PLACE_PARAMETERS = slice(8, None)  # structural: the eleven parameters of ``delivered``
_NO_FACTOR = np.ones(1)
"""Stands in for a places file's reach factor where there is none (never read)."""
_NO_WEIGHT = np.ones(1)
"""Stands in for the weights of :func:`_information_kernel` where trials are everywhere."""


def month_delivery_reference(staff: tuple, orgs: tuple, ties: tuple, places: tuple,
                             levers: tuple, par: tuple) -> tuple:
    """Delivery per unit of need, volunteers and reach per place this month (NumPy reference).

    The outcome phase's steps in order: each employer's practice factor and focus
    (:func:`~missionsim.model.outcome_kernels.employers_reference`), the staff pass
    (:func:`delivery_reference`), the ties within each place
    (:func:`~missionsim.model.outcome_kernels.local_ties_reference`) and the places
    (:func:`~missionsim.model.outcome_kernels.delivered_reference`). ``staff``: each
    employer's posts in post and its holders' sums of skill and of morale × skill
    (:func:`~missionsim.model.employer_kernels.org_sums_reference`); ``orgs``: practice, kind,
    place, whether active, the punitive lever at each; ``ties``: their ends, trust and whether
    cross-sector; ``places``: starting volunteers, capacity, need at month 0, the month's demand
    multiplier and the reach factor (or None); ``levers``: punitive, staff time, data sharing,
    mobilisation and autonomy (numbers or arrays over places); ``par``: the five of
    ``employers``, the pressure effort, the morale effort, the national coordination and the
    eleven of ``delivered``.
    """
    filled, skill, effort = staff
    practice, kind, locality, active, punitive = orgs
    volunteers0, capacity, need0, demand, factor = places
    punitive_here, staff_time, data_sharing, mobilisation, autonomy = levers
    n = capacity.size
    factor_o, focus, charities = _outcome.employers_reference(practice, kind, punitive,
                                                              par[EMPLOYER_PARAMETERS])
    pressure_effort, morale_effort, national = par[POST_PARAMETERS]
    pressure = each(1.0 + pressure_effort * punitive_here, n)
    time_left = each(1.0 - staff_time, n)
    staff_sum, charity_staff = delivery_reference(filled, skill, effort, locality, pressure,
                                                  time_left, factor_o, focus, charities, n,
                                                  morale_effort)
    trust, strength = _outcome.local_ties_reference(*ties, locality, kind, active, n)
    return _outcome.delivered_reference(staff_sum, charity_staff, volunteers0, strength, trust,
                                        capacity, need0 * demand,
                                        (data_sharing, mobilisation, autonomy), factor,
                                        national, par[PLACE_PARAMETERS])


@_compile
def _month_delivery_kernel(filled, skill, effort, practice, kind, locality, active, punitive, u,
                           v, trust, cross, volunteers0, capacity, need0, demand, factor,
                           has_factor, levers, employer_par, pressure_effort, morale_effort,
                           national, delivered_par):
    """Compiled :func:`month_delivery_reference` (``levers`` one row per lever, over places)."""
    n = capacity.size
    factor_o, focus, charities = _outcome._employers_kernel(practice, kind, punitive,
                                                            employer_par)
    pressure, time_left, need = np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        pressure[i] = 1.0 + pressure_effort * levers[0, i]
        time_left[i] = 1.0 - levers[1, i]
        need[i] = need0[i] * demand
    staff_sum, charity_staff = _delivery_kernel(filled, skill, effort, locality, pressure,
                                                time_left, factor_o, focus, charities, n,
                                                morale_effort)
    mean_trust, strength = _outcome._local_ties_kernel(u, v, trust, cross, locality, kind,
                                                       active, n)
    place_levers = levers[2:]  # structural: data sharing, mobilisation, autonomy
    return _outcome._delivered_kernel(staff_sum, charity_staff, volunteers0, strength,
                                      mean_trust, capacity, need, place_levers, factor,
                                      has_factor, national, delivered_par)


def month_delivery(compiled: bool, staff: tuple, orgs: tuple, ties: tuple, places: tuple,
                   levers: tuple, par: tuple) -> tuple:
    """Delivery per unit of need, volunteers and reach per place; see the reference."""
    par = tuple(map(float, par))
    if not compiled:
        return month_delivery_reference(staff, orgs, ties, places, levers, par)
    volunteers0, capacity, need0, demand, factor = places
    practice, kind, locality, active, punitive = orgs
    rows = np.empty((len(levers), capacity.size))
    if all(isinstance(lever, float) for lever in levers):
        rows.T[...] = levers  # each a number in every place, in one call
    else:
        for row, lever in zip(rows, levers, strict=True):
            row[...] = lever  # a number in every place, or the lever's value in each
    has_factor = factor is not None
    return _month_delivery_kernel(*staff, practice, kind, locality, active,
                                  each(punitive, kind.size), *ties, volunteers0,
                                  capacity, need0, float(demand),
                                  factor if has_factor else _NO_FACTOR,
                                  has_factor, rows, par[EMPLOYER_PARAMETERS],
                                  *par[POST_PARAMETERS], par[PLACE_PARAMETERS])


# --- programme users: a council's teams split by its rollout share ----------------------------
def users_reference(filled: np.ndarray, locality: np.ndarray, rollout: np.ndarray,
                    programme: np.ndarray, own: np.ndarray, weight: np.ndarray | None,
                    n_programmes: int) -> np.ndarray:
    """Staff in post using each programme, each counting ``weight[place]`` if given (reference).

    An employer's ``filled`` posts in post count ``rollout`` of themselves towards its
    programme and the rest towards its own programme; employers with nobody in post are left
    out (their programme may be none, -1).
    """
    working = np.flatnonzero(filled[:rollout.size] > 0)
    count = filled[working].astype(np.float64)
    share = rollout[working]
    other = 1.0 - share
    adopted, kept = count * share, count * other
    if weight is not None:
        w = weight[locality[working]]
        adopted, kept = adopted * w, kept * w
    return (np.bincount(programme[working], weights=adopted, minlength=n_programmes)
            + np.bincount(own[working], weights=kept, minlength=n_programmes)
            ).astype(np.float64)  # floats even with no staff in post


# --- the month's information about each programme ------------------------------------------
def information_reference(filled: np.ndarray, locality: np.ndarray, rollout: np.ndarray,
                          programme: np.ndarray, own: np.ndarray, trials, n_programmes: int,
                          rigour: float, trial_rigour: float) -> tuple:
    """The month's information about each programme from the staff using it (reference).

    Uncontrolled experience yields ``rigour`` per user; trials ``trial_rigour`` per user
    times ``trials``, the experimentation lever (a number, or an array over places: then each
    user counts as its value in their place, see :func:`users_reference`). ``filled``: each
    employer's posts in post. Returns the uncontrolled information, all of it, and all of it
    floored at zero.
    """
    users = users_reference(filled, locality, rollout, programme, own, None, n_programmes)
    info_u = users * rigour
    if np.ndim(trials):
        info_t = users_reference(filled, locality, rollout, programme, own, trials,
                                 n_programmes) * trial_rigour
    else:
        info_t = users * trial_rigour * trials
    info = info_u + info_t
    return info_u, info, np.maximum(info, 0.0)


@_compile
def _information_kernel(filled, locality, rollout, programme, own, weight, weighted,
                        n_programmes, rigour, trial_rigour, trials):
    """Compiled :func:`information_reference` (``weighted``: trials vary by place).

    Programmes and places are read with unsigned indices, as in :func:`_delivery_kernel`.
    """
    adopted, kept = np.zeros(n_programmes), np.zeros(n_programmes)
    adopted_w, kept_w = np.zeros(n_programmes), np.zeros(n_programmes)
    for o in range(rollout.size):
        if filled[o] <= 0:
            continue
        count = float(filled[o])
        share = rollout[o]
        other = 1.0 - share
        mine, theirs = _at(programme[o], n_programmes), _at(own[o], n_programmes)
        adopted[mine] += count * share
        kept[theirs] += count * other
        if weighted:
            w = weight[_at(locality[o], weight.size)]
            adopted_w[mine] += count * share * w
            kept_w[theirs] += count * other * w
    info_u, info, floored = (np.empty(n_programmes), np.empty(n_programmes),
                             np.empty(n_programmes))
    for j in range(n_programmes):
        users = adopted[j] + kept[j]
        info_u[j] = users * rigour
        if weighted:
            info_t = (adopted_w[j] + kept_w[j]) * trial_rigour
        else:
            info_t = users * trial_rigour * trials
        info[j] = info_u[j] + info_t
        floored[j] = _maximum(info[j], 0.0)
    return info_u, info, floored


def information(compiled: bool, filled, locality, rollout, programme, own, trials,
                n_programmes: int, rigour: float, trial_rigour: float) -> tuple:
    """The month's information about each programme; see :func:`information_reference`."""
    if not compiled:
        return information_reference(filled, locality, rollout, programme, own, trials,
                                     n_programmes, rigour, trial_rigour)
    weighted = isinstance(trials, np.ndarray) and trials.ndim > 0
    weight = np.ascontiguousarray(trials, dtype=np.float64) if weighted else _NO_WEIGHT
    return _information_kernel(filled, locality, rollout, programme, own, weight, weighted,
                               int(n_programmes), float(rigour), float(trial_rigour),
                               0.0 if weighted else float(trials))


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


def delivery(compiled: bool, *args) -> tuple:
    """Staff delivery per place and its charities' part; see :func:`delivery_reference`."""
    return (_delivery_kernel if compiled else delivery_reference)(*args)


def warm(compiled: bool) -> None:
    """Compile, or load from the cache, the kernels here on a one-post staff."""
    if not compiled:
        return
    one = np.zeros(1, dtype=np.int64)
    status = np.full(1, FILLED, dtype=np.int8)
    real = np.ones(1)
    counts, sums = np.ones(1, dtype=np.int64), np.ones(1)
    counts.setflags(write=False)  # read-only, as the staff keep their sums by employer
    sums.setflags(write=False)
    _delivery_kernel(counts, sums, sums, one, real, real, real, real, np.zeros(1, dtype=bool),
                     1, 1.0)
    _count_kernel(status, one, 1)
    for trials in (0.0, real):
        information(True, counts, one, real, one, one, trials, 1, 1.0, 1.0)
    kept = np.zeros(1, dtype=bool)
    kept.setflags(write=False)  # read-only, as the network keeps it
    kinds = np.full(1, CHARITY, dtype=np.int8)
    levers = (0.0,) * 5  # structural: punitive, staff time, sharing, mobilisation, autonomy
    par = (0.0,) * 19  # structural: the nineteen parameters of the month's delivery
    month_delivery(True, (counts, sums, sums), (real, kinds, one, kept.copy(), 0.0),
                   (one, one, real, kept), (real, real, real, 1.0, None), levers, par)
