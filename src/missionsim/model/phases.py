"""The phases of a month, as a declared list: what :meth:`MissionModel.step` runs, in order.

Each :class:`Phase` names a step of the month, says in one line what it does and points at the
function that does it (a mechanism module's ``update``, or one of the small functions here).
:class:`~missionsim.model.model.MissionModel`'s docstring lists the same phases; a test checks
that the two agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from missionsim.model import evidence, finance, outcomes, ties, workforce
from missionsim.model.reforms import Levers

if TYPE_CHECKING:  # pragma: no cover
    from missionsim.model.model import MissionModel

MONTHS_PER_YEAR = 12  # unit: months per year (the budget round is annual)


def policy(model: MissionModel) -> None:
    """Levers, reforms at this month's intensity and their cost; the month's shocks.

    The levers come from the parameters, then the policy paths; reforms begin, apply or finish
    and book their cost. Targeted reforms (a ``target``) choose their places and then move
    their levers only there, after every untargeted reform.
    """
    p, m = model.p, model.month
    model.levers = Levers.from_params(model.p, model.policy, m)
    cost = 0.0
    targeted = []
    for reform in model.reforms:
        reform.set_month(m)
        active = reform.is_active(m)
        if active and not reform._running:
            reform._running = True
            reform.begin(model)
        elif not active and reform._running:
            reform._running = False
            reform.finish(model)
        if active:
            if reform.target is None:
                reform.apply(model, model.levers)
            else:
                reform.choose_places(model, m)
                targeted.append(reform)
            amount = reform.monthly_cost(model)
            council = amount * reform.param(model, "council_share")
            model.ledger.book("reform_council", council)
            model.ledger.book("reform_department", amount - council)
            cost += amount
    lv = model.levers
    for reform in targeted:  # each moves its levers only in its places
        lv.spread(reform, model, reform.places)
    lv.autonomy = np.minimum(1.0, lv.autonomy) if lv.targeted() else min(1.0, lv.autonomy)
    lv.pooled_share = min(p["pooled_share_cap"], lv.pooled_share)
    lv.focus_protection = min(1.0, lv.focus_protection)
    model.reform_cost = cost
    model.ledger_available(cost)
    model.ledger_spend(cost)
    shock_on = p["demand_shock_month"] <= m < p["demand_shock_month"] + p["demand_shock_months"]
    model.demand_mult = 1.0 + p["demand_shock"] * shock_on
    model.funding_mult = 1.0 - p["funding_shock"] * (m >= p["funding_shock_month"])
    if p["core_funding_trend"]:  # a steady real squeeze (or growth), compounding monthly
        model.funding_mult *= (1.0 + p["core_funding_trend"]) ** (m / MONTHS_PER_YEAR)
    model._set_extra_money()


def government(model: MissionModel) -> None:
    """Departments' focus and the Missions Unit's stocktake."""
    draws = (len(model.departments), 2)  # structural: two uniform draws per department
    model._dept_draws = model.streams["government"].random(draws)
    for dept in model.departments:
        dept.step()
    if model.mission_unit is not None:
        model.mission_unit.step()


def budget(model: MissionModel) -> None:
    """The annual budget round, or a mid-year re-plan of extra money."""
    if model.month > 0 and model.month % MONTHS_PER_YEAR == 0:
        finance.annual_budget(model)
    elif np.count_nonzero(model.extra_money_change):  # extra money started or stopped mid-year
        finance.replan_extra_money(model, model.extra_money_change)


def capacity(model: MissionModel) -> None:
    """Council capacity moves towards its target."""
    pl = model.places
    # np.clip's values (none is NaN or -0.0), without its wrapper's checks
    target = np.minimum(np.maximum(pl.capacity_base + model.levers.capacity_boost, 0.0), 1.0)
    pl.capacity += (target - pl.capacity) / model.p["capacity_months"]


def record(model: MissionModel) -> None:
    """Total the month's spending and record the reporters (at the months asked for)."""
    model.spend_total += model.spend_month
    model.month = model.steps
    if model.month == model.mission.deadline:
        model._outcome_at_deadline = outcomes.national(model, model.places.y)
    model.ledger.close()
    model.record()
    model.spend_month_recorded = model.spend_month
    model.spend_month = 0.0
    if model.month >= model.horizon:
        model.running = False


@dataclass(frozen=True)
class Phase:
    """One phase of a month: its name, what it does (one line) and the function that does it."""

    name: str
    summary: str
    run: Callable[[MissionModel], None]


PHASES: tuple[Phase, ...] = (
    Phase("policy", "reset the levers from the parameters and the month's policy paths; "
          "reforms begin, apply or finish at their intensity this month; their costs are "
          "booked; the month's funding and demand shocks are set.",
          policy),
    Phase("government", "each Department recovers focus or is distracted; the Missions Unit "
          "(if any) holds its quarterly stocktake and re-weights pooled money.",
          government),
    Phase("budget", "in months 12, 24, …: settlements (renewed when they run out), competitive "
          "pots (bids cost money and capacity, capacity wins), department grants to charities, "
          "council plans (crisis first, then teams and commissioning), contract tenders, and "
          "every employer's funded posts.", budget),
    Phase("capacity", "council capacity moves towards its target.",
          capacity),
    Phase("finance", "councils pay crisis demand, then staff and contracts; charities take "
          "income, pay staff, pool reserves with trusted partners, shrink, close; new charities "
          "are founded in the place of closed ones.", finance.monthly_flows),
    Phase("workforce", "workload and conditions set morale; quits, hires, skill growth.",
          workforce.update),
    Phase("evidence", "programmes in use yield evidence; organisations adopt better-evidenced "
          "practice from trusted partners (and drop practice shown not to work under trials).",
          evidence.update),
    Phase("partnerships", "contact, trust growth and erosion, ties break and form (the "
          "networkx graph's trust is brought up to date when it is read).", ties.update),
    Phase("outcome", "effective delivery in each place; the true indicator moves towards what "
          "delivery supports, with a lag; gaming sets the reported indicator.", outcomes.update),
    Phase("record", "the month's spending is totalled and the DataCollector records the "
          "model-level reporters (every month, or the months asked for).", record),
)
"""The phases of :meth:`~missionsim.model.model.MissionModel.step`, in order. The class
docstring lists them (a test checks that it says the same)."""
