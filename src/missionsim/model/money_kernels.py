"""Compiled passes of the annual budget and of charities' cuts at notice's pace.

Each kernel gives exactly the result of its NumPy reference, kept beside it for the unit tests
(``tests/unit/test_money_kernels.py``) and as the path taken when numba is not used.
"""

from __future__ import annotations

import numpy as np

from missionsim.model.compiled import compile_kernel as _compile
from missionsim.model.network import CONTRACT, PARTNERSHIP
from missionsim.model.state import CHARITY, COUNCIL


# --- the trust between each charity and its own council ---------------------------------------
def council_trust_reference(u, v, trust, kind, locality, n_orgs) -> np.ndarray:
    """Trust between each charity and its own council (0 where they have no tie; reference).

    Ties listed council first are read before ties listed charity first; where a charity has
    more than one tie to its council, the last one read counts.
    """
    out = np.zeros(n_orgs)
    if u.size == 0:
        return out
    ku, kv = kind[u], kind[v]
    same = locality[u] == locality[v]  # a charity's own council only
    m1 = (ku == COUNCIL) & (kv == CHARITY) & same
    m2 = (kv == COUNCIL) & (ku == CHARITY) & same
    out[v[m1]] = trust[m1]
    out[u[m2]] = trust[m2]
    return out


@_compile
def _council_trust_kernel(u, v, trust, kind, locality, n_orgs):
    """Compiled :func:`council_trust_reference`: the same ties read in the same order."""
    out = np.zeros(n_orgs)
    for e in range(u.size):
        a, b = u[e], v[e]
        if kind[a] == COUNCIL and kind[b] == CHARITY and locality[a] == locality[b]:
            out[b] = trust[e]
    for e in range(u.size):
        a, b = u[e], v[e]
        if kind[b] == COUNCIL and kind[a] == CHARITY and locality[a] == locality[b]:
            out[a] = trust[e]
    return out


def council_trust(compiled: bool, u, v, trust, kind, locality, n_orgs: int) -> np.ndarray:
    """Trust between each charity and its own council; see :func:`council_trust_reference`."""
    fn = _council_trust_kernel if compiled else council_trust_reference
    return fn(u, v, trust, kind, locality, int(n_orgs))


# --- the kind of each council-charity tie after a tender ---------------------------------------
def tie_kinds_reference(u, v, tie_kind, kind, locality, contract) -> tuple:
    """The council-charity ties of one place and their kind after a tender (reference).

    A tie between a charity and its own council, of contract or partnership kind, is a
    contract tie while the charity holds a contract and a partnership tie after. Returns the
    ties' array positions, in order, and their kinds.
    """
    same = locality[u] == locality[v]
    pair = same & (((kind[u] == COUNCIL) & (kind[v] == CHARITY))
                   | ((kind[v] == COUNCIL) & (kind[u] == CHARITY)))
    idx = np.flatnonzero(pair & ((tie_kind == CONTRACT) | (tie_kind == PARTNERSHIP)))
    charity = np.where(kind[u[idx]] == CHARITY, u[idx], v[idx])
    return idx, np.where(contract[charity] > 0, CONTRACT, PARTNERSHIP)


@_compile
def _tie_kinds_kernel(u, v, tie_kind, kind, locality, contract):
    """Compiled :func:`tie_kinds_reference`: one pass over the ties."""
    idx = np.empty(u.size, dtype=np.int64)
    kinds = np.empty(u.size, dtype=np.int64)
    n = 0
    for e in range(u.size):
        a, b = u[e], v[e]
        if locality[a] != locality[b] or (tie_kind[e] != CONTRACT
                                          and tie_kind[e] != PARTNERSHIP):
            continue
        if kind[a] == COUNCIL and kind[b] == CHARITY:
            charity = b
        elif kind[b] == COUNCIL and kind[a] == CHARITY:
            charity = a
        else:
            continue
        idx[n] = e
        kinds[n] = CONTRACT if contract[charity] > 0 else PARTNERSHIP
        n += 1
    return idx[:n].copy(), kinds[:n].copy()


def tie_kinds(compiled: bool, u, v, tie_kind, kind, locality, contract) -> tuple:
    """The council-charity ties and their kinds after a tender; see :func:`tie_kinds_reference`."""
    fn = _tie_kinds_kernel if compiled else tie_kinds_reference
    return fn(u, v, tie_kind, kind, locality, contract)


# --- cuts at notice's pace ---------------------------------------------------------------------
def notice_reference(funded, slots, targets, notice_months) -> np.ndarray:
    """Posts of employers ``slots`` after one round of cuts towards ``targets`` (reference).

    ``funded`` is every employer's funded posts; 1/``notice_months`` of the excess goes at
    once, and growth is immediate.
    """
    now = funded[slots]
    cut = np.floor(now - (now - targets) / notice_months).astype(np.int64)
    return np.where(targets < now, cut, targets)


@_compile
def _notice_kernel(funded, slots, targets, notice_months):
    """Compiled :func:`notice_reference`."""
    out = np.empty(slots.size, dtype=np.int64)
    for i in range(slots.size):
        now = funded[slots[i]]
        if targets[i] < now:
            out[i] = np.int64(np.floor(now - (now - targets[i]) / notice_months))
        else:
            out[i] = targets[i]
    return out


def notice_cuts(compiled: bool, funded, slots, targets, notice_months) -> np.ndarray:
    """Posts after one round of cuts at notice's pace; see :func:`notice_reference`."""
    fn = _notice_kernel if compiled else notice_reference
    return fn(funded, slots, np.asarray(targets, dtype=np.int64), float(notice_months))


def warm(compiled: bool) -> None:
    """Compile, or load from the cache, the kernels here on a one-tie world."""
    if not compiled:
        return
    zero, one = np.zeros(1, dtype=np.int64), np.ones(1, dtype=np.int64)
    kind = np.array([COUNCIL, CHARITY], dtype=np.int8)  # a council (slot 0) and a charity (1)
    place = np.zeros(kind.size, dtype=np.int64)
    council_trust(True, zero, one, np.ones(1), kind, place, kind.size)
    tie_kinds(True, zero, one, np.full(1, CONTRACT, dtype=np.int8), kind, place,
              np.ones(kind.size))
    notice_cuts(True, one, zero, one, 1.0)
