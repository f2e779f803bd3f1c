"""Compiled monthly money flows (:func:`missionsim.model.finance.monthly_flows`).

Councils' income, crisis demand and payments, charities' donations and books, reserve pooling,
and the charities that shrink, close or are founded: each kernel makes one pass where NumPy
makes many. Each gives exactly the result of its NumPy reference, kept here for the unit tests
(``tests/unit/test_finance_kernels.py``) and as the path taken when numba is not used: sums
run in slot or tie order from zero, as ``bincount`` adds; every expression keeps the
reference's order of operations; logarithms and exponentials stay NumPy's.
"""

from __future__ import annotations

import numpy as np

from missionsim.model.compiled import compile_kernel as _compile
from missionsim.model.compiled import maximum as _maximum
from missionsim.model.compiled import minimum as _minimum
from missionsim.model.network import PARTNERSHIP
from missionsim.model.state import CHARITY
from missionsim.model.world import MONTHS, TINY

TINY_GAP = 1e-9  # structural: a place already at its best has no gap to fall behind


# --- councils: income, crisis demand and what they pay ---------------------------------------
def income_reference(core, funding_mult, settlement, pots, pooled, extra) -> np.ndarray:
    """Each council's money this year (£m a year): core (after shocks), mission and extra money."""
    return core * funding_mult + settlement + pots + pooled + extra


@_compile
def _income_kernel(core, funding_mult, settlement, pots, pooled, extra):
    """Compiled :func:`income_reference`."""
    out = np.empty(core.size)
    for i in range(core.size):
        out[i] = core[i] * funding_mult + settlement[i] + pots[i] + pooled[i] + extra[i]
    return out


def council_income(compiled: bool, core, funding_mult, settlement, pots, pooled, extra):
    """Each council's money this year (£m a year); see :func:`income_reference`."""
    fn = _income_kernel if compiled else income_reference
    return fn(core, float(funding_mult), settlement, pots, pooled, extra)


def crisis_reference(crisis0, best, y0, y, direction, demand_mult, feedback) -> np.ndarray:
    """Monthly crisis demand on each council (£m a month); see ``finance.crisis_demand``."""
    gap0 = np.abs(best - y0)
    worse = np.maximum(0.0, direction * (y0 - y)) / np.maximum(gap0, TINY_GAP)
    return crisis0 / MONTHS * demand_mult * (1.0 + feedback * worse)


@_compile
def _crisis_kernel(crisis0, best, y0, y, direction, demand_mult, feedback):
    """Compiled :func:`crisis_reference`."""
    out = np.empty(crisis0.size)
    for i in range(crisis0.size):
        worse = (_maximum(0.0, direction * (y0[i] - y[i]))
                 / _maximum(abs(best[i] - y0[i]), TINY_GAP))
        out[i] = crisis0[i] / MONTHS * demand_mult * (1.0 + feedback * worse)
    return out


def crisis_demand(compiled: bool, crisis0, best, y0, y, direction, demand_mult, feedback):
    """Monthly crisis demand on each council (£m a month); see :func:`crisis_reference`."""
    fn = _crisis_kernel if compiled else crisis_reference
    return fn(crisis0, best, y0, y, float(direction), float(demand_mult), float(feedback))


def councils_reference(income, crisis, balance, contract, kind, active, locality, filled,
                       council_slots, bill) -> tuple:
    """What each council pays this month out of its balance and ``income`` (a year's; reference).

    Crisis demand first, then filled posts and a twelfth of the charities' contracts, all by the
    same fraction where it cannot pay them all. Returns the active charities, each council's
    income less crisis paid, what it paid, the fraction, its balance, its early-intervention
    share of what it paid, and the places that paid short.
    """
    income = income / MONTHS
    charities = np.flatnonzero((kind == CHARITY) & active)
    loc = locality[charities]
    contracts_due = np.bincount(loc, weights=contract[charities], minlength=balance.size) / MONTHS
    staff_due = filled[council_slots] * bill
    available = balance + income
    crisis_paid = np.minimum(crisis, np.maximum(available, 0.0))
    rest = available - crisis_paid
    due = staff_due + contracts_due
    paid = np.minimum(due, np.maximum(rest, 0.0))
    frac = np.where(due > 0, paid / np.maximum(due, TINY), 1.0)
    total_out = crisis_paid + paid
    early = np.where(total_out > 0, paid / np.maximum(total_out, TINY), 0.0)
    short = np.flatnonzero(frac < 1.0 - TINY)
    return charities, income - crisis_paid, paid, frac, rest - paid, early, short


@_compile
def _councils_kernel(income, crisis, balance, contract, kind, active, locality, filled,
                     council_slots, bill):
    """Compiled :func:`councils_reference`: the same payments, in the same order."""
    n_places = balance.size
    charities = np.empty(kind.size, dtype=np.int64)
    n_charities = 0
    committed = np.zeros(n_places)
    for k in range(kind.size):
        if kind[k] == CHARITY and active[k]:
            charities[n_charities] = k
            n_charities += 1
            committed[locality[k]] += contract[k]
    kept, paid, frac, left, early = (np.empty(n_places), np.empty(n_places), np.empty(n_places),
                                     np.empty(n_places), np.empty(n_places))
    short = np.empty(n_places, dtype=np.int64)
    n_short = 0
    for i in range(n_places):
        month_income = income[i] / MONTHS
        available = balance[i] + month_income
        crisis_paid = _minimum(crisis[i], _maximum(available, 0.0))
        rest = available - crisis_paid
        due = filled[council_slots[i]] * bill + committed[i] / MONTHS
        pay = _minimum(due, _maximum(rest, 0.0))
        frac[i] = pay / _maximum(due, TINY) if due > 0 else 1.0
        total_out = crisis_paid + pay
        early[i] = pay / _maximum(total_out, TINY) if total_out > 0 else 0.0
        kept[i] = month_income - crisis_paid
        paid[i] = pay
        left[i] = rest - pay
        if frac[i] < 1.0 - TINY:
            short[n_short] = i
            n_short += 1
    return charities[:n_charities].copy(), kept, paid, frac, left, early, short[:n_short].copy()


def councils(compiled: bool, income, crisis, balance, contract, kind, active, locality, filled,
             council_slots, bill) -> tuple:
    """What each council pays this month; see :func:`councils_reference`."""
    fn = _councils_kernel if compiled else councils_reference
    return fn(income, crisis, balance, contract, kind, active, locality, filled, council_slots,
              float(bill))


# --- charities: donations, income and costs ---------------------------------------------------
def charities_reference(charities, donations, donations0, mobilisation, shocks, reserves, grant,
                        contract, frac, locality, filled, bill, par) -> tuple:
    """Charities' donations, income and costs this month (NumPy reference).

    Log donations revert towards ``donations0`` raised by ``mobilisation``, with ``shocks``
    (both per slot); ``par``: the mobilisation gain, reversion and volatility. ``donations`` and
    ``reserves`` change in place. Returns the new donations, grants paid, income and cost.
    """
    gain, reversion, volatility = par
    target = donations0[charities] * (1.0 + gain * mobilisation[charities])
    logd = np.log(np.maximum(donations[charities], TINY))
    logd += reversion * (np.log(np.maximum(target, TINY)) - logd) + volatility * shocks[charities]
    donations[charities] = np.exp(logd)
    grants_paid = grant[charities] / MONTHS
    income = (contract[charities] / MONTHS * frac[locality[charities]] + grants_paid
              + donations[charities])
    cost = filled[charities] * bill
    reserves[charities] += income - cost
    return donations[charities], grants_paid, income, cost


@_compile
def _floors_kernel(charities, donations, donations0, mobilisation, gain):
    """Each charity's donations and its target, kept from zero (rows 0 and 1), for the log."""
    out = np.empty((2, charities.size))  # structural: donations and target
    for i in range(charities.size):
        k = charities[i]
        out[0, i] = _maximum(donations[k], TINY)
        out[1, i] = _maximum(donations0[k] * (1.0 + gain * mobilisation[k]), TINY)
    return out


@_compile
def _reversion_kernel(logs, charities, shocks, reversion, volatility):
    """The new log donations from the logs of :func:`_floors_kernel`'s rows."""
    out = np.empty(charities.size)
    for i in range(charities.size):
        logd = logs[0, i]
        out[i] = logd + (reversion * (logs[1, i] - logd) + volatility * shocks[charities[i]])
    return out


@_compile
def _books_kernel(charities, new, donations, reserves, grant, contract, frac, locality, filled,
                  bill):
    """The charities' income and cost, their donations and reserves updated in place."""
    grants_paid, income, cost = np.empty(charities.size), np.empty(charities.size), np.empty(
        charities.size)
    for i in range(charities.size):
        k = charities[i]
        donations[k] = new[i]
        grants_paid[i] = grant[k] / MONTHS
        income[i] = contract[k] / MONTHS * frac[locality[k]] + grants_paid[i] + new[i]
        cost[i] = filled[k] * bill
        reserves[k] += income[i] - cost[i]
    return grants_paid, income, cost


def charity_books(compiled: bool, charities, donations, donations0, mobilisation, shocks,
                  reserves, grant, contract, frac, locality, filled, bill, par) -> tuple:
    """Charities' donations, income and costs this month; see :func:`charities_reference`."""
    gain, reversion, volatility = (float(x) for x in par)
    if not compiled:
        return charities_reference(charities, donations, donations0, mobilisation, shocks,
                                   reserves, grant, contract, frac, locality, filled, float(bill),
                                   (gain, reversion, volatility))
    logs = np.log(_floors_kernel(charities, donations, donations0, mobilisation, gain))
    new = np.exp(_reversion_kernel(logs, charities, shocks, reversion, volatility))
    return (new, *_books_kernel(charities, new, donations, reserves, grant, contract, frac,
                                locality, filled, float(bill)))


# --- pooling reserves between partners ---------------------------------------------------------
def pool_reference(u, v, tie_kind, trust, kind, active, reserves, charities, cost, par):
    """Partners with healthy reserves give to trusted partners close to running out (reference).

    On active charity–charity partnerships with trust ≥ ``par[0]``, reserves above ``par[1]``
    months of ``cost`` go to a partner below ``par[2]`` months at ``par[3]`` × trust, no donor
    giving more than its surplus; ``reserves`` change in place. Returns the flows ``u`` to ``v``
    and ``v`` to ``u`` on each pooling tie, or None where no tie pools.
    """
    trust_min, donor_months, recipient_months, pooling_rate = par
    n = kind.size
    monthly_cost = np.zeros(n)
    monthly_cost[charities] = cost
    both = (kind[u] == CHARITY) & (kind[v] == CHARITY) & (tie_kind == PARTNERSHIP)
    both &= (trust >= trust_min) & active[u] & active[v]
    if not both.any():
        return None
    a, b, t = u[both], v[both], trust[both]
    surplus = np.maximum(0.0, reserves - donor_months * monthly_cost)
    deficit = np.maximum(0.0, recipient_months * monthly_cost - reserves)
    rate = pooling_rate * t
    flow_ab = rate * np.minimum(surplus[a], deficit[b])  # a helps b
    flow_ba = rate * np.minimum(surplus[b], deficit[a])
    # cap what each donor gives at its surplus
    give = np.bincount(a, flow_ab, n) + np.bincount(b, flow_ba, n)
    scale = np.where(give > surplus, surplus / np.maximum(give, TINY), 1.0)
    flow_ab *= scale[a]
    flow_ba *= scale[b]
    reserves += (np.bincount(b, flow_ab, n) - np.bincount(a, flow_ab, n)
                 + np.bincount(a, flow_ba, n) - np.bincount(b, flow_ba, n))
    return flow_ab, flow_ba


@_compile
def _pool_kernel(u, v, tie_kind, trust, kind, active, reserves, charities, cost, par):
    """Compiled :func:`pool_reference`; no pooling tie gives two empty arrays."""
    trust_min, donor_months, recipient_months, pooling_rate = par
    n = kind.size
    ties = np.empty(u.size, dtype=np.int64)
    n_ties = 0
    for j in range(u.size):
        if (kind[u[j]] == CHARITY and kind[v[j]] == CHARITY and tie_kind[j] == PARTNERSHIP
                and trust[j] >= trust_min and active[u[j]] and active[v[j]]):
            ties[n_ties] = j
            n_ties += 1
    flow_ab, flow_ba = np.empty(n_ties), np.empty(n_ties)
    if n_ties == 0:
        return flow_ab, flow_ba
    monthly_cost = np.zeros(n)
    for i in range(charities.size):
        monthly_cost[charities[i]] = cost[i]
    surplus, deficit = np.empty(n), np.empty(n)
    for k in range(n):
        surplus[k] = _maximum(0.0, reserves[k] - donor_months * monthly_cost[k])
        deficit[k] = _maximum(0.0, recipient_months * monthly_cost[k] - reserves[k])
    give_ab, give_ba = np.zeros(n), np.zeros(n)
    for i in range(n_ties):
        j = ties[i]
        a, b = u[j], v[j]
        rate = pooling_rate * trust[j]
        flow_ab[i] = rate * _minimum(surplus[a], deficit[b])
        flow_ba[i] = rate * _minimum(surplus[b], deficit[a])
        give_ab[a] += flow_ab[i]
        give_ba[b] += flow_ba[i]
    scale = np.empty(n)
    for k in range(n):
        give = give_ab[k] + give_ba[k]
        scale[k] = surplus[k] / _maximum(give, TINY) if give > surplus[k] else 1.0
    in_ab, out_ab, in_ba, out_ba = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    for i in range(n_ties):
        j = ties[i]
        a, b = u[j], v[j]
        flow_ab[i] *= scale[a]
        flow_ba[i] *= scale[b]
        in_ab[b] += flow_ab[i]
        out_ab[a] += flow_ab[i]
        in_ba[a] += flow_ba[i]
        out_ba[b] += flow_ba[i]
    for k in range(n):
        reserves[k] += in_ab[k] - out_ab[k] + in_ba[k] - out_ba[k]
    return flow_ab, flow_ba


def pool(compiled: bool, u, v, tie_kind, trust, kind, active, reserves, charities, cost, par):
    """What flowed each way on each pooling tie, or None; see :func:`pool_reference`."""
    par = tuple(map(float, par))
    if not compiled:
        return pool_reference(u, v, tie_kind, trust, kind, active, reserves, charities, cost, par)
    flows = _pool_kernel(u, v, tie_kind, trust, kind, active, reserves, charities, cost, par)
    return flows if flows[0].size else None


# --- charities that shrink, close or are founded -------------------------------------------------
def distress_reference(charities, reserves, income, cost, per_post, bill, insolvency_months):
    """The charities that shrink, the posts their income pays for, and those that close.

    Under a month of reserves and income short of ``cost``: shrink to ``income / per_post``
    posts. Reserves below ``insolvency_months`` of the cost (at least ``bill``): close.
    """
    months = reserves[charities] / np.maximum(cost, TINY)
    shrink = (months < 1.0) & (income < cost)
    affordable = np.floor(income[shrink] / per_post).astype(np.int64)
    insolvent = reserves[charities] < -insolvency_months * np.maximum(cost, bill)
    return charities[shrink], affordable, charities[insolvent]


@_compile
def _distress_kernel(charities, reserves, income, cost, per_post, bill, insolvency_months):
    """Compiled :func:`distress_reference`."""
    shrink, affordable, insolvent = (np.empty(charities.size, dtype=np.int64),
                                     np.empty(charities.size, dtype=np.int64),
                                     np.empty(charities.size, dtype=np.int64))
    n_shrink = n_insolvent = 0
    for i in range(charities.size):
        k = charities[i]
        if reserves[k] / _maximum(cost[i], TINY) < 1.0 and income[i] < cost[i]:
            shrink[n_shrink] = k
            affordable[n_shrink] = np.int64(np.floor(income[i] / per_post))
            n_shrink += 1
        if reserves[k] < -insolvency_months * _maximum(cost[i], bill):
            insolvent[n_insolvent] = k
            n_insolvent += 1
    return (shrink[:n_shrink].copy(), affordable[:n_shrink].copy(),
            insolvent[:n_insolvent].copy())


def distress(compiled: bool, charities, reserves, income, cost, per_post, bill, insolvency_months):
    """The charities that shrink (and to what) and those that close; see the reference."""
    fn = _distress_kernel if compiled else distress_reference
    return fn(charities, reserves, income, cost, float(per_post), float(bill),
              float(insolvency_months))


def founders_reference(kind, active, u, mobilisation, gain, entry_months) -> np.ndarray:
    """Closed charities' slots whose uniform ``u`` is below the founding rate (reference)."""
    closed = np.flatnonzero((kind == CHARITY) & ~active)
    rate = (1.0 + gain * mobilisation[closed]) / entry_months
    return closed[u[closed] < rate]


@_compile
def _founders_kernel(kind, active, u, mobilisation, gain, entry_months):
    """Compiled :func:`founders_reference`."""
    out = np.empty(kind.size, dtype=np.int64)
    n_out = 0
    for k in range(kind.size):
        if kind[k] == CHARITY and not active[k]:
            if u[k] < (1.0 + gain * mobilisation[k]) / entry_months:
                out[n_out] = k
                n_out += 1
    return out[:n_out].copy()


def founders(compiled: bool, kind, active, u, mobilisation, gain, entry_months) -> np.ndarray:
    """The closed charities' slots where a new charity is founded; see the reference."""
    fn = _founders_kernel if compiled else founders_reference
    return fn(kind, active, u, mobilisation, float(gain), float(entry_months))


def warm(compiled: bool) -> None:
    """Compile, or load from the cache, the kernels here on a one-charity world."""
    if not compiled:
        return
    one, zero = np.ones(1), np.zeros(1, dtype=np.int64)
    kind, active = np.full(1, CHARITY, dtype=np.int8), np.ones(1, dtype=bool)
    council_income(True, one, 1.0, one, one, one, one)
    crisis_demand(True, one, one, one, one, 1, 1.0, 1.0)
    councils(True, one, one, one, one, kind, active, zero, zero, zero, 1.0)
    charity_books(True, zero, one.copy(), one, one, one, one.copy(), one, one, one, zero, zero,
                  1.0, (0.0, 0.0, 0.0))
    pool(True, zero, zero, np.full(1, PARTNERSHIP, dtype=np.int8), one, kind, active, one.copy(),
         zero, one, (0.0, 0.0, 0.0, 0.0))
    distress(True, zero, one, one, one, 1.0, 1.0, 1.0)
    founders(True, kind, active, one, one, 0.0, 1.0)
