"""Money: the annual budget cycle (settlements, pots and bids, grants, plans) and monthly flows.

Money is in £m. Councils pay crisis (statutory, late) demand first, then their frontline teams
and the charities they commission; what is left is carried forward. Charities receive contract,
grant and donation income, pay their staff, and close when their reserves run out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from missionsim.model import draws, money_kernels
from missionsim.model import finance_kernels as fk
from missionsim.model.compiled import COMPILED
from missionsim.model.network import CONTRACT
from missionsim.model.state import CHARITY, each
from missionsim.model.world import MONTHS, TINY, bids_per_year

if TYPE_CHECKING:  # pragma: no cover
    from missionsim.model.model import MissionModel


def post_bill(p: dict) -> float:
    """Cost of one funded, filled post per month (£m), overhead included."""
    return p["staff_cost"] * (1.0 + p["overhead"]) / MONTHS


def evidence_factor(model: MissionModel, slots: np.ndarray) -> np.ndarray:
    """How much funders favour each organisation for what the evidence says of its programme.

    Funders weight by the posterior mean relative to the prior, discounted by how much of the
    belief comes from data; under experimentation they weight evidence far more strongly.
    """
    pr, p = model.programmes, model.p
    prog = model.orgs.programme[slots]
    conf = 1.0 - pr.prior_prec / pr.prec[prog]
    weight = (p["funder_evidence_weight"]
              + p["experimentation_evidence_weight"]
              * model.levers.at("experimentation", model.orgs.locality[slots]))
    zscore = (pr.mean[prog] - pr.prior_mean) * np.sqrt(pr.prior_prec)
    cap = p["evidence_factor_cap"]
    return np.clip(np.exp(weight * conf * zscore), 1.0 / cap, cap)


def council_trust(model: MissionModel) -> np.ndarray:
    """Trust between each charity and its council (0 where they have no tie)."""
    net, o = model.net, model.orgs
    return money_kernels.council_trust(COMPILED, net.u, net.v, net.trust, o.kind, o.locality,
                                       o.n)


def annual_budget(model: MissionModel) -> None:
    """Run the annual budget round (months 12, 24, …)."""
    p, pl, o, lv = model.p, model.places, model.orgs, model.levers
    rng = model.streams["budget"]
    n_loc = pl.n
    money = model.mission_money()
    c = lv.competitive_share
    pl.settlement_age += 1
    renew = pl.settlement_age >= lv.settlement_years
    if renew:
        pl.settlement = (1.0 - c) * (1.0 - lv.pooled_share) * money * pl.formula_weight
        pl.settlement_age = 0
    elif pl.settlement.sum() > money:  # a cut deep enough to break into locked settlements
        pl.settlement = pl.settlement * money / pl.settlement.sum()
    pots_total = min(c * (1.0 - lv.pooled_share) * money, max(0.0, money - pl.settlement.sum()))
    model.pool_total = max(0.0, money - pl.settlement.sum() - pots_total)

    # competitive pots: bids cost money and capacity; capacity wins (Matthew effect)
    n_pots = max(1, int(round(p["pots_per_locality"] * n_loc)))
    u_bid = rng.random((n_pots, n_loc))
    u_win = rng.random(n_pots)
    pl.pots = np.zeros(n_loc)
    if pots_total > 0:
        cap = model.effective_capacity()
        bids = bids_per_year(cap, p)
        bidding = u_bid < np.minimum(1.0, bids / n_pots)[None, :]
        nbids = bidding.sum(axis=0)
        w = bidding * np.clip(cap, TINY, None)[None, :] ** p["matthew_exponent"]
        totals = w.sum(axis=1)
        value = pots_total / n_pots
        # each pot goes where its draw falls in the bidders' cumulative shares (all pots at
        # once: the count of shares below the draw is where a search of the row would stop)
        bid = np.flatnonzero(totals > 0)
        share = np.cumsum(w[bid], axis=1) / totals[bid, None]
        winner = np.minimum(np.count_nonzero(share < u_win[bid, None], axis=1), n_loc - 1)
        pl.pots = np.bincount(winner, weights=np.full(winner.size, value), minlength=n_loc)
        # a pot nobody bid for is shared out by formula with the pooled money
        model.pool_total += value * int(np.count_nonzero(totals <= 0))
        cost = nbids * p["bid_cost"]
        pay = np.minimum(cost, np.maximum(pl.balance, 0.0))
        pl.balance -= pay
        model.ledger_spend(float(pay.sum()))
        before = pl.capacity
        pl.capacity = np.clip(pl.capacity - p["bid_capacity_cost"] * nbids, 0.0, 1.0)
        model.ledger.book("capacity_used", float((before - pl.capacity).sum()))
        model.bids_last_round = nbids

    # department grants to charities: a settled part and a competitive part
    charities = np.flatnonzero((o.kind == CHARITY) & o.active)
    grants = model.charity_grant_money0 * model.funding_mult
    posts = np.maximum(model.staff.funded_by_org(o.n)[charities], 1)
    noise = draws.standard_normal(rng, o.n)[charities]
    if charities.size:
        if renew:
            o.grant_settled[:] = 0.0
            o.grant_settled[charities] = (1.0 - c) * grants * posts / posts.sum()
        w = posts * evidence_factor(model, charities) * np.exp(p["grant_spread"] * noise)
        o.grant[:] = 0.0
        o.grant[charities] = o.grant_settled[charities] + c * grants * w / w.sum()

    refresh_pooled(model)
    plan_councils(model, tender=renew)
    plan_charities(model, charities)


def refresh_pooled(model: MissionModel) -> None:
    """Share the pooled money among councils: by the Missions Unit's weights, else by formula."""
    unit = model.mission_unit
    weights = unit.weights if unit is not None else model.places.formula_weight
    model.places.pooled = model.pool_total * weights


def pool_now(model: MissionModel, share: float) -> None:
    """Pool ``share`` of this year's council mission money at once (a new Missions Unit).

    Pots and one-year settlements are not yet committed and can be pooled; a settlement in
    the second or later year of a multi-year term is locked until it is renewed.
    """
    pl = model.places
    take_pots = share * pl.pots
    locked = model.levers.settlement_years > 1 and pl.settlement_age > 0
    take_settlement = 0.0 if locked else share * pl.settlement
    pl.pots = pl.pots - take_pots
    pl.settlement = pl.settlement - take_settlement
    model.pool_total += float(np.sum(take_pots) + np.sum(take_settlement))


def council_income(model: MissionModel) -> np.ndarray:
    """Each council's money this year (£m a year): core (after shocks), mission and extra money."""
    pl = model.places
    return fk.council_income(COMPILED, pl.core, model.funding_mult, pl.settlement, pl.pots,
                             pl.pooled, model.extra_money_places)


def replan_extra_money(model: MissionModel, change: np.ndarray) -> None:
    """Councils and their charities re-plan at once when extra mission money starts or stops.

    The change in each council's money (``change``, £m a year) is split as at the budget:
    ``commission_share`` scales its contracts in proportion, the rest (all of it, without
    contracts) its own posts, opened or cut now; charities open posts for a larger contract
    now and cut for a smaller one within notice periods. Nothing else is re-planned.
    """
    p, pl, o = model.p, model.places, model.orgs
    charities = np.flatnonzero((o.kind == CHARITY) & o.active)
    loc = o.locality[charities]
    committed = np.bincount(loc, weights=o.contract[charities], minlength=pl.n)
    new_commissioning = np.maximum(0.0, pl.commissioning + p["commission_share"] * change)
    new_committed = np.where(committed > 0, np.maximum(
        0.0, committed + new_commissioning - pl.commissioning), 0.0)
    ratio = np.where(committed > 0, new_committed / np.maximum(committed, TINY), 1.0)
    old_contract = o.contract[charities].copy()
    o.contract[charities] = old_contract * ratio[loc]
    pl.commissioning = new_commissioning
    bill = post_bill(p) * (1.0 - model.expected_vacancy)  # £m per planned post-month
    councils = model.council_slot(np.arange(pl.n))
    funded = model.staff.funded_by_org(o.n)
    own = np.floor((change - (new_committed - committed)) / (MONTHS * bill)).astype(np.int64)
    model.set_establishment(councils, np.maximum(0, funded[councils] + own))
    if charities.size:
        extra = np.round((o.contract[charities] - old_contract) / MONTHS / bill).astype(np.int64)
        targets = np.maximum(0, funded[charities] + extra)
        model.set_establishment(charities, notice_cuts(model, funded, charities, targets))


def plan_councils(model: MissionModel, tender: bool) -> None:
    """Councils split next year's money between crisis, their teams and commissioning."""
    p, pl, o = model.p, model.places, model.orgs
    income = council_income(model)
    crisis = crisis_demand(model) * MONTHS
    early = np.maximum(0.0, income - crisis + p["balance_spend_share"] * np.maximum(pl.balance,
                                                                                   0.0))
    pl.early_share = np.where(income > 0, np.minimum(1.0, early / np.maximum(income, TINY)), 0.0)
    pl.commissioning = p["commission_share"] * early
    charities = np.flatnonzero((o.kind == CHARITY) & o.active)
    loc = o.locality[charities]
    if tender and charities.size:
        tender_contracts(model, charities)
    elif charities.size:  # contracts are indexed to what the council can commission
        committed = np.bincount(loc, weights=o.contract[charities], minlength=pl.n)
        ratio = np.where(committed > 0, pl.commissioning / np.maximum(committed, TINY), 1.0)
        o.contract[charities] *= ratio[loc]
    bill_year = post_bill(p) * MONTHS * (1.0 - model.expected_vacancy)
    committed = np.bincount(loc, weights=o.contract[charities], minlength=pl.n)
    targets = np.floor(np.maximum(0.0, early - committed) / bill_year).astype(np.int64)
    model.set_establishment(model.council_slot(np.arange(pl.n)), targets)


def tender_contracts(model: MissionModel, charities: np.ndarray) -> None:
    """Re-tender council contracts: incumbents may lose theirs outright, others may win one.

    The chance of losing rises with competition and short terms and falls with the trust
    between charity and council; under experimentation, weakly evidenced programmes lose
    more often. Each council's commissioning is then shared among the holders by size, trust
    and evidence.
    """
    o, pl, p = model.orgs, model.places, model.p
    loc = o.locality[charities]
    rng = model.streams["budget"]
    noise = draws.standard_normal(rng, o.n)[charities]
    u = rng.random(o.n)[charities]
    trust = council_trust(model)[charities]
    evidence = evidence_factor(model, charities)
    churn = tender_churn(model)
    holder = o.contract[charities] > 0
    lose = holder & (u < np.clip(churn * (p["churn_trust_base"] - trust) / evidence, 0.0, 1.0))
    win = ~holder & (u < churn)
    keep = (holder & ~lose) | win
    posts = np.maximum(model.staff.funded_by_org(o.n)[charities], 1)
    w = keep * posts * (p["contract_trust_base"] + trust) * evidence * np.exp(
        p["contract_spread"] * noise)
    total = np.bincount(loc, weights=w, minlength=pl.n)
    o.contract[charities] = pl.commissioning[loc] * w / np.maximum(total[loc], TINY)
    model.contracts_lost += int(lose.sum())
    new = charities[win & (trust == 0.0)]
    if new.size:
        model.net.add_edges(model.council_slot(o.locality[new]), new,
                            np.full(new.size, CONTRACT), np.full(new.size, p["new_tie_trust"]))
    # a council-charity tie is a contract tie while the contract lasts, a partnership after
    net = model.net
    net.set_kinds(*money_kernels.tie_kinds(COMPILED, net.u, net.v, net.kind, o.kind, o.locality,
                                           o.contract))


def tender_churn(model: MissionModel) -> float:
    """Chance an incumbent loses its contract at a tender (before trust and evidence).

    Competition and short terms raise it; it falls with the square root of the term (a
    three-year term cuts it by about 40% per tender, and tenders come a third as often).
    """
    lv, p = model.levers, model.p
    return p["contract_churn"] * (p["churn_competition_base"] + lv.competitive_share) / np.sqrt(
        lv.settlement_years)


def plan_charities(model: MissionModel, charities: np.ndarray) -> None:
    """Charities set next year's posts from expected income, protecting thin reserves."""
    p, o = model.p, model.orgs
    if charities.size == 0:
        return
    bill = post_bill(p) * (1.0 - model.expected_vacancy)
    income = (o.contract[charities] + o.grant[charities]) / MONTHS + o.donations[charities]
    cost = np.maximum(model.staff.funded_by_org(o.n)[charities], 1) * bill
    # each charity keeps reserves near its own target (few funders pay for reserves, so
    # many run thin): spend a surplus down, rebuild a shortfall more slowly
    reserves = o.reserves[charities]
    target = o.reserve_target[charities]
    keep = (p["reserve_spend_multiple"] * target + p["reserve_spend_margin"]) * cost
    spare = np.maximum(0.0, reserves - keep) / p["reserve_spend_months"]
    short = np.maximum(0.0, target * cost - reserves) / p["reserve_rebuild_months"]
    targets = np.round(np.maximum(0.0, income + spare - short) / bill).astype(np.int64)
    model.set_establishment(charities, notice_cuts(model, model.staff.funded_by_org(o.n),
                                                   charities, targets))


def notice_cuts(model: MissionModel, funded: np.ndarray, slots: np.ndarray,
                targets: np.ndarray) -> np.ndarray:
    """Posts of charities ``slots`` after one round of cuts towards ``targets``.

    ``funded`` holds every employer's funded posts; 1/``notice_months`` of the excess goes at
    once, and growth (opening vacancies) is immediate. At the annual plan a charity makes one
    such round; each month after that it makes another only while its reserves are thin and
    its income short of its costs.
    """
    return money_kernels.notice_cuts(COMPILED, funded, slots, targets, model.p["notice_months"])


def crisis_demand(model: MissionModel) -> np.ndarray:
    """Monthly crisis (late) demand on each council (£m a month).

    Crisis demand rises with need (demand shocks) and when outcomes deteriorate below where
    they started: problems not prevented early arrive later as crises.
    """
    pl = model.places
    return fk.crisis_demand(COMPILED, pl.crisis0, pl.best, pl.y0, pl.y, model.mission.direction,
                            model.demand_mult, model.p["crisis_feedback"])


def monthly_flows(model: MissionModel) -> None:
    """Pay this month's money: councils, then charities; pool, shrink, close and found."""
    p, pl, o, s = model.p, model.places, model.orgs, model.staff
    bill = post_bill(p)
    n_orgs = o.n
    filled = s.filled_by_org(n_orgs)
    refresh_pooled(model)
    if model.mission_unit is not None:  # pooled money moved by the unit: a transfer
        model.ledger.book("transfers", float(pl.pooled.sum()) / MONTHS)
    # councils pay crisis demand, then their teams and contracts
    council_slots = model.council_slot(np.arange(pl.n))
    charities, kept, paid, frac, pl.balance, pl.early_share, short = fk.councils(
        COMPILED, council_income(model), crisis_demand(model), pl.balance, o.contract, o.kind,
        o.active, o.locality, filled, council_slots, bill)
    model.ledger_available(float(kept.sum()))
    model.ledger_spend(float(paid.sum()))
    if short.size:  # a council that cannot pay cuts posts at once
        funded = s.funded_by_org(n_orgs)[council_slots[short]]
        model.set_establishment(council_slots[short], np.floor(funded * frac[short]).astype(int))

    # charities
    if charities.size == 0:
        return
    shocks = draws.standard_normal(model.streams["finance"], n_orgs)
    mobilised = each(model.levers.at("mobilisation", o.locality), n_orgs)
    donations, grants_paid, income_c, cost_c = fk.charity_books(
        COMPILED, charities, o.donations, o.donations0, mobilised, shocks, o.reserves, o.grant,
        o.contract, frac, o.locality, filled, bill, (p["mobilisation_donation_gain"],
                                                     p["donation_reversion"],
                                                     p["donation_volatility"]))
    model.ledger.book("donations", float(donations.sum()))
    granted = float(grants_paid.sum())
    model.ledger_available(granted)
    model.ledger_spend(granted)
    pool_reserves(model, charities, cost_c)
    # thin reserves and short income: cut posts towards what income pays, at notice's pace;
    # insolvent: reserves exhausted and the small overdraft trustees can carry used up
    per_post = bill * (1.0 - model.expected_vacancy)  # as the annual plan sizes posts
    shrink, affordable, insolvent = fk.distress(COMPILED, charities, o.reserves, income_c, cost_c,
                                                per_post, bill, p["insolvency_months"])
    if shrink.size:
        model.set_establishment(shrink, notice_cuts(model, s.funded_by_org(n_orgs), shrink,
                                                    affordable))
    model.close_charities(insolvent)
    # new charities take the place of closed ones
    u = model.streams["entry"].random(n_orgs)
    for slot in fk.founders(COMPILED, o.kind, o.active, u, mobilised,
                            p["mobilisation_founding_gain"], p["charity_entry_months"]):
        model.found_charity(int(slot))


def pool_reserves(model: MissionModel, charities: np.ndarray, cost: np.ndarray) -> None:
    """Partners with healthy reserves give to trusted partners close to running out."""
    net, o, p = model.net, model.orgs, model.p
    model.pooled_last_month = 0.0
    if net.n_edges == 0 or model.p["pooling_rate"] == 0:
        return
    flows = fk.pool(COMPILED, net.u, net.v, net.kind, net.trust, o.kind, o.active, o.reserves,
                    charities, cost, (p["pooling_trust_min"], p["pooling_donor_months"],
                                      p["pooling_recipient_months"], p["pooling_rate"]))
    if flows is None:
        return
    pooled = float(flows[0].sum() + flows[1].sum())
    model.pooled_last_month += pooled
    model.ledger.book("transfers", pooled)
