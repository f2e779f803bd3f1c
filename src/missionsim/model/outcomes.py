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

from missionsim.model import kernels, outcome_kernels, record_kernels, staff_kernels, ties

if TYPE_CHECKING:  # pragma: no cover
    from missionsim.model.model import MissionModel

MONTHS_PER_YEAR = 12  # unit: months per year (a displaced case's cost is per year)
POUNDS_PER_MILLION = 1e6  # unit: the ledger is in £m, a case's cost in £


def _national_coordination(model: MissionModel) -> float:
    """The national part of coordination: departments' silos and focus."""
    p = model.p
    focus = 1.0
    if model.departments:  # their mean focus: the sum and division of ``np.mean``, faster
        focus = np.array([d.focus for d in model.departments]).sum() / len(model.departments)
    w_focus = p["department_focus_weight"]
    return (1.0 - p["silo_penalty"] * model.levers.silo) * ((1.0 - w_focus) + w_focus * focus)


def reach(model: MissionModel) -> np.ndarray:
    """Share of need reached: referrals through trusted cross-sector ties, data, uptake."""
    lv = model.levers
    return outcome_kernels.reach_reference(model.cross_sector_strength(), lv.data_sharing,
                                           lv.mobilisation, model.places.reach_factor,
                                           _reach_parameters(model.p))


def _reach_parameters(p) -> tuple:
    """The parameters of reach, in the order :func:`outcome_kernels.reach_reference` takes."""
    return (p["data_sharing_referral_gain"], p["base_reach"], p["referral_gain"],
            p["mobilisation_reach_gain"])


def _at_orgs(levers, name: str, locality: np.ndarray):
    """``levers.at(name, locality)``, without its checks where the lever is a number."""
    value = getattr(levers, name)
    return levers.at(name, locality) if isinstance(value, np.ndarray) else value


def delivery(model: MissionModel) -> np.ndarray:
    """Effective delivery per unit of need in each place (absolute, not relative)."""
    return _delivery(model)[0]


def _delivery(model: MissionModel) -> tuple[np.ndarray, np.ndarray]:
    """Effective delivery per unit of need, and volunteer effort, in each place.

    Volunteer effort is in full-time equivalents: one unit delivers as much as one member of
    staff in post at full effort, skill and focus (see ``volunteer_year_value``). Sets each
    place's reach.
    """
    p, o, s, pl, lv, net = model.p, model.orgs, model.staff, model.places, model.levers, model.net
    sums = s.sums_by_org(o.n)
    absolute, volunteers, pl.reach = staff_kernels.month_delivery(
        kernels.COMPILED, (sums.filled, sums.skill, sums.effort),
        (o.practice, o.kind, o.locality, o.active, _at_orgs(lv, "punitive", o.locality)),
        (net.u, net.v, net.trust, ties.cross_sector(model)),
        (model.volunteers0, pl.capacity, pl.need0, model.demand_mult, pl.reach_factor),
        (lv.punitive, lv.staff_time, lv.data_sharing, lv.mobilisation, lv.autonomy),
        (p["practice_floor"], p["practice_gain"], p["competition_focus_loss"],
         lv.competitive_share, p["punitive_focus_loss"], p["pressure_effort"],
         p["morale_effort"], _national_coordination(model), *_reach_parameters(p),
         p["mobilisation_volunteer_gain"], p["volunteer_cap_per_staff"],
         p["volunteer_cap_base"], p["local_trust_weight"], p["devolution_gain"],
         p["devolution_fit_floor"], p["capacity_threshold"]))
    return absolute, volunteers


def update(model: MissionModel) -> None:
    """Move each place's true indicator towards what delivery supports; set gaming."""
    m, pl, p = model.mission, model.places, model.p
    compiled = kernels.COMPILED
    rng = model.streams["outcome"]
    shocks = rng.normal(0.0, 1.0, pl.n)
    absolute, volunteers = _delivery(model)
    # volunteer time given this month, in full-time-equivalent years, valued
    model.ledger.book("volunteer_value", volunteers.sum() / 12.0  # unit: months per year
                      * p["volunteer_year_value"])
    pl.delivery, base, lower = outcome_kernels.towards(
        compiled, absolute, pl.d0, pl.best, pl.y0,
        m.trend_to(model.month + 1) if m.trend else None,
        (p["universal_share"], m.momentum, abs(m.best - m.baseline)))
    rate = 1.0 - np.exp(-1.0 / (m.response_months * p["response_lag"]))
    pl.y, tangent = outcome_kernels.move(
        compiled, lower, base ** (-m.elasticity), pl.best, pl.y0, pl.y, shocks, rate,
        (m.direction, m.aggregate == "sum", m.target, m.baseline),
        (m.noise, p["outcome_gap_cap"], min(1.0, model.month / m.deadline),
         p["gaming_pressure_steepness"]))
    pl.y_hist.append(pl.y.copy())
    if len(pl.y_hist) > p["improving_months"] + 1:
        pl.y_hist.pop(0)
    unit = p["mission_unit_stocktake_pressure"] if model.mission_unit is not None else 1.0
    outcome_kernels.step_gaming(
        compiled, pl.gaming, model.levers.punitive, np.tanh(tangent),
        (p["gaming_strength"] * m.gameability, p["gaming_pressure_floor"],
         p["gaming_pressure_weight"], unit, p["gaming_cap"], p["gaming_months"]))
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
    return record_kernels.national(values, model.places.cohort,
                                   model.mission.aggregate == "sum")
