"""Effective delivery in each place, and the mission indicator it supports.

Effective delivery per unit of need::

    D = (Σ staff effort × skill × practice × focus  +  volunteer effort)
        × coordination × reach × local fit / need

The indicator's gap to its best value (a ceiling or a floor) moves towards a supported gap
with the mission's response time::

    support = u + (1 − u) × D / D_ref
    supported gap = gap at month 0 × (1 − momentum / national gap) × support ^ (−elasticity)

where ``u`` is the share of support that comes from universal services outside the modelled
system and ``D_ref`` is what the calibrated default system delivers in the same place at
month 0 (the model itself when its parameters are the defaults). Delivery above its starting
level closes the gap with diminishing returns; delivery below it opens the gap, at most to
``outcome_gap_cap`` times its starting size. The *reported* indicator hides a share of the
gap under punitive pressure (gaming), more so in places behind their trajectory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from missionsim.model import kernels, staff_kernels
from missionsim.model.state import CHARITY, each

if TYPE_CHECKING:  # pragma: no cover
    from missionsim.model.model import MissionModel

MONTHS_PER_YEAR = 12  # unit: months per year (a displaced case's cost is per year)
POUNDS_PER_MILLION = 1e6  # unit: the ledger is in £m, a case's cost in £

def coordination(model: MissionModel) -> np.ndarray:
    """Joined-up working in each place: national silos and department focus, local trust."""
    p, lv = model.p, model.levers
    focus = np.mean([d.focus for d in model.departments]) if model.departments else 1.0
    w_focus, w_trust = p["department_focus_weight"], p["local_trust_weight"]
    national = (1.0 - p["silo_penalty"] * lv.silo) * ((1.0 - w_focus) + w_focus * focus)
    return national * ((1.0 - w_trust) + w_trust * model.local_trust())


def reach(model: MissionModel) -> np.ndarray:
    """Share of need reached: referrals through trusted cross-sector ties, data, uptake."""
    p, lv = model.p, model.levers
    referral = model.cross_sector_strength() * (1.0 + p["data_sharing_referral_gain"]
                                                * lv.data_sharing)
    r = (p["base_reach"] * (1.0 + p["referral_gain"] * referral)
         * (1.0 + p["mobilisation_reach_gain"] * lv.mobilisation))
    if model.places.reach_factor is not None:  # a places file's take-up and FSM gap
        r = r * model.places.reach_factor
    return np.clip(r, 0.0, 1.0)


def local_fit(model: MissionModel) -> np.ndarray:
    """How well delivery fits local need: autonomy pays where capacity is above threshold."""
    p = model.p
    gain = model.levers.autonomy * p["devolution_gain"]
    return np.maximum(p["devolution_fit_floor"],
                      1.0 + gain * (model.places.capacity - p["capacity_threshold"]))


def delivery(model: MissionModel) -> np.ndarray:
    """Effective delivery per unit of need in each place (absolute, not relative)."""
    return _delivery(model)[0]


def _delivery(model: MissionModel) -> tuple[np.ndarray, np.ndarray]:
    """Effective delivery per unit of need, and volunteer effort, in each place.

    Volunteer effort is in full-time equivalents: one unit delivers as much as one member of
    staff in post at full effort, skill and focus (see ``volunteer_year_value``).
    """
    p, o, s, pl, lv = model.p, model.orgs, model.staff, model.places, model.levers
    practice = np.maximum(p["practice_floor"], 1.0 + p["practice_gain"] * o.practice)
    focus = np.ones(o.n)
    charities = o.kind == CHARITY
    focus[charities] = model.charity_focus()[charities]
    pressure = each(1.0 + p["pressure_effort"] * lv.at("punitive"), pl.n)
    time_left = each(1.0 - lv.at("staff_time"), pl.n)
    staff, charity_staff = staff_kernels.delivery(
        kernels.COMPILED, s.status, s.loc, s.org, s.morale, s.skill, pressure, time_left,
        practice, focus, charities, pl.n, float(p["morale_effort"]))
    volunteers = model.volunteers0 * (1.0 + p["mobilisation_volunteer_gain"]
                                      * model.levers.mobilisation)
    volunteers = np.minimum(volunteers, p["volunteer_cap_per_staff"] * charity_staff
                            + model.volunteers0 * p["volunteer_cap_base"])
    pl.reach = reach(model)
    return ((staff + volunteers) * coordination(model) * pl.reach * local_fit(model)
            / model.need()), volunteers


def update(model: MissionModel) -> None:
    """Move each place's true indicator towards what delivery supports; set gaming."""
    m, pl, p = model.mission, model.places, model.p
    rng = model.streams["outcome"]
    shocks = rng.normal(0.0, 1.0, pl.n)
    absolute, volunteers = _delivery(model)
    pl.delivery = absolute / pl.d0
    # volunteer time given this month, in full-time-equivalent years, valued
    model.ledger.book("volunteer_value", volunteers.sum() / 12.0  # unit: months per year
                      * p["volunteer_year_value"])
    u = p["universal_share"]
    support = u + (1.0 - u) * pl.delivery
    gap0 = np.abs(pl.best - pl.y0)
    # the improvement in the pipeline is proportional to each place's headroom, so places far
    # from the best value improve most (councils converge while most improve, pattern G1)
    headroom = gap0 / max(abs(m.best - m.baseline), 1e-9)  # structural: no ÷ 0
    momentum = m.momentum * headroom
    if m.trend:  # the secular change accumulated to the end of this month, shared the same way
        momentum = momentum + m.trend_to(model.month + 1) * headroom
    supported = (np.maximum(0.0, gap0 - momentum)
                 * np.maximum(support, 1e-3) ** (-m.elasticity))  # structural: keeps it finite
    supported = np.minimum(supported, p["outcome_gap_cap"] * gap0)
    gap = np.abs(pl.best - pl.y)
    rate = 1.0 - np.exp(-1.0 / (m.response_months * p["response_lag"]))
    gap += (supported - gap) * rate + m.noise * gap0 * shocks
    gap = np.maximum(gap, 0.0)
    pl.y = pl.best - m.direction * gap
    if m.direction > 0:
        pl.y = np.maximum(pl.y, 0.0)
    pl.y_hist.append(pl.y.copy())
    if len(pl.y_hist) > p["improving_months"] + 1:
        pl.y_hist.pop(0)
    pl.gaming += (gaming_target(model) - pl.gaming) / p["gaming_months"]
    if m.displacement is not None:
        displace(model)


def gaming_target(model: MissionModel, stocktakes: bool = True) -> np.ndarray:
    """The share of each place's gap gaming tends to hide this month.

    Pressure comes from punitive accountability, more where a place is behind its trajectory
    (and more under a Missions Unit's stocktakes); how much of it turns into gaming is the
    declared ``gaming_strength`` times the mission's ``gameability``, at most ``gaming_cap``.
    """
    p = model.p
    behind = model.places_behind(reported=False)
    pressure = model.levers.punitive * (p["gaming_pressure_floor"] + p["gaming_pressure_weight"]
                                        * np.tanh(p["gaming_pressure_steepness"] * behind))
    if stocktakes:
        unit = p["mission_unit_stocktake_pressure"] if model.mission_unit is not None else 1.0
        pressure = pressure * unit
    return np.clip(p["gaming_strength"] * model.mission.gameability * pressure, 0.0,
                   p["gaming_cap"])


def displaced_cases(model: MissionModel) -> np.ndarray:
    """Cases moved elsewhere in each place: the displaced share of the gap gaming hides.

    Gaming shows a share ``gaming`` of a place's true gap as met. Of that reported improvement
    the mission's ``displacement.share`` is cases moved elsewhere (the rest is misreporting).
    In indicator units that is ``share × gaming × gap``; for a count (``sum``) it is people,
    for a rate (``mean``) it is converted to cases with the place's population and the rate's
    base (``displacement.per``: 100 for a percentage).
    """
    pl, m = model.places, model.mission
    d = m.displacement
    if d is None:
        return np.zeros(pl.n)
    moved = d["share"] * pl.gaming * np.abs(pl.best - pl.y)
    if m.aggregate == "sum":
        return moved
    return moved * pl.cohort / d["per"]


def displace(model: MissionModel) -> None:
    """Book the month's cost of the cases displaced (a hidden stock or another indicator)."""
    cases = displaced_cases(model).sum()
    model.ledger.book("displacement", cases * model.mission.displacement["case_cost"]
                      / MONTHS_PER_YEAR / POUNDS_PER_MILLION)


def reported(model: MissionModel) -> np.ndarray:
    """The reported indicator per place: the true gap shrunk by gaming.

    Where nothing is gamed it is the true value itself.
    """
    pl, m = model.places, model.mission
    gap = np.abs(pl.best - pl.y) * (1.0 - pl.gaming)
    return np.where(pl.gaming > 0.0, pl.best - m.direction * gap, pl.y)


def national(model: MissionModel, values: np.ndarray) -> float:
    """National value of a per-place indicator (population-weighted mean, or a sum)."""
    if model.mission.aggregate == "sum":
        return float(values.sum())
    return weighted_mean(values, model.places.cohort)


def weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    """``np.average(values, weights=weights)`` of float arrays: the same sums, less overhead.

    The weights must not sum to zero (a population, a need or a budget: always positive).
    """
    return float(np.multiply(values, weights).sum() / weights.sum())
