"""Compiled passes of the workforce month (:func:`missionsim.model.workforce.update`).

Each kernel gives exactly the result of its NumPy twin, kept here as the reference the unit
tests compare against and as the path taken when numba is not used
(:data:`missionsim.model.compiled.COMPILED`). ``exp`` stays in NumPy between the two kernels,
so that results do not depend on which ``exp`` a machine's numba and NumPy use.
"""

from __future__ import annotations

import numpy as np

from missionsim.model.compiled import COMPILED
from missionsim.model.compiled import clip as _clip
from missionsim.model.compiled import compile_kernel as _compile
from missionsim.model.state import CHARITY, COUNCIL, FILLED, VACANT


# A month of the workforce in two passes around NumPy's ``exp`` (kept in NumPy, whose SIMD exp
# can differ in the last bit from a compiled one): morale moves towards its target and gives
# the exponent of the quit hazard; then quits, hires, skill, tenure and the counts. Each float
# expression keeps the order of operations of the NumPy passes in ``workforce.update``.
def morale_reference(morale: np.ndarray, target: np.ndarray, noise: np.ndarray, months: float,
                     noise_sd: float, turnover: float, reference: float) -> np.ndarray:
    """Move ``morale`` (in place) towards ``target`` with noise; return the hazard exponent.

    NumPy reference. The exponent is ``turnover * (reference - morale)``, of the new morale.
    """
    morale += (target - morale) / months + noise_sd * noise
    np.clip(morale, 0.0, 1.0, out=morale)
    return turnover * (reference - morale)


def turnover_reference(status: np.ndarray, skill: np.ndarray, morale: np.ndarray,
                       tenure: np.ndarray, org: np.ndarray, loc: np.ndarray,
                       u_quit: np.ndarray, u_fill: np.ndarray, u_skill: np.ndarray,
                       target: np.ndarray, noise: np.ndarray, rise: np.ndarray,
                       kind: np.ndarray, capacity: np.ndarray, reserves: np.ndarray,
                       hazard_par: tuple, fill_par: tuple, hire_par: tuple) -> tuple:
    """Quits, hires, new hires' skill and morale, skill growth and tenure (NumPy reference).

    Works in place on ``status``, ``skill``, ``morale`` and ``tenure``. ``rise`` is the exp of
    the hazard exponent; ``kind`` and ``reserves`` are per employer, ``capacity`` per place.
    ``hazard_par`` holds the base monthly hazard, the labour-market tightness and the cap;
    ``fill_par`` the base chance of filling a vacancy, the capacity offset, the capacity
    divisor and the reserves (months) under which a charity freezes hiring; ``hire_par`` a new
    hire's skill, its spread, its centre (``1 - spread / 2``), a new hire's morale noise and
    the months to learn. Returns the quits, the posts filled at the start and the hires.
    """
    quit_base, tightness, quit_cap = hazard_par
    fill_base, offset, divisor, freeze = fill_par
    hire_skill, spread, centre, hire_noise, learn = hire_par
    filled = status == FILLED
    hazard = np.clip(quit_base * rise * tightness, 0.0, quit_cap)
    quits = filled & (u_quit < hazard)
    status[quits] = VACANT
    post_kind = kind[org]
    factor = np.where(post_kind == COUNCIL, (offset + capacity[loc]) / divisor, 1.0)
    frozen = (post_kind == CHARITY) & (reserves[org] < freeze)
    fill_prob = np.where(frozen, 0.0, np.clip(fill_base * factor, 0.0, 1.0))
    hires = (status == VACANT) & ~quits & (u_fill < fill_prob)
    status[hires] = FILLED
    tenure[hires] = 0
    skill[hires] = hire_skill * (centre + spread * u_skill[hires])
    morale[hires] = np.clip(target[hires] + hire_noise * noise[hires], 0.0, 1.0)
    still = status == FILLED
    skill[still] += (1.0 - skill[still]) / learn
    tenure[still & ~hires] += 1
    return int(quits.sum()), int(filled.sum()), int(hires.sum())


@_compile
def _morale_kernel(morale, target, noise, months, noise_sd, turnover, reference):
    """Compiled :func:`morale_reference`: the same morale and exponent."""
    rise = np.empty(morale.size, dtype=np.float64)
    for i in range(morale.size):
        m = morale[i]
        m = _clip(m + ((target[i] - m) / months + noise_sd * noise[i]), 0.0, 1.0)
        morale[i] = m
        rise[i] = turnover * (reference - m)
    return rise


@_compile
def _turnover_kernel(status, skill, morale, tenure, org, loc, u_quit, u_fill, u_skill, target,
                     noise, rise, kind, capacity, reserves, hazard_par, fill_par, hire_par):
    """Compiled :func:`turnover_reference`: the same posts, skills, morale and counts."""
    quit_base, tightness, quit_cap = hazard_par
    fill_base, offset, divisor, freeze = fill_par
    hire_skill, spread, centre, hire_noise, learn = hire_par
    n_quits = 0
    n_filled = 0
    n_hires = 0
    for i in range(status.size):
        code = status[i]
        if code == FILLED:
            n_filled += 1
            hazard = _clip(quit_base * rise[i] * tightness, 0.0, quit_cap)
            if u_quit[i] < hazard:
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
            if u_fill[i] < chance:
                status[i] = FILLED
                n_hires += 1
                tenure[i] = 0
                s = hire_skill * (centre + spread * u_skill[i])
                skill[i] = s + (1.0 - s) / learn
                morale[i] = _clip(target[i] + hire_noise * noise[i], 0.0, 1.0)
    return n_quits, n_filled, n_hires


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


def staff_morale(morale: np.ndarray, target: np.ndarray, noise: np.ndarray, months: float,
           noise_sd: float, turnover: float, reference: float) -> np.ndarray:
    """Move ``morale`` (in place) towards ``target``; return the hazard exponent.

    See the reference, :func:`morale_reference`.
    """
    args = (float(months), float(noise_sd), float(turnover), float(reference))
    if COMPILED:
        return _morale_kernel(morale, target, noise, *args)
    return morale_reference(morale, target, noise, *args)


def staff_turnover(status: np.ndarray, skill: np.ndarray, morale: np.ndarray, tenure: np.ndarray,
             org: np.ndarray, loc: np.ndarray, u_quit: np.ndarray, u_fill: np.ndarray,
             u_skill: np.ndarray, target: np.ndarray, noise: np.ndarray, rise: np.ndarray,
             kind: np.ndarray, capacity: np.ndarray, reserves: np.ndarray, hazard_par: tuple,
             fill_par: tuple, hire_par: tuple) -> tuple:
    """Quits, hires, skill and tenure in place; returns (quits, filled, hires).

    See the reference, :func:`turnover_reference`.
    """
    hazard_par = tuple(float(x) for x in hazard_par)
    fill_par = tuple(float(x) for x in fill_par)
    hire_par = tuple(float(x) for x in hire_par)
    fn = _turnover_kernel if COMPILED else turnover_reference
    return fn(status, skill, morale, tenure, org, loc, u_quit, u_fill, u_skill, target, noise,
              rise, kind, capacity, reserves, hazard_par, fill_par, hire_par)


