"""Compiled passes of the outcome phase: delivery's inputs, the indicator's move and gaming.

Each kernel makes one pass over the organisations, the ties or the places where the NumPy
code it replaces makes several. Each gives exactly the result of its NumPy reference, kept
here for the unit tests (``tests/unit/test_outcome_kernels.py``) and as the path taken when
numba is not used: sums over the ties run in tie order from zero, as ``bincount`` adds its
weights, and every expression keeps the reference's order of operations. Powers and
hyperbolic tangents stay with NumPy, between the kernels (:func:`towards` gives the base of
the power, :func:`move` the argument of the tangent).
"""

from __future__ import annotations

import numpy as np

from missionsim.model.compiled import clip as _clip
from missionsim.model.compiled import compile_kernel as _compile
from missionsim.model.compiled import maximum as _maximum
from missionsim.model.compiled import minimum as _minimum
from missionsim.model.state import CHARITY, COUNCIL, each

NO_DIVISION_BY_ZERO = 1e-9  # structural: the smallest scale a shortfall is divided by
"""Floor of the scales that shortfalls and headroom are divided by."""
SUPPORT_FLOOR = 1e-3  # structural: keeps the power of the support finite
"""Floor of the support whose power sets the supported gap."""


# --- employers: practice and focus ------------------------------------------------------------
def employers_reference(practice: np.ndarray, kind: np.ndarray, punitive, par) -> tuple:
    """Each employer's practice factor and focus, and which employers are charities (NumPy).

    ``punitive`` is the punitive lever at each organisation (a number or an array); ``par``:
    the practice floor and gain, the focus lost to competition, the competitive share and the
    focus lost to punitive accountability. A charity's focus is eroded by its funders'
    demands; every other employer's is 1.
    """
    floor, gain, competition_loss, share, punitive_loss = par
    factor = np.maximum(floor, 1.0 + gain * practice)
    focus = np.ones(kind.size)
    charities = kind == CHARITY
    charity_focus = np.broadcast_to(1.0 - competition_loss * share - punitive_loss * punitive,
                                    (kind.size,)).copy()
    focus[charities] = charity_focus[charities]
    return factor, focus, charities


@_compile
def _employers_kernel(practice, kind, punitive, par):
    """Compiled :func:`employers_reference` (``punitive`` an array over the organisations)."""
    floor, gain, competition_loss, share, punitive_loss = par
    n = kind.size
    factor = np.empty(n)
    focus = np.ones(n)
    charities = np.zeros(n, dtype=np.bool_)
    for j in range(n):
        factor[j] = _maximum(floor, 1.0 + gain * practice[j])
        if kind[j] == CHARITY:
            charities[j] = True
            focus[j] = 1.0 - competition_loss * share - punitive_loss * punitive[j]
    return factor, focus, charities


def employers(compiled: bool, practice, kind, punitive, par) -> tuple:
    """Practice factors, focus and the charities; see :func:`employers_reference`."""
    par = tuple(map(float, par))
    if not compiled:
        return employers_reference(practice, kind, punitive, par)
    return _employers_kernel(practice, kind, each(punitive, kind.size), par)


# --- local ties: mean trust and trusted cross-sector ties per place ---------------------------
def local_ties_reference(u, v, trust, cross, locality, kind, active, n_places: int) -> tuple:
    """Mean trust on the ties within each place, and its cross-sector strength (NumPy).

    A tie is within a place when both ends are local to it. The strength is the trust on the
    cross-sector ties within a place per local council and operating charity, in [0, 1].
    Both are 0 where there is nothing to count.
    """
    if u.size == 0:
        return np.zeros(n_places), np.zeros(n_places)
    lu, lv_ = locality[u], locality[v]
    same = (lu == lv_) & (lu >= 0)
    tot = np.bincount(lu[same], weights=trust[same], minlength=n_places)
    cnt = np.bincount(lu[same], minlength=n_places)
    mean = np.where(cnt > 0, tot / np.maximum(cnt, 1), 0.0)
    m = cross & (lu >= 0) & (lu == lv_)  # local ties carry referrals
    tot = np.bincount(lu[m], weights=trust[m], minlength=n_places)
    orgs = np.bincount(locality[((kind == CHARITY) | (kind == COUNCIL)) & active
                                & (locality >= 0)], minlength=n_places)
    return mean, np.clip(tot / np.maximum(orgs, 1), 0.0, 1.0)


@_compile
def _local_ties_kernel(u, v, trust, cross, locality, kind, active, n_places):
    """Compiled :func:`local_ties_reference`: one pass over the ties, one over the orgs."""
    tot = np.zeros(n_places)
    cnt = np.zeros(n_places, dtype=np.int64)
    crossing = np.zeros(n_places)
    for e in range(u.size):
        place = locality[u[e]]
        if place >= 0 and place == locality[v[e]]:
            tot[place] += trust[e]
            cnt[place] += 1
            if cross[e]:
                crossing[place] += trust[e]
    orgs = np.zeros(n_places, dtype=np.int64)
    for j in range(kind.size):
        if (kind[j] == CHARITY or kind[j] == COUNCIL) and active[j] and locality[j] >= 0:
            orgs[locality[j]] += 1
    mean = np.zeros(n_places)
    strength = np.empty(n_places)
    for i in range(n_places):
        if cnt[i] > 0:
            mean[i] = tot[i] / cnt[i]
        strength[i] = _clip(crossing[i] / max(orgs[i], 1), 0.0, 1.0)
    return mean, strength


def local_ties(compiled: bool, u, v, trust, cross, locality, kind, active,
               n_places: int) -> tuple:
    """Mean local trust and cross-sector strength per place; see the reference."""
    fn = _local_ties_kernel if compiled else local_ties_reference
    return fn(u, v, trust, cross, locality, kind, active, int(n_places))


# --- delivery per place: volunteers, reach, coordination and fit -----------------------------
def reach_reference(strength, data_sharing, mobilisation, factor, par) -> np.ndarray:
    """Share of need reached in each place (NumPy; the levers numbers or arrays).

    ``factor`` is a places file's starting reach relative to the formula (or None); ``par``:
    the data-sharing gain on referrals, the base reach, the referral gain and the
    mobilisation gain on reach.
    """
    sharing_gain, base, referral_gain, mobilisation_gain = par
    referral = strength * (1.0 + sharing_gain * data_sharing)
    r = base * (1.0 + referral_gain * referral) * (1.0 + mobilisation_gain * mobilisation)
    if factor is not None:
        r = r * factor
    return np.clip(r, 0.0, 1.0)


def delivered_reference(staff, charity_staff, volunteers0, strength, trust, capacity, need,
                        levers, factor, national, par) -> tuple:
    """Effective delivery per unit of need, volunteer effort and reach per place (NumPy).

    ``levers``: data sharing, mobilisation and autonomy (numbers or arrays over places);
    ``national``: the national part of coordination; ``par``: the four of
    :func:`reach_reference`, then the mobilisation gain on volunteers, the volunteer cap per
    charity post and its base, the local trust weight, the devolution gain, its floor and the
    capacity threshold.
    """
    data_sharing, mobilisation, autonomy = levers
    (sharing_gain, base, referral_gain, mobilisation_gain, vol_gain, cap_per_staff, cap_base,
     w_trust, fit_gain, fit_floor, threshold) = par
    volunteers = volunteers0 * (1.0 + vol_gain * mobilisation)
    volunteers = np.minimum(volunteers, cap_per_staff * charity_staff + volunteers0 * cap_base)
    reach = reach_reference(strength, data_sharing, mobilisation, factor,
                            (sharing_gain, base, referral_gain, mobilisation_gain))
    coordination = national * ((1.0 - w_trust) + w_trust * trust)
    fit = np.maximum(fit_floor, 1.0 + autonomy * fit_gain * (capacity - threshold))
    return (staff + volunteers) * coordination * reach * fit / need, volunteers, reach


@_compile
def _delivered_kernel(staff, charity_staff, volunteers0, strength, trust, capacity, need,
                      levers, factor, has_factor, national, par):
    """Compiled :func:`delivered_reference` (``levers`` one row per lever, over places)."""
    (sharing_gain, base, referral_gain, mobilisation_gain, vol_gain, cap_per_staff, cap_base,
     w_trust, fit_gain, fit_floor, threshold) = par
    n = staff.size
    delivery, volunteers, reach = np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        data_sharing, mobilisation = levers[0, i], levers[1, i]
        autonomy = levers[2, i]  # structural: the third lever
        vol = _minimum(volunteers0[i] * (1.0 + vol_gain * mobilisation),
                       cap_per_staff * charity_staff[i] + volunteers0[i] * cap_base)
        referral = strength[i] * (1.0 + sharing_gain * data_sharing)
        r = base * (1.0 + referral_gain * referral) * (1.0 + mobilisation_gain * mobilisation)
        if has_factor:
            r = r * factor[i]
        r = _clip(r, 0.0, 1.0)
        coordination = national * ((1.0 - w_trust) + w_trust * trust[i])
        fit = _maximum(fit_floor, 1.0 + autonomy * fit_gain * (capacity[i] - threshold))
        delivery[i] = (staff[i] + vol) * coordination * r * fit / need[i]
        volunteers[i] = vol
        reach[i] = r
    return delivery, volunteers, reach


def delivered(compiled: bool, staff, charity_staff, volunteers0, strength, trust, capacity,
              need, levers, factor, national, par) -> tuple:
    """Delivery per unit of need, volunteers and reach per place; see the reference."""
    par = tuple(map(float, par))
    if not compiled:
        return delivered_reference(staff, charity_staff, volunteers0, strength, trust,
                                   capacity, need, levers, factor, national, par)
    rows = np.empty((len(levers), staff.size))
    for row, lever in zip(rows, levers, strict=True):
        row[...] = lever  # a number in every place, or the lever's value in each
    has_factor = factor is not None
    return _delivered_kernel(staff, charity_staff, volunteers0, strength, trust, capacity,
                             need, rows, factor if has_factor else np.ones(1), has_factor,
                             float(national), par)


# --- the indicator: the supported gap, the move towards it, and gaming ------------------------
def towards_reference(absolute, d0, best, y0, trend, par) -> tuple:
    """Delivery relative to month 0, the floored support and the gap it works on (NumPy).

    ``trend`` is the secular change to the end of this month (None where the mission has no
    trend); ``par``: the universal share of support, the mission's momentum and the national
    distance from the baseline to the best value. The supported gap is the third array times
    the second raised to ``-elasticity``.
    """
    universal, momentum_now, distance = par
    delivery = absolute / d0
    support = universal + (1.0 - universal) * delivery
    gap0 = np.abs(best - y0)
    # the improvement in the pipeline is proportional to each place's headroom, so places far
    # from the best value improve most (councils converge while most improve, pattern G1)
    headroom = gap0 / max(distance, NO_DIVISION_BY_ZERO)
    momentum = momentum_now * headroom
    if trend is not None:  # the secular change accumulated to the end of this month
        momentum = momentum + trend * headroom
    return delivery, np.maximum(support, SUPPORT_FLOOR), np.maximum(0.0, gap0 - momentum)


@_compile
def _towards_kernel(absolute, d0, best, y0, trend, trended, par):
    """Compiled :func:`towards_reference`."""
    universal, momentum_now, distance = par
    scale = max(distance, NO_DIVISION_BY_ZERO)
    n = absolute.size
    delivery, base, lower = np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        d = absolute[i] / d0[i]
        delivery[i] = d
        base[i] = _maximum(universal + (1.0 - universal) * d, SUPPORT_FLOOR)
        gap0 = abs(best[i] - y0[i])
        headroom = gap0 / scale
        momentum = momentum_now * headroom
        if trended:
            momentum = momentum + trend * headroom
        lower[i] = _maximum(0.0, gap0 - momentum)
    return delivery, base, lower


def towards(compiled: bool, absolute, d0, best, y0, trend, par) -> tuple:
    """Relative delivery, floored support and the gap it works on; see the reference."""
    par = tuple(map(float, par))
    if not compiled:
        return towards_reference(absolute, d0, best, y0, trend, par)
    trended = trend is not None
    return _towards_kernel(absolute, d0, best, y0, float(trend) if trended else 0.0, trended,
                           par)


def move_reference(lower, power, best, y0, y, shocks, rate, mission, par) -> tuple:
    """The true indicator after a month's move, and the argument of gaming's tangent (NumPy).

    The supported gap is ``lower × power`` (at most ``cap`` times the gap at month 0); the
    gap moves towards it at ``rate``, with noise. ``mission``: its direction (±1), whether it
    sums places (else it averages them), its target and baseline; ``par``: the noise, the gap
    cap, the share of the way to the deadline and the gaming pressure's steepness. Returns
    the new indicator and the steepness times how far each place is behind its trajectory
    (``places_behind`` of the new true indicator).
    """
    direction, summed, target, baseline = mission
    noise, gap_cap, frac, steepness = par
    gap0 = np.abs(best - y0)
    supported = np.minimum(lower * power, gap_cap * gap0)
    gap = np.abs(best - y)
    gap += (supported - gap) * rate + noise * gap0 * shocks
    gap = np.maximum(gap, 0.0)
    y = best - direction * gap
    if direction > 0:
        y = np.maximum(y, 0.0)
    if not summed:
        required = np.full(y.size, target - baseline)
        scale = np.full(y.size, abs(target - baseline))
    else:
        required = (target / baseline - 1.0) * y0
        scale = np.abs(target / baseline - 1.0) * y0
    shortfall = direction * (y0 + frac * required - y)
    behind = np.maximum(0.0, shortfall / np.maximum(scale, NO_DIVISION_BY_ZERO))
    return y, steepness * behind


@_compile
def _move_kernel(lower, power, best, y0, y, shocks, rate, mission, par):
    """Compiled :func:`move_reference`."""
    direction, summed, target, baseline = mission
    noise, gap_cap, frac, steepness = par
    n = y.size
    new, scaled = np.empty(n), np.empty(n)
    for i in range(n):
        gap0 = abs(best[i] - y0[i])
        supported = _minimum(lower[i] * power[i], gap_cap * gap0)
        gap = abs(best[i] - y[i])
        gap = gap + ((supported - gap) * rate + noise * gap0 * shocks[i])
        gap = _maximum(gap, 0.0)
        x = best[i] - direction * gap
        if direction > 0:
            x = _maximum(x, 0.0)
        new[i] = x
        if not summed:
            required = target - baseline
            scale = abs(target - baseline)
        else:
            required = (target / baseline - 1.0) * y0[i]
            scale = abs(target / baseline - 1.0) * y0[i]
        shortfall = direction * (y0[i] + frac * required - x)
        scaled[i] = steepness * _maximum(0.0, shortfall / _maximum(scale, NO_DIVISION_BY_ZERO))
    return new, scaled


def move(compiled: bool, lower, power, best, y0, y, shocks, rate, mission, par) -> tuple:
    """The new true indicator and gaming's tangent argument; see :func:`move_reference`."""
    direction, summed, target, baseline = mission
    mission = (float(direction), bool(summed), float(target), float(baseline))
    par = tuple(map(float, par))
    fn = _move_kernel if compiled else move_reference
    return fn(lower, power, best, y0, y, shocks, float(rate), mission, par)


def gaming_reference(gaming, punitive, tangent, par) -> None:
    """Move each place's gaming a step towards its target, in place (NumPy).

    The target is ``strength × punitive × (floor + weight × tangent) × stocktakes``, clipped
    to [0, cap]; ``punitive`` is a number or an array over places; ``par``: the gaming
    strength times the mission's gameability, the pressure floor and weight, the Missions
    Unit's stocktake pressure (1 without one), the cap and the months gaming takes to move.
    """
    strength, floor, weight, stocktakes, cap, months = par
    pressure = punitive * (floor + weight * tangent)
    pressure = pressure * stocktakes
    gaming += (np.clip(strength * pressure, 0.0, cap) - gaming) / months


@_compile
def _gaming_kernel(gaming, punitive, tangent, par):
    """Compiled :func:`gaming_reference` (``punitive`` an array over places)."""
    strength, floor, weight, stocktakes, cap, months = par
    for i in range(gaming.size):
        pressure = punitive[i] * (floor + weight * tangent[i]) * stocktakes
        gaming[i] = gaming[i] + (_clip(strength * pressure, 0.0, cap) - gaming[i]) / months


def step_gaming(compiled: bool, gaming, punitive, tangent, par) -> None:
    """Move gaming towards its target, in place; see :func:`gaming_reference`."""
    par = tuple(map(float, par))
    if not compiled:
        gaming_reference(gaming, punitive, tangent, par)
        return
    _gaming_kernel(gaming, each(punitive, gaming.size), tangent, par)


def warm(compiled: bool) -> None:
    """Compile, or load from the cache, the kernels here on a one-place world."""
    if not compiled:
        return
    one, zero = np.ones(1), np.zeros(1, dtype=np.int64)
    kept = np.zeros(1, dtype=bool)
    kept.setflags(write=False)  # read-only, as the network keeps it
    employers(True, one, np.full(1, CHARITY, dtype=np.int8), 0.0,
              (0.0,) * 5)  # structural: five parameters
    local_ties(True, zero, zero, one, kept, zero, np.full(1, COUNCIL, dtype=np.int8),
               np.ones(1, dtype=bool), 1)
    delivered(True, one, one, one, one, one, one, one, (0.0, 0.0, 0.0), None, 1.0,
              (0.0,) * 11)  # structural: eleven parameters
    towards(True, one, one, one, one, None, (0.0, 0.0, 1.0))
    move(True, one, one, one, one, one, one, 0.0, (1, False, 1.0, 1.0),
         (0.0,) * 4)  # structural: four parameters
    step_gaming(True, one.copy(), 0.0, one, (0.0, 0.0, 0.0, 1.0, 1.0, 1.0))
