"""Build the world at month 0: places, organisations, programmes, staff and ties.

Money is derived so that month 0 is a balanced, funded state: every funded post is paid for,
charities' income matches their costs, and council core funding covers crisis demand plus its
share of early intervention. Everything random here comes from the run's ``world`` stream, so
every scenario run with the same seed starts from the same world (common random numbers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from missionsim.model import real_places
from missionsim.model.agents import Charity, Council, Department, StaffAgents
from missionsim.model.agents.department import DEPARTMENTS
from missionsim.model.network import CONTRACT, FUNDING, NEIGHBOUR, PARTNERSHIP, Partnerships
from missionsim.model.state import (
    CHARITY,
    COUNCIL,
    DEPARTMENT,
    FILLED,
    KIND_NAMES,
    SECTOR_OF_KIND,
    UNIT,
    VACANT,
    Orgs,
    Places,
    Programmes,
    StaffArrays,
)

if TYPE_CHECKING:  # pragma: no cover
    from missionsim.model.model import MissionModel

MONTHS = 12.0  # unit: months in a year
TINY = 1e-12  # structural: keeps divisions and logarithms away from zero


def beta_from_moments(mean: float, sd: float) -> tuple[float, float]:
    """Beta distribution parameters with the given mean and standard deviation."""
    var = min(sd**2, mean * (1 - mean) * 0.99)  # structural: a beta needs var < m(1-m)
    k = mean * (1 - mean) / max(var, TINY) - 1
    return mean * k, (1 - mean) * k


def bids_per_year(capacity: np.ndarray, p: dict) -> np.ndarray:
    """Bids a council prepares in a year, rising with capacity up to ``max_bids``."""
    return np.floor(np.clip(capacity, 0.0, 1.0) * p["max_bids"]).astype(np.int64)


def build(model: MissionModel) -> None:
    """Create the month-0 world on ``model``."""
    p = model.p
    rng = model.streams["world"]
    mission = model.mission
    n_loc = p["n_localities"]
    n_char = p["charities_per_locality"]

    # --- places ---------------------------------------------------------------------------
    data = model.places_data
    if data is None:
        size = rng.lognormal(0.0, p["cohort_size_sd"], n_loc)
        cohort = p["cohort_total"] * size / size.sum()
        a, b = beta_from_moments(p["deprivation_mean"], p["deprivation_sd"])
        dep = rng.beta(a, b, n_loc) if p["deprivation_sd"] > 0 else \
            np.full(n_loc, p["deprivation_mean"])
    else:
        cohort, dep = real_places.cohort_and_deprivation(data, p)
    z = (dep - dep.mean()) / dep.std() if n_loc > 1 and dep.std() > 0 else np.zeros(n_loc)
    need0 = cohort * (1.0 + p["need_deprivation"] * dep)
    equity = np.clip(1.0 - p["deprivation_funding_penalty"] * z, p["funding_floor"], None)
    funding = need0 * equity
    capacity = np.clip(p["capacity_mean"] - p["capacity_deprivation"] * z
                       + rng.normal(0.0, p["capacity_sd"], n_loc), p["capacity_margin"],
                       1.0 - p["capacity_margin"])
    y0, best = _place_outcomes(mission, cohort, dep, rng)
    if data is not None:
        y0, best = real_places.observed_outcomes(data, mission, cohort, y0, best)

    # --- money that funds the month-0 establishment (scaled below) -------------------------
    crisis_share = np.clip(p["crisis_share"] * (1.0 + p["crisis_share_deprivation"] * z), 0.0,
                           p["crisis_share_max"])
    core_early = funding * (1.0 - crisis_share)  # per unit of scale
    formula_weight = funding / funding.sum()
    bids = bids_per_year(capacity, p)
    pot_weight = bids * capacity ** p["matthew_exponent"]
    pot_share = pot_weight / pot_weight.sum() if pot_weight.sum() > 0 else formula_weight
    grant_ratio = p["mission_grant_share"] / max(1e-9,  # structural: no 1/0
                                                 1.0 - p["mission_grant_share"])
    m_council = grant_ratio * core_early.sum()
    c = p["competitive_share"]
    settlement = (1.0 - c) * m_council * formula_weight
    pots = c * m_council * pot_share
    early = core_early + settlement + pots
    # with no charities to commission, a council keeps its early-intervention money in-house
    commissioning = p["commission_share"] * early if n_char else np.zeros(n_loc)
    vacancy = steady_vacancy(p)
    bill = p["staff_cost"] * (1.0 + p["overhead"]) * (1.0 - vacancy)  # £m per post-year
    council_posts_f = (early - commissioning) / bill
    # charities: contracts, grants, donations in proportion to size
    char_loc = np.repeat(np.arange(n_loc), n_char)
    weight = rng.lognormal(0.0, p["charity_size_sd"], n_loc * n_char)
    contracted = rng.random(n_loc * n_char) < p["council_contract_share"]
    if n_char:  # every place has at least one contracted charity (its main provider)
        first = np.arange(n_loc) * n_char
        contracted[first + np.argmax(weight.reshape(n_loc, n_char), axis=1)] = True
    cw = weight * contracted
    cw_loc = np.bincount(char_loc, weights=cw, minlength=n_loc)
    contract = np.where(contracted, commissioning[char_loc] * cw / np.maximum(cw_loc[char_loc],
                                                                             TINY), 0.0)
    cis = p["contract_income_share"]
    other = np.where(contracted, contract * (1.0 - cis) / max(cis, 1e-9), 0.0)  # structural: 1/0
    # charities without contracts still have grants and donations of the same order
    mean_other = other[contracted].mean() if contracted.any() else 1.0
    mean_weight = weight.mean() if weight.size else 1.0
    other = np.where(contracted, other, mean_other * weight / mean_weight
                     * p["uncontracted_income_ratio"])
    grant = p["grant_income_share"] * other
    donations_year = p["donation_income_share"] * other
    charity_posts_f = (contract + grant + donations_year) / bill
    # scale all money so the establishment matches staff_per_1000
    target_posts = p["staff_per_1000"] * p["cohort_total"] / 1000.0  # unit: per 1,000
    funded = council_posts_f.sum() + charity_posts_f.sum()
    if not funded > 1e-9:  # structural: no posts at all
        raise ValueError("parameters fund no frontline posts at month 0: expected "
                         "crisis_share < 1 or mission_grant_share > 0")
    scale = target_posts / funded
    council_posts = np.maximum(1, np.round(council_posts_f * scale)).astype(np.int64)
    charity_posts = np.maximum(1, np.round(charity_posts_f * scale)).astype(np.int64)
    core = funding * scale
    m_council *= scale
    settlement = settlement * scale
    pots = pots * scale
    contract = contract * scale
    grant = grant * scale
    donations = donations_year * scale / MONTHS
    commissioning = commissioning * scale
    model.mission_money0 = m_council
    model.charity_grant_money0 = float(grant.sum())

    model.places = Places(
        cohort=cohort, deprivation=dep, z=z, need0=need0, formula_weight=formula_weight,
        capacity=capacity.copy(), capacity_base=capacity.copy(), core=core,
        crisis0=core * crisis_share, settlement=settlement, pots=pots,
        pooled=np.zeros(n_loc), balance=early * scale / (MONTHS / p["council_balance_months"]),
        early_share=early / (early + funding * crisis_share),
        commissioning=commissioning, y0=y0, best=best, y=y0.copy(), gaming=np.zeros(n_loc),
        **(real_places.identity(data, p) if data is not None else {}),
    )

    # --- organisation slots: departments, councils, charities, the (dormant) unit ----------
    n_dep = len(DEPARTMENTS)
    kinds = np.concatenate([np.full(n_dep, DEPARTMENT), np.full(n_loc, COUNCIL),
                            np.full(n_loc * n_char, CHARITY), [UNIT]]).astype(np.int8)
    n_orgs = kinds.size
    locality = np.concatenate([np.full(n_dep, -1), np.arange(n_loc), char_loc, [-1]])
    first_charity = n_dep + n_loc
    zeros = np.zeros(n_orgs)
    orgs = Orgs(
        kind=kinds, locality=locality.astype(np.int64), active=kinds != UNIT,
        node=np.zeros(n_orgs, dtype=np.int64), programme=np.full(n_orgs, -1, dtype=np.int64),
        own_programme=np.full(n_orgs, -1, dtype=np.int64), practice=zeros.copy(),
        rollout=np.ones(n_orgs),
        reserves=zeros.copy(), reserve_target=zeros.copy(), contract=zeros.copy(),
        grant=zeros.copy(),
        grant_settled=zeros.copy(), donations=zeros.copy(), donations0=zeros.copy(),
    )
    cs = slice(first_charity, first_charity + n_loc * n_char)
    orgs.contract[cs] = contract
    orgs.grant[cs] = grant
    orgs.grant_settled[cs] = grant * (1.0 - c)
    orgs.donations[cs] = donations
    orgs.donations0[cs] = donations
    monthly_cost = charity_posts * bill / MONTHS  # expected cost with vacancies
    orgs.reserve_target[cs] = draw_reserves(rng, n_loc * n_char, p)
    orgs.reserves[cs] = orgs.reserve_target[cs] * monthly_cost
    model.orgs = orgs
    model.first_charity = first_charity

    # --- programmes: one per charity, one business-as-usual practice per council -----------
    model.programmes = Programmes(p["prior_effect"], p["prior_sd"])
    theta_char = draw_effects(rng, n_loc * n_char, p)
    theta_council = rng.normal(p["effect_other"], p["council_effect_sd"], n_loc)
    ids = model.programmes.add(np.concatenate([theta_council, theta_char]))
    delivering = np.arange(n_dep, first_charity + n_loc * n_char)
    orgs.programme[delivering] = ids
    orgs.own_programme[delivering] = ids
    orgs.practice[delivering] = model.programmes.theta[ids]

    # --- Mesa agents -------------------------------------------------------------------------
    model.org_agents = [None] * n_orgs
    for slot, name in enumerate(DEPARTMENTS):
        model.org_agents[slot] = Department(model, name, p[f"{name}_money_share"], slot)
    for i in range(n_loc):
        model.org_agents[n_dep + i] = Council(model, i, n_dep + i)
    for slot in range(first_charity, first_charity + n_loc * n_char):
        model.org_agents[slot] = Charity(model, slot)
    for slot, agent in enumerate(model.org_agents):
        if agent is not None:
            orgs.node[slot] = agent.unique_id
    orgs.node[-1] = -1  # the unit has no node until it exists

    # --- staff posts ---------------------------------------------------------------------------
    staff = StaffArrays()
    employer = np.concatenate([np.repeat(np.arange(n_dep, n_dep + n_loc), council_posts),
                               np.repeat(np.arange(first_charity, first_charity + n_loc * n_char),
                                         charity_posts)])
    staff.append(employer, locality[employer])
    model.staff = staff
    model.staff_views = StaffAgents(model)  # each post's agent, made when first read
    model.staff_views.open(np.arange(staff.n))
    _fill_initial_posts(model, rng)

    # --- the partnership network -----------------------------------------------------------------
    net = Partnerships(orgs.node)
    for slot in np.flatnonzero(orgs.active):
        net.add_node(int(slot), **node_attrs(orgs, int(slot)))
    lo, sd = p["trust_start_margin"], p["trust_start_sd"]
    trust = lambda k: np.clip(rng.normal(p["trust_start"], sd, k), lo, 1.0 - lo)  # noqa: E731
    dep_slots = np.repeat(np.arange(n_dep), n_loc)
    council_slots = np.tile(np.arange(n_dep, n_dep + n_loc), n_dep)
    net.add_edges(dep_slots, council_slots, np.full(dep_slots.size, FUNDING),
                  trust(dep_slots.size))
    char_slots = np.arange(first_charity, first_charity + n_loc * n_char)
    cc = char_slots[contracted]
    net.add_edges(n_dep + char_loc[contracted], cc, np.full(cc.size, CONTRACT), trust(cc.size))
    # charity-charity partnerships, mostly within a locality
    n_pairs = int(round(p["ties_per_charity"] * char_slots.size / 2))  # structural: a tie joins two
    if char_slots.size > 1 and n_pairs:
        a = rng.integers(0, char_slots.size, n_pairs)
        local = rng.random(n_pairs) < p["local_tie_share"]
        b_local = char_loc[a] * n_char + rng.integers(0, n_char, n_pairs)
        b_any = rng.integers(0, char_slots.size, n_pairs)
        b = np.where(local, b_local, b_any)
        net.add_edges(char_slots[a], char_slots[b], np.full(n_pairs, PARTNERSHIP),
                      trust(n_pairs))
    if data is not None:  # councils tied to their statistical neighbours
        neighbours = model.places.neighbours
        has = neighbours >= 0
        a = np.repeat(np.arange(n_loc), neighbours.shape[1])[has.ravel()]
        b = neighbours[has]
        net.add_edges(n_dep + a, n_dep + b, np.full(a.size, NEIGHBOUR), trust(a.size))
    model.net = net


def node_attrs(orgs: Orgs, slot: int) -> dict:
    """Graph node attributes of organisation ``slot``."""
    k = int(orgs.kind[slot])
    loc = int(orgs.locality[slot])
    return {"sector": SECTOR_OF_KIND[k], "kind": KIND_NAMES[k],
            "locality": None if loc < 0 else loc, "slot": slot}


def draw_reserves(rng: np.random.Generator, k: int, p: dict) -> np.ndarray:
    """Reserves in months of costs: a share with almost none, the rest log-normal."""
    none = rng.random(k) < p["no_reserves_share"]
    typical = rng.lognormal(np.log(max(p["reserves_median"], 1e-6)),  # structural: log of 0
                            p["reserves_sd"], k)
    return np.where(none, rng.uniform(0.0, p["no_reserves_max"], k), typical)


def draw_effects(rng: np.random.Generator, k: int, p: dict) -> np.ndarray:
    """True programme effects: a minority work, most do little (CALIBRATION §E)."""
    works = rng.random(k) < p["programme_success_share"]
    good = rng.normal(p["effect_working"], p["effect_working_sd"], k)
    other = rng.normal(p["effect_other"], p["effect_other_sd"], k)
    return np.where(works, good, other)


def _place_outcomes(mission, cohort, dep, rng) -> tuple[np.ndarray, np.ndarray]:
    """Month-0 outcome per place, and the best achievable value per place."""
    eps = rng.normal(0.0, 1.0, cohort.size)
    if mission.aggregate == "mean":
        y0 = mission.baseline + mission.deprivation_effect * (dep - dep.mean()) \
            + mission.spread_sd * eps
        y0 += mission.baseline - np.average(y0, weights=cohort)  # national value exact
        y0 = np.clip(y0, 1.0, mission.best - 1.0) if mission.direction > 0 else y0
        return y0, np.full(cohort.size, mission.best)
    share = cohort * np.exp(mission.deprivation_effect * (dep - dep.mean())
                            + mission.spread_sd * eps)
    share /= share.sum()
    return mission.baseline * share, mission.best * share


def steady_vacancy(p: dict) -> float:
    """Share of posts vacant in steady state, given turnover and time to fill."""
    monthly_quit = 1.0 - (1.0 - p["annual_turnover"]) ** (1.0 / MONTHS)
    quit = min(p["quit_hazard_cap"], monthly_quit * p["labour_market_tightness"])
    fill = 1.0 - np.exp(-1.0 / (p["vacancy_fill_months"] * p["labour_market_tightness"]))
    return float(quit / (quit + fill))


def _fill_initial_posts(model: MissionModel, rng: np.random.Generator) -> None:
    """Fund every initial post and fill it, leaving vacancies at their steady-state rate."""
    p = model.p
    s = model.staff
    n = s.n
    monthly_quit = 1.0 - (1.0 - p["annual_turnover"]) ** (1.0 / MONTHS)
    s.status[:] = np.where(rng.random(n) < steady_vacancy(p), VACANT, FILLED)
    s.funding_changed()
    # tenure from the steady state of a constant quit hazard (geometric)
    s.tenure[:] = rng.geometric(max(monthly_quit, 1e-6), n) - 1  # structural: p > 0
    s.skill[:] = 1.0 - (1.0 - p["new_hire_skill"]) * np.exp(-s.tenure / p["skill_growth_months"])
    s.morale[:] = np.clip(rng.normal(p["morale_base"], p["morale_sd"], n), 0.0, 1.0)
    s.staff_changed()
