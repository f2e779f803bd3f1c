"""Frontline workforce, updated vectorised over every post each month.

Workload (need reached per member of staff, relative to the start) and the conditions of work
set a morale target; morale moves towards it. Discretionary effort rises with morale; quitting
rises steeply as morale falls; vacancies take months to fill (longer in a tight labour market);
new hires start less skilled and learn with tenure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from missionsim.model import draws, finance, kernels, staff_kernels, workforce_kernels
from missionsim.model.state import CHARITY, COUNCIL, FILLED, VACANT

if TYPE_CHECKING:  # pragma: no cover
    from missionsim.model.model import MissionModel


def workload(model: MissionModel) -> np.ndarray:
    """Caseload per locality relative to the recommended standard."""
    pl, s = model.places, model.staff
    filled = staff_kernels.count_in_post(kernels.COMPILED, s.status, s.loc, pl.n).astype(float)
    per_head = model.need() * pl.reach / np.maximum(filled, 1.0)
    per_head0 = pl.need0 * pl.reach0 / np.maximum(pl.filled0, 1.0)
    p = model.p
    return np.clip(p["workload_start"] * per_head / per_head0, 0.0, p["workload_cap"])


def morale_target(model: MissionModel, reserves: np.ndarray | None = None) -> np.ndarray:
    """The morale each post's holder is drawn towards this month.

    What the place sets (workload, accountability, co-design) is worked out once per place,
    and what the employer sets (a charity's insecurity) once per organisation; ``reserves``
    are the employers' reserves in months when the caller already has them.
    """
    p, lv, o, s = model.p, model.levers, model.orgs, model.staff
    w = workload(model)
    punitive = lv.at("punitive")
    place = (p["morale_base"]
             - p["workload_morale"] * np.maximum(0.0, w - 1.0)
             - p["accountability_stress"] * punitive
             + p["codesign_morale"] * lv.at("codesign")
             * (1.0 - p["codesign_punitive_loss"] * punitive))
    # charity staff on short, competitive funding and in charities close to the edge
    months = model.charity_reserves_months() if reserves is None else reserves
    insecure = (lv.competitive_share / lv.settlement_years
                + (months < 1.0)) / 2.0  # structural: mean of the two sources
    employer = np.where(o.kind == CHARITY, p["insecurity_morale"] * insecure, 0.0)
    return workforce_kernels.staff_target(kernels.COMPILED, place, employer, s.loc, s.org)


def _place_par(p) -> tuple:
    """A place's parameters of the morale target, in the order ``month_reference`` takes them."""
    return (p["workload_start"], p["workload_cap"], p["morale_base"], p["workload_morale"],
            p["accountability_stress"], p["codesign_morale"], p["codesign_punitive_loss"])


def _quit_base(p) -> float:
    """The monthly quit hazard at the reference morale, before the labour market."""
    return 1.0 - (1.0 - p["annual_turnover"]) ** (1.0 / 12.0)  # unit: months per year


def _fill_base(p) -> float:
    """The monthly chance of filling a vacancy, before the employer's capacity."""
    return 1.0 - np.exp(-1.0 / (p["vacancy_fill_months"] * p["labour_market_tightness"]))


def _hazard_par(model: MissionModel) -> tuple:
    """The quit hazard's parameters, in the order ``workforce_kernels.quit_hazard`` takes them."""
    p = model.p
    return (_quit_base(p), p["labour_market_tightness"], p["quit_hazard_cap"],
            p["morale_turnover"], model.morale_ref)


def monthly_quit_hazard(model: MissionModel, morale: np.ndarray) -> np.ndarray:
    """Probability a post-holder quits this month, rising as morale falls.

    The base hazard times ``exp(morale_turnover × (reference morale − morale))`` (the C
    library's ``exp``, as the compiled pass's) times the labour market's tightness, capped.
    """
    return workforce_kernels.quit_hazard(morale, _hazard_par(model))


def recruitment(model: MissionModel) -> np.ndarray:
    """Chance each vacant post is filled this month.

    Slower in a tight labour market; faster for councils with the capacity (HR, workforce
    planning) to recruit; zero in a charity whose reserves are under ``hiring_freeze_months``
    of costs (a hiring freeze).
    """
    p, s = model.p, model.staff
    base = _fill_base(p)
    kind = model.orgs.kind[s.org]
    cap = model.places.capacity[s.loc]
    k = p["recruitment_capacity_offset"]
    factor = np.where(kind == COUNCIL, (k + cap) / (k + p["capacity_mean"]), 1.0)
    reserves = model.charity_reserves_months()[s.org]
    frozen = (kind == CHARITY) & (reserves < p["hiring_freeze_months"])
    return np.where(frozen, 0.0, np.clip(base * factor, 0.0, 1.0))


def update(model: MissionModel) -> None:
    """Morale, quits, hires and skill for every post.

    Compiled (:mod:`~missionsim.model.kernels`) when :data:`kernels.COMPILED` is set, else in
    NumPy passes; both give identical results. Either way the quit hazard's ``exp`` is the C
    library's (:func:`~missionsim.model.workforce_kernels.libm_exp`), and the random draws are
    NumPy's numbers (:mod:`~missionsim.model.draws`).
    """
    p, s = model.p, model.staff
    rng = model.streams["workforce"]
    n = s.n
    # each post's normal draw, then its one uniform draw: a holder quits when it falls under
    # the quit hazard; a vacant post is filled when it falls under the chance of filling it,
    # and then the same draw over that chance (uniform in [0, 1) again) places the new hire's
    # skill within its spread
    noise, uniform = draws.normal_and_uniform(rng, n, 1)  # structural: one uniform a post
    u = uniform[0]
    if not kernels.COMPILED:
        _update_numpy(model, noise, u)
        s.staff_changed()
        return
    pl, lv, o = model.places, model.levers, model.orgs
    # workload, the morale target, the employers' reserves in months and the new morale in
    # one compiled pass (the same numbers as workload, morale_target and the model's
    # charity_reserves_months)
    target, reserves = workforce_kernels.staff_month(
        s.status, s.loc, s.org, s.morale, noise, model.need(), pl.reach, pl.need0, pl.reach0,
        pl.filled0, lv.at("punitive"), lv.at("codesign"), o.kind, o.active, o.reserves,
        s.funded_by_org(o.n), _place_par(p),
        (finance.post_bill(p), lv.competitive_share / lv.settlement_years,
         p["insecurity_morale"]),
        (p["morale_months"], p["morale_noise"]))
    spread = p["new_hire_skill_spread"]
    quits, filled, hires, sums = kernels.staff_turnover(
        s.status, s.skill, s.morale, s.tenure, s.org, s.loc, u, target, noise,
        model.orgs.kind, model.places.capacity, reserves, _hazard_par(model),
        (_fill_base(p), p["recruitment_capacity_offset"],
         p["recruitment_capacity_offset"] + p["capacity_mean"], p["hiring_freeze_months"]),
        (p["new_hire_skill"], spread, 1.0 - spread / 2.0,  # structural: centred on 1
         p["new_hire_morale_noise"], p["skill_growth_months"]))
    s.quits_month = int(quits)
    s.filled_before = int(filled)
    s.quits += s.quits_month
    s.hires += int(hires)
    s.staff_changed(sums)


def _update_numpy(model: MissionModel, noise: np.ndarray, u: np.ndarray) -> None:
    """:func:`update` in NumPy passes, given the month's draws (the reference)."""
    p, s = model.p, model.staff
    filled = s.status == FILLED
    target = morale_target(model)
    s.morale += (target - s.morale) / p["morale_months"] + p["morale_noise"] * noise
    np.clip(s.morale, 0.0, 1.0, out=s.morale)
    quits = filled & (u < monthly_quit_hazard(model, s.morale))
    s.status[quits] = VACANT
    fill_prob = recruitment(model)
    hires = (s.status == VACANT) & ~quits & (u < fill_prob)
    s.status[hires] = FILLED
    s.tenure[hires] = 0
    spread = p["new_hire_skill_spread"]
    s.skill[hires] = p["new_hire_skill"] * ((1.0 - spread / 2.0)  # structural: centred on 1
                                            + spread * (u[hires] / fill_prob[hires]))
    s.morale[hires] = np.clip(target[hires] + p["new_hire_morale_noise"] * noise[hires], 0.0, 1.0)
    still = s.status == FILLED
    s.skill[still] += (1.0 - s.skill[still]) / p["skill_growth_months"]
    s.tenure[still & ~hires] += 1
    s.quits_month = int(quits.sum())
    s.filled_before = int(filled.sum())
    s.quits += s.quits_month
    s.hires += int(hires.sum())
