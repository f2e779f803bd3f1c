"""Compiled passes of the partnership network (:mod:`missionsim.model.ties`) and their look-ups.

Contact and trust: each month every tie is met or not, its trust grows or decays, erodes
between rival charities, and the breakable ties below the floor are found, in one pass over
the ties (:func:`trust`). Formation: every exploring organisation draws a partner (brokered by
its council, through a common partner, or met within its place) and the tie forms with some
odds. The formation kernel walks the explorers in slot order with the month's pre-drawn
uniforms and gives exactly the ties of its Python reference. Each kernel's NumPy or Python
reference is kept here for ``tests/unit/test_ties_kernels.py`` and as the path taken when
numba is not used. The neighbour lists and each place's organisations are grouped by a stable
counting sort, which orders them as NumPy's stable ``argsort`` does.
"""

from __future__ import annotations

import numpy as np

from missionsim.model.compiled import compile_kernel as _compile
from missionsim.model.network import CONTRACT, PARTNERSHIP
from missionsim.model.state import CHARITY, each

DRAWS = 5  # structural: a month's uniforms per organisation: explore, route, picks, accept
ROUTE, PICK, SECOND_PICK, ACCEPT = 1, 2, 3, 4  # structural: the rows of ``u`` used here
COMMON = 2  # structural: where ``par`` holds the common-partner share


# --- grouping: slots by a key, in slot order within a key -----------------------------------
def group_reference(keys: np.ndarray, members: np.ndarray, n_keys: int) -> tuple:
    """``members`` grouped by ``keys`` (stable): group ``k`` is ``out[starts[k]:starts[k+1]]``."""
    order = np.argsort(keys, kind="stable")
    starts = np.searchsorted(keys[order], np.arange(n_keys + 1))
    return starts.astype(np.int64), members[order].astype(np.int64)


@_compile
def _group_kernel(keys, members, n_keys):
    """Compiled :func:`group_reference` (a counting sort)."""
    starts = np.zeros(n_keys + 1, dtype=np.int64)
    for k in keys:
        starts[k + 1] += 1
    for k in range(n_keys):
        starts[k + 1] += starts[k]
    fill = starts[:n_keys].copy()
    out = np.empty(keys.size, dtype=np.int64)
    for j in range(keys.size):
        out[fill[keys[j]]] = members[j]
        fill[keys[j]] += 1
    return starts, out


def group(compiled: bool, keys: np.ndarray, members: np.ndarray, n_keys: int) -> tuple:
    """``members`` grouped by ``keys`` in ``[0, n_keys)``, stably; see :func:`group_reference`."""
    keys = np.ascontiguousarray(keys, dtype=np.int64)
    members = np.ascontiguousarray(members, dtype=np.int64)
    return (_group_kernel if compiled else group_reference)(keys, members, int(n_keys))


# --- formation ----------------------------------------------------------------------------------
@_compile
def _accepted(draw, capacity, cross, drive, mobilised, par):
    """Whether a drawn tie forms: ``draw`` below its odds (capped at 1); see ``form_reference``.

    Shared by the reference and the kernel: scalar arithmetic, the same in both.
    """
    acceptance, capacity_ref, _, penalty, cross_gain, mobil_gain, unit, unit_factor = par
    odds = acceptance * capacity / capacity_ref
    if cross:
        odds *= penalty * (1.0 + cross_gain * drive)
    odds *= 1.0 + mobil_gain * mobilised
    if cross and unit:
        odds *= unit_factor
    return draw < min(1.0, odds)


def form_reference(explorers, u, kind, locality, delivering, sec, cap, council, loc_starts,
                   loc_slots, starts, adjacent, brokered, drive, mobilised, par) -> tuple:
    """The partners each explorer draws and the ties that form (Python reference).

    ``u`` holds five uniforms per organisation slot: the route, two picks and the acceptance
    (draw 0, exploring, was used by the caller). ``brokered``, ``drive`` and ``mobilised``
    are per slot; ``cap`` and ``council`` per place; ``loc_starts``/``loc_slots`` group each
    place's delivering organisations and ``starts``/``adjacent`` each slot's neighbours.
    ``par``: the tie acceptance, the capacity it is relative to, the common-partner share, the
    cross-sector penalty, the partnership gain on it, the mobilisation gain, whether a
    Missions Unit brokers and its factor. Returns the two ends of the new ties.
    """
    common = par[COMMON]
    new_u, new_v = [], []
    for a in explorers:
        a = int(a)
        loc = int(locality[a])
        local = loc_slots[loc_starts[loc]:loc_starts[loc + 1]]
        if u[ROUTE, a] >= 1.0 - brokered[a]:  # a mission partnership brokered by the council
            if kind[a] == CHARITY:
                b = int(council[loc])
            else:
                b = int(local[int(u[PICK, a] * local.size) % local.size])
        elif u[ROUTE, a] < common:  # through a common partner
            nbrs = adjacent[starts[a]:starts[a + 1]]
            nbrs = nbrs[delivering[nbrs]]
            if nbrs.size == 0:
                continue
            mid = int(nbrs[int(u[PICK, a] * nbrs.size)])
            seconds = adjacent[starts[mid]:starts[mid + 1]]
            seconds = seconds[delivering[seconds] & (seconds != a)]
            if seconds.size == 0:
                continue
            b = int(seconds[int(u[SECOND_PICK, a] * seconds.size) % seconds.size])
        else:  # met within the locality
            b = int(local[int(u[PICK, a] * local.size) % local.size])
        if b == a or b in adjacent[starts[a]:starts[a + 1]]:
            continue
        if _accepted(u[ACCEPT, a], cap[loc], sec[a] != sec[b], drive[a], mobilised[a], par):
            new_u.append(a)
            new_v.append(b)
    return np.array(new_u, dtype=np.int64), np.array(new_v, dtype=np.int64)


@_compile
def _pick_partner(a, u, kind, loc, council, local, starts, adjacent, delivering, brokered,
                  common):
    """The partner explorer ``a`` draws, or -1 where its common-partner route finds none."""
    if u[ROUTE, a] >= 1.0 - brokered[a]:
        if kind[a] == CHARITY:
            return council[loc]
        return local[int(u[PICK, a] * local.size) % local.size]
    if u[ROUTE, a] < common:
        n_nbrs = 0
        for j in range(starts[a], starts[a + 1]):
            if delivering[adjacent[j]]:
                n_nbrs += 1
        if n_nbrs == 0:
            return -1
        pick = int(u[PICK, a] * n_nbrs)
        mid = -1
        for j in range(starts[a], starts[a + 1]):
            if delivering[adjacent[j]]:
                if pick == 0:
                    mid = adjacent[j]
                    break
                pick -= 1
        n_seconds = 0
        for j in range(starts[mid], starts[mid + 1]):
            if delivering[adjacent[j]] and adjacent[j] != a:
                n_seconds += 1
        if n_seconds == 0:
            return -1
        pick = int(u[SECOND_PICK, a] * n_seconds) % n_seconds
        for j in range(starts[mid], starts[mid + 1]):
            c = adjacent[j]
            if delivering[c] and c != a:
                if pick == 0:
                    return c
                pick -= 1
    return local[int(u[PICK, a] * local.size) % local.size]


@_compile
def _form_kernel(explorers, u, kind, locality, delivering, sec, cap, council, loc_starts,
                 loc_slots, starts, adjacent, brokered, drive, mobilised, par):
    """Compiled :func:`form_reference`: the same ties, in the same order."""
    common = par[COMMON]
    new_u = np.empty(explorers.size, dtype=np.int64)
    new_v = np.empty(explorers.size, dtype=np.int64)
    n_new = 0
    for a in explorers:
        loc = locality[a]
        local = loc_slots[loc_starts[loc]:loc_starts[loc + 1]]
        b = _pick_partner(a, u, kind, loc, council, local, starts, adjacent, delivering,
                          brokered, common)
        if b < 0 or b == a:
            continue
        tied = False
        for j in range(starts[a], starts[a + 1]):
            if adjacent[j] == b:
                tied = True
                break
        if tied:
            continue
        if _accepted(u[ACCEPT, a], cap[loc], sec[a] != sec[b], drive[a], mobilised[a], par):
            new_u[n_new] = a
            new_v[n_new] = b
            n_new += 1
    return new_u[:n_new].copy(), new_v[:n_new].copy()


def form(compiled: bool, explorers, u, kind, locality, delivering, sec, cap, council,
         loc_starts, loc_slots, starts, adjacent, brokered, drive, mobilised, par) -> tuple:
    """The two ends of the ties that form this month; see :func:`form_reference`.

    ``brokered``, ``drive`` and ``mobilised`` may each be a number (the same for every slot).
    """
    n = kind.size
    acceptance, capacity_ref, common, penalty, cross_gain, mobil_gain, unit, factor = par
    par = (float(acceptance), float(capacity_ref), float(common), float(penalty),
           float(cross_gain), float(mobil_gain), bool(unit), float(factor))
    fn = _form_kernel if compiled else form_reference
    return fn(explorers, u, kind, locality, delivering, sec, cap, council, loc_starts,
              loc_slots, starts, adjacent, each(brokered, n), each(drive, n),
              each(mobilised, n), par)


# --- per-tie and per-organisation look-ups -------------------------------------------------
def cross_reference(sec: np.ndarray, eu: np.ndarray, ev: np.ndarray) -> np.ndarray:
    """Whether each tie (ends ``eu``, ``ev``) joins two sectors (``sec`` per slot)."""
    return sec[eu] != sec[ev]


@_compile
def _cross_kernel(sec, eu, ev):
    """Compiled :func:`cross_reference`."""
    out = np.empty(eu.size, dtype=np.bool_)
    for i in range(eu.size):
        out[i] = sec[eu[i]] != sec[ev[i]]
    return out


def cross(compiled: bool, sec: np.ndarray, eu: np.ndarray, ev: np.ndarray) -> np.ndarray:
    """Whether each tie joins two sectors; see :func:`cross_reference`."""
    return (_cross_kernel if compiled else cross_reference)(sec, eu, ev)


def capacity_reference(kind, council, effective, focus, charity_capacity) -> np.ndarray:
    """Relational capacity of every slot but the departments' (NumPy reference).

    1 by default; a council's (at slots ``council``) its ``effective`` capacity; a charity's
    ``charity_capacity`` times its ``focus`` (per slot).
    """
    out = np.ones(kind.size)
    out[council] = effective
    charities = kind == CHARITY
    out[charities] = charity_capacity * focus[charities]
    return out


@_compile
def _capacity_kernel(kind, council, effective, focus, charity_capacity):
    """Compiled :func:`capacity_reference`."""
    out = np.ones(kind.size)
    for i in range(council.size):
        out[council[i]] = effective[i]
    for j in range(kind.size):
        if kind[j] == CHARITY:
            out[j] = charity_capacity * focus[j]
    return out


def capacity(compiled: bool, kind, council, effective, focus, charity_capacity) -> np.ndarray:
    """Relational capacity of every slot but the departments'; see :func:`capacity_reference`."""
    fn = _capacity_kernel if compiled else capacity_reference
    return fn(kind, np.ascontiguousarray(council, dtype=np.int64), effective, focus,
              float(charity_capacity))


# --- contact, trust and breaking ---------------------------------------------------------
def trust_reference(u_contact, cap, eu, ev, lu, lv, kind, cross, trust, tie_kind, drive,
                    mobilised, improving, nation, par) -> tuple:
    """Each tie's trust after a month's contact and rivalry, and the ties to break (NumPy).

    Per tie: the contact uniform, the two ends' slots and places, whether it joins two
    sectors, its trust and kind, and the partnership drive and mobilisation on it (numbers or
    arrays). ``cap`` is each slot's relational capacity and ``kind`` its kind; ``improving``
    is 1 in each improving place and ``nation`` 1 if the country improves. ``par``: the
    contact base, its gains on capacity and on partnership drive, trust growth, its gain on
    mobilisation, trust decay, rivalry erosion, the competitive share and the break floor.
    Returns the new trust (clipped to 0–1) and the positions of the breakable ties below the
    floor.
    """
    base, cap_gain, drive_gain, growth, mobil_gain, decay, erosion, share, floor = par
    p_contact = np.clip(base + cap_gain * np.minimum(cap[eu], cap[ev])
                        + drive_gain * drive * cross, 0.0, 1.0)
    contact = u_contact < p_contact
    # joint delivery succeeds where the places the partners serve are improving
    su = np.where(lu >= 0, improving[np.maximum(lu, 0)], nation)
    sv = np.where(lv >= 0, improving[np.maximum(lv, 0)], nation)
    success = np.where(lu < 0, sv, np.where(lv < 0, su, su * sv))
    grow = growth * (1.0 + mobil_gain * mobilised) * success * (1.0 - trust)
    t = trust + np.where(contact, grow, -decay * trust)
    rivals = (kind[eu] == CHARITY) & (kind[ev] == CHARITY) & (lu == lv)
    t -= rivals * erosion * share
    t = np.clip(t, 0.0, 1.0)
    breakable = (tie_kind == CONTRACT) | (tie_kind == PARTNERSHIP)
    return t, np.flatnonzero(breakable & (t < floor))


@_compile
def _trust_kernel(u_contact, cap, eu, ev, lu, lv, kind, cross, trust, tie_kind, drive,
                  mobilised, improving, nation, par):
    """Compiled :func:`trust_reference`: one pass over the ties, the same operations in order."""
    base, cap_gain, drive_gain, growth, mobil_gain, decay, erosion, share, floor = par
    n = trust.size
    t = np.empty(n)
    gone = np.empty(n, dtype=np.int64)
    n_gone = 0
    for i in range(n):
        a, b = eu[i], ev[i]
        p = base + cap_gain * min(cap[a], cap[b]) + drive_gain * drive[i] * (
            1.0 if cross[i] else 0.0)
        if p < 0.0:
            p = 0.0
        elif p > 1.0:
            p = 1.0
        su = improving[lu[i]] if lu[i] >= 0 else nation
        sv = improving[lv[i]] if lv[i] >= 0 else nation
        if lu[i] < 0:
            success = sv
        elif lv[i] < 0:
            success = su
        else:
            success = su * sv
        if u_contact[i] < p:
            x = trust[i] + growth * (1.0 + mobil_gain * mobilised[i]) * success * (1.0 - trust[i])
        else:
            x = trust[i] + -decay * trust[i]
        rival = kind[a] == CHARITY and kind[b] == CHARITY and lu[i] == lv[i]
        x -= (1.0 if rival else 0.0) * erosion * share
        if x < 0.0:
            x = 0.0
        elif x > 1.0:
            x = 1.0
        t[i] = x
        if (tie_kind[i] == CONTRACT or tie_kind[i] == PARTNERSHIP) and x < floor:
            gone[n_gone] = i
            n_gone += 1
    return t, gone[:n_gone].copy()


def trust(compiled: bool, u_contact, cap, eu, ev, lu, lv, kind, cross, trust_now, tie_kind,
          drive, mobilised, improving, nation, par) -> tuple:
    """The ties' new trust and the positions of the ties to break; see :func:`trust_reference`.

    ``drive`` and ``mobilised`` may each be a number (the same on every tie).
    """
    n = trust_now.size
    par = tuple(float(x) for x in par)
    fn = _trust_kernel if compiled else trust_reference
    return fn(u_contact, cap, eu, ev, lu, lv, kind, cross, trust_now, tie_kind, each(drive, n),
              each(mobilised, n), improving, float(nation), par)


def warm(compiled: bool) -> None:
    """Compile, or load from the cache, the kernels here on a one-organisation world."""
    if not compiled:
        return
    zero = np.zeros(1, dtype=np.int64)
    starts, slots = group(True, zero, zero, 1)
    form(True, zero, np.ones((DRAWS, 1)), np.zeros(1, dtype=np.int8), zero, np.ones(1, dtype=bool),
         zero, np.ones(1), zero, starts, slots, starts, slots, np.zeros(1), np.zeros(1),
         np.zeros(1), (0.0, 1.0, 0.0, 1.0, 0.0, 0.0, False, 1.0))
    kept = np.zeros(1, dtype=bool)
    kept.setflags(write=False)  # read-only, as the network keeps it
    one = np.ones(1)
    trust(True, one, one, zero, zero, zero, zero, np.zeros(1, dtype=np.int8), kept, one,
          np.zeros(1, dtype=np.int8), 0.0, 0.0, one, 1.0, (0.0,) * 9)  # structural: nine parameters
    cross(True, zero, zero, zero)
    capacity(True, np.zeros(1, dtype=np.int8), zero, one, one, 1.0)
