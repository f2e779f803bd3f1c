"""Compiled passes of the workforce month (:func:`missionsim.model.workforce.update`).

Each kernel gives exactly the result of its NumPy twin, kept here as the reference the unit
tests compare against and as the path taken when numba is not used
(:data:`missionsim.model.compiled.COMPILED`). The quit hazard's ``exp`` is the C library's
in both (:func:`libm_exp`): the compiled pass works it out only for a holder whose draw could
fall under the hazard, which NumPy's array ``exp`` (whose SIMD version can differ from the C
library's in the last bit) cannot do.
"""

from __future__ import annotations

import math

import numpy as np

from missionsim.model.compiled import COMPILED
from missionsim.model.compiled import clip as _clip
from missionsim.model.compiled import compile_kernel as _compile
from missionsim.model.compiled import maximum as _maximum
from missionsim.model.employer_kernels import add_holder, org_sums_reference
from missionsim.model.state import CHARITY, COUNCIL, FILLED, VACANT, full, one_number

PARTS = 4  # structural: interleaved tallies, enough to keep additions from waiting
"""How many interleaved tallies :func:`_month_kernel` counts the posts in post in (a power of
two; as ``staff_kernels.PARTS``, kept here so that this module's compiled cache follows it)."""


HAZARD_MARGIN = 1e-9  # structural: far above the C library exp's error (under 1e-15)
"""Relative margin by which :func:`_turnover_kernel`'s bound on the month's quit hazard exceeds
the largest hazard it can work out, so that a draw at or over the bound never needs ``exp``."""


def _exp_or_inf(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:  # the C library's exp gives inf where Python's raises
        return math.inf


_libm_exp = np.frompyfunc(_exp_or_inf, 1, 1)


def libm_exp(x: np.ndarray) -> np.ndarray:
    """``exp`` of each element by the C library, as compiled code works it out (floats).

    NumPy's own ``exp`` may use SIMD code that differs from the C library's in the last bit.
    """
    return np.asarray(_libm_exp(np.asarray(x, dtype=np.float64)), dtype=np.float64)


def quit_hazard(morale: np.ndarray, hazard_par: tuple) -> np.ndarray:
    """Each holder's monthly quit hazard at ``morale`` (NumPy reference).

    ``hazard_par`` holds the base monthly hazard, the labour-market tightness, the cap, the log
    hazard per unit of morale lost and the reference morale: the hazard is the base times
    ``exp(turnover * (reference - morale))`` (:func:`libm_exp`) times the tightness, capped.
    """
    quit_base, tightness, quit_cap, turnover, reference = hazard_par
    return np.clip(quit_base * libm_exp(turnover * (reference - morale)) * tightness, 0.0,
                   quit_cap)


# A month of the workforce in two passes: morale moves towards its target; then quits, hires,
# skill, tenure and the counts. Each float expression keeps the order of operations of the
# NumPy passes in ``workforce.update``.
def morale_reference(morale: np.ndarray, target: np.ndarray, noise: np.ndarray, months: float,
                     noise_sd: float) -> None:
    """Move ``morale`` (in place) towards ``target`` with noise (NumPy reference)."""
    morale += (target - morale) / months + noise_sd * noise
    np.clip(morale, 0.0, 1.0, out=morale)


def turnover_reference(status: np.ndarray, skill: np.ndarray, morale: np.ndarray,
                       tenure: np.ndarray, org: np.ndarray, loc: np.ndarray, u: np.ndarray,
                       target: np.ndarray, noise: np.ndarray,
                       kind: np.ndarray, capacity: np.ndarray, reserves: np.ndarray,
                       hazard_par: tuple, fill_par: tuple, hire_par: tuple) -> tuple:
    """Quits, hires, new hires' skill and morale, skill growth and tenure (NumPy reference).

    Works in place on ``status``, ``skill``, ``morale`` and ``tenure``. Each post has one
    uniform draw ``u``: a holder quits when it is under the quit hazard; a vacant post is
    filled when it is under the chance of filling it, and ``u`` over that chance (uniform in
    [0, 1) again) places the new hire's skill within its spread. ``kind`` and ``reserves``
    are per employer, ``capacity`` per place. ``hazard_par`` is :func:`quit_hazard`'s;
    ``fill_par`` the base chance of filling a vacancy, the capacity offset, the capacity
    divisor and the reserves (months) under which a charity freezes hiring; ``hire_par`` a new
    hire's skill, its spread, its centre (``1 - spread / 2``), a new hire's morale noise and
    the months to learn. Returns the quits, the posts filled at the start, the hires and the
    sums by employer of the posts now in post (:func:`~missionsim.model.employer_kernels.
    org_sums_reference`, over the employers of ``kind``; None if a post in post has an
    employer outside them).
    """
    fill_base, offset, divisor, freeze = fill_par
    hire_skill, spread, centre, hire_noise, learn = hire_par
    filled = status == FILLED
    hazard = quit_hazard(morale, hazard_par)
    quits = filled & (u < hazard)
    status[quits] = VACANT
    post_kind = kind[org]
    factor = np.where(post_kind == COUNCIL, (offset + capacity[loc]) / divisor, 1.0)
    frozen = (post_kind == CHARITY) & (reserves[org] < freeze)
    fill_prob = np.where(frozen, 0.0, np.clip(fill_base * factor, 0.0, 1.0))
    hires = (status == VACANT) & ~quits & (u < fill_prob)
    status[hires] = FILLED
    tenure[hires] = 0
    skill[hires] = hire_skill * (centre + spread * (u[hires] / fill_prob[hires]))
    morale[hires] = np.clip(target[hires] + hire_noise * noise[hires], 0.0, 1.0)
    still = status == FILLED
    skill[still] += (1.0 - skill[still]) / learn
    tenure[still & ~hires] += 1
    held = org[still]
    outside = bool(np.any((held < 0) | (held >= kind.size)))
    sums = None if outside else org_sums_reference(status, org, skill, morale, kind.size)
    return int(quits.sum()), int(filled.sum()), int(hires.sum()), sums


@_compile
def _turnover_kernel(status, skill, morale, tenure, org, loc, u, target, noise, kind,
                     capacity, reserves, hazard_par, fill_par, hire_par):
    """Compiled :func:`turnover_reference`: the same posts, skills, morale, counts and sums.

    Each post now in post adds to its employer's sums as the pass leaves it: the sums run over
    the posts in post order, as ``bincount`` adds them. A holder's hazard (and its ``exp``) is
    worked out only when its draw falls under the month's bound on every holder's hazard (the
    hazard at morale 0 or 1, whichever is higher, :data:`HAZARD_MARGIN` above): a draw at or
    over it cannot fall under the hazard.
    """
    quit_base, tightness, quit_cap, turnover, reference = hazard_par
    most = _maximum(_clip(quit_base * math.exp(turnover * reference) * tightness, 0.0,
                          quit_cap),
                    _clip(quit_base * math.exp(turnover * (reference - 1.0)) * tightness, 0.0,
                          quit_cap))
    most += most * HAZARD_MARGIN
    fill_base, offset, divisor, freeze = fill_par
    hire_skill, spread, centre, hire_noise, learn = hire_par
    n_quits = 0
    n_filled = 0
    n_hires = 0
    n_orgs = kind.size
    held = np.zeros(n_orgs, dtype=np.int64)
    held_skill, effort, held_morale = np.zeros(n_orgs), np.zeros(n_orgs), np.zeros(n_orgs)
    outside = False
    for i in range(status.size):
        code = status[i]
        if code == FILLED:
            n_filled += 1
            if u[i] < most and u[i] < _clip(
                    quit_base * math.exp(turnover * (reference - morale[i])) * tightness, 0.0,
                    quit_cap):
                status[i] = VACANT
                n_quits += 1
                continue
            skill[i] += (1.0 - skill[i]) / learn
            tenure[i] += 1
        elif code == VACANT:
            o = org[i]
            if kind[o] == CHARITY and reserves[o] < freeze:
                chance = 0.0
            elif kind[o] == COUNCIL:
                factor = (offset + capacity[loc[i]]) / divisor
                chance = _clip(fill_base * factor, 0.0, 1.0)
            else:
                chance = _clip(fill_base * 1.0, 0.0, 1.0)
            if not u[i] < chance:
                continue
            status[i] = FILLED
            n_hires += 1
            tenure[i] = 0
            s = hire_skill * (centre + spread * (u[i] / chance))
            skill[i] = s + (1.0 - s) / learn
            morale[i] = _clip(target[i] + hire_noise * noise[i], 0.0, 1.0)
        else:
            continue
        if not add_holder(held, held_skill, effort, held_morale, org[i], morale[i], skill[i]):
            outside = True  # in post now, but its employer lies outside the sums
    return n_quits, n_filled, n_hires, (held, held_skill, effort, held_morale), outside


def target_reference(place: np.ndarray, employer: np.ndarray, loc: np.ndarray,
                     org: np.ndarray) -> np.ndarray:
    """Each post's morale target: its place's part less its employer's, in [0, 1] (reference)."""
    return np.clip(place[loc] - employer[org], 0.0, 1.0)


@_compile
def _target_kernel(place, employer, loc, org):
    """Compiled :func:`target_reference`: the same targets."""
    out = np.empty(loc.size)
    for i in range(loc.size):
        out[i] = _clip(place[loc[i]] - employer[org[i]], 0.0, 1.0)
    return out


def staff_target(compiled: bool, place: np.ndarray, employer: np.ndarray, loc: np.ndarray,
                 org: np.ndarray) -> np.ndarray:
    """Each post's morale target; see :func:`target_reference`."""
    place = np.ascontiguousarray(place, dtype=np.float64)
    employer = np.ascontiguousarray(employer, dtype=np.float64)
    fn = _target_kernel if compiled and COMPILED else target_reference
    return fn(place, employer, loc, org)


def staff_turnover(status: np.ndarray, skill: np.ndarray, morale: np.ndarray, tenure: np.ndarray,
             org: np.ndarray, loc: np.ndarray, u: np.ndarray, target: np.ndarray,
             noise: np.ndarray, kind: np.ndarray, capacity: np.ndarray,
             reserves: np.ndarray, hazard_par: tuple, fill_par: tuple, hire_par: tuple) -> tuple:
    """Quits, hires, skill and tenure in place; returns (quits, filled, hires, sums by employer).

    See the reference, :func:`turnover_reference`.
    """
    hazard_par = tuple(map(float, hazard_par))
    fill_par = tuple(map(float, fill_par))
    hire_par = tuple(map(float, hire_par))
    args = (status, skill, morale, tenure, org, loc, u, target, noise, kind, capacity,
            reserves, hazard_par, fill_par, hire_par)
    if not COMPILED:
        return turnover_reference(*args)
    *counts, sums, outside = _turnover_kernel(*args)
    return (*counts, None if outside else sums)




# The start of the month in one pass: the posts in post per place give each place's workload
# and its part of the morale target, each charity's reserves in months its part, and then each
# post's target and its new morale (``staff_target`` and :func:`morale_reference` in turn).
# Each float expression keeps the order of operations of
# ``workforce.workload``, ``workforce.morale_target`` and the model's
# ``charity_reserves_months``.
def month_reference(status: np.ndarray, loc: np.ndarray, org: np.ndarray, morale: np.ndarray,
                    noise: np.ndarray, need: np.ndarray, reach: np.ndarray, need0: np.ndarray,
                    reach0: np.ndarray, filled0: np.ndarray, punitive: np.ndarray,
                    codesign: np.ndarray, kind: np.ndarray, active: np.ndarray,
                    reserves: np.ndarray, funded: np.ndarray, place_par: tuple, org_par: tuple,
                    morale_par: tuple) -> tuple:
    """Each post's morale target, moving ``morale`` towards it (NumPy reference).

    ``need`` to ``codesign`` are per place (``punitive`` and ``codesign`` the levers there);
    ``kind`` to ``funded`` (funded posts) per employer. ``place_par`` holds the workload at
    the start, its cap, the base morale, the morale lost per unit of workload over 1, the
    accountability stress, the co-design morale and the part of it punitive accountability
    undoes; ``org_par`` the monthly bill of a post, the insecurity of competitive funding
    (competitive share over settlement years) and the morale insecurity costs; ``morale_par``
    the arguments of :func:`morale_reference` after the noise. Returns the targets and the
    employers' reserves in months (0 but for operating charities).
    """
    start, cap, base, load, stress, co, co_loss = place_par
    bill, share, insecurity = org_par
    filled = np.bincount(loc[status == FILLED], minlength=need.size).astype(float)
    per_head = need * reach / np.maximum(filled, 1.0)
    per_head0 = need0 * reach0 / np.maximum(filled0, 1.0)
    w = np.clip(start * per_head / per_head0, 0.0, cap)
    place = (base - load * np.maximum(0.0, w - 1.0) - stress * punitive
             + co * codesign * (1.0 - co_loss * punitive))
    months = reserves / np.maximum(funded * bill, 1e-9)  # structural: no division by zero
    months = np.where((kind == CHARITY) & active, months, 0.0)
    insecure = (share + (months < 1.0)) / 2.0  # structural: mean of the two sources
    employer = np.where(kind == CHARITY, insecurity * insecure, 0.0)
    target = target_reference(place, employer, loc, org)
    morale_reference(morale, target, noise, *morale_par)
    return target, months


@_compile
def _month_kernel(status, loc, org, morale, noise, need, reach, need0, reach0, filled0,
                  punitive, codesign, kind, active, reserves, funded, place_par, org_par,
                  morale_par):
    """Compiled :func:`month_reference`: the same targets, morale and months."""
    start, cap, base, load, stress, co, co_loss = place_par
    bill, share, insecurity = org_par
    months_to, noise_sd = morale_par
    n_places = need.size
    # posts of a place lie together: counted in PARTS interleaved tallies, so that adding one
    # to a place's count need not wait for the last addition
    part = np.zeros((PARTS, n_places), dtype=np.int64)
    for i in range(status.size):
        part[i & (PARTS - 1), loc[i]] += status[i] == FILLED
    place = np.empty(n_places)
    for j in range(n_places):
        filled = 0
        for k in range(PARTS):
            filled += part[k, j]
        per_head = need[j] * reach[j] / _maximum(float(filled), 1.0)
        per_head0 = need0[j] * reach0[j] / _maximum(filled0[j], 1.0)
        w = _clip(start * per_head / per_head0, 0.0, cap)
        place[j] = (base - load * _maximum(0.0, w - 1.0) - stress * punitive[j]
                    + co * codesign[j] * (1.0 - co_loss * punitive[j]))
    n_orgs = kind.size
    months = np.zeros(n_orgs)
    employer = np.zeros(n_orgs)
    for o in range(n_orgs):
        if kind[o] == CHARITY:
            if active[o]:
                months[o] = reserves[o] / _maximum(funded[o] * bill, 1e-9)  # structural: no zero
            edge = 1.0 if months[o] < 1.0 else 0.0
            employer[o] = insecurity * ((share + edge) / 2.0)  # structural: mean of two
    target = np.empty(status.size)
    for i in range(status.size):
        t = _clip(place[loc[i]] - employer[org[i]], 0.0, 1.0)
        target[i] = t
        m = morale[i]
        m = _clip(m + ((t - m) / months_to + noise_sd * noise[i]), 0.0, 1.0)
        morale[i] = m
    return target, months


def _per_place(value, n: int) -> np.ndarray:
    """A lever's value in each of ``n`` places, as floats."""
    if one_number(value):
        return full(n, float(value))
    return np.ascontiguousarray(value, dtype=np.float64)


def staff_month(status: np.ndarray, loc: np.ndarray, org: np.ndarray, morale: np.ndarray,
                noise: np.ndarray, need: np.ndarray, reach: np.ndarray, need0: np.ndarray,
                reach0: np.ndarray, filled0: np.ndarray, punitive, codesign, kind: np.ndarray,
                active: np.ndarray, reserves: np.ndarray, funded: np.ndarray, place_par: tuple,
                org_par: tuple, morale_par: tuple, compiled: bool = COMPILED) -> tuple:
    """Targets, morale (in place) and reserves in months.

    ``punitive`` and ``codesign`` may be single numbers. Compiled when ``compiled`` (numba in
    use). See the reference, :func:`month_reference`.
    """
    n = need.size
    args = (status, loc, org, morale, noise,
            *(np.ascontiguousarray(a, dtype=np.float64) for a in (need, reach, need0, reach0,
                                                                   filled0)),
            _per_place(punitive, n), _per_place(codesign, n), kind, active,
            np.ascontiguousarray(reserves, dtype=np.float64), funded,
            tuple(map(float, place_par)), tuple(map(float, org_par)),
            tuple(map(float, morale_par)))
    return (_month_kernel if compiled and COMPILED else month_reference)(*args)


def warm() -> None:
    """Compile, or load from the cache, :func:`staff_month`'s kernel on one post now."""
    if not COMPILED:
        return
    one, real = np.zeros(1, dtype=np.int64), np.ones(1)
    staff_month(np.zeros(1, dtype=np.int8), one, one, real.copy(), real, real, real, real, real,
                real, 0.0, 0.0, np.zeros(1, dtype=np.int8), np.ones(1, dtype=bool), real, one,
                (1.0,) * 7, (1.0,) * 3, (1.0,) * 2)  # structural: any parameters
