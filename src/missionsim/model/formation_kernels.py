"""Compiled tie formation of the partnership network (:mod:`missionsim.model.ties`).

Every exploring organisation draws a partner (brokered by its council, through a common
partner, or met within its place) and the tie forms with some odds. The formation kernel walks
the explorers in slot order with the month's pre-drawn uniforms and gives exactly the ties of
its Python reference. :func:`explore` does the whole month in one compiled pass: who
delivers and who explores, each place's delivering organisations and each slot's neighbours
(grouped by a stable counting sort, which orders them as NumPy's stable ``argsort`` does), and
the formation. Each kernel's NumPy or Python reference is kept here for
``tests/unit/test_formation_kernels.py`` and as the path taken when numba is not used.
"""

from __future__ import annotations

import numpy as np

from missionsim.model.compiled import compile_helper as _helper
from missionsim.model.compiled import compile_kernel as _compile
from missionsim.model.state import CHARITY, COUNCIL, each

DRAWS = 5  # structural: a month's uniforms per organisation: explore, route, picks, accept
EXPLORE, ROUTE, PICK, SECOND_PICK, ACCEPT = range(DRAWS)  # structural: the rows of ``u``
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
@_helper
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


@_helper
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


@_helper
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


# --- a month's exploration: who explores, the groupings and the formation --------------------
def explore_reference(u, kind, active, locality, eu, ev, sector_of_kind, cap, council, drive,
                      mobilised, explore_par, par) -> tuple:
    """The ties that form this month (NumPy reference of the whole month).

    ``u``: the month's five uniforms per organisation slot (draw 0 decides who explores).
    ``kind``, ``active`` and ``locality`` are per slot; ``eu``, ``ev`` the ties' ends;
    ``sector_of_kind`` the sector code of each kind; ``cap`` each place's effective capacity
    and ``council`` its council's slot; ``drive`` and ``mobilised`` per slot. ``explore_par``:
    the monthly odds of exploring, the partnership drive's gain on them and the share of
    explorations brokered at full drive; ``par`` as for :func:`form`.
    """
    formation, gain, brokered_share = explore_par
    delivering = ((kind == COUNCIL) | (kind == CHARITY)) & active
    explore = delivering & (u[EXPLORE] < formation * (1.0 + gain * drive))
    if not explore.any():
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    loc_starts, loc_slots = group_reference(locality[delivering], np.flatnonzero(delivering),
                                            council.size)
    starts, adjacent = group_reference(np.concatenate([eu, ev]), np.concatenate([ev, eu]),
                                       kind.size)
    brokered = brokered_share * drive / (1.0 + drive)
    return form_reference(np.flatnonzero(explore), u, kind, locality, delivering,
                          sector_of_kind[kind], cap, council, loc_starts, loc_slots, starts,
                          adjacent, brokered, drive, mobilised, par)


@_compile
def _explore_kernel(u, kind, active, locality, eu, ev, sector_of_kind, cap, council, drive,
                    mobilised, explore_par, par):
    """Compiled :func:`explore_reference`: the same ties, in the same order."""
    formation, gain, brokered_share = explore_par
    n = kind.size
    delivering = np.zeros(n, dtype=np.bool_)
    explorers = np.empty(n, dtype=np.int64)
    n_explorers = 0
    loc_starts = np.zeros(council.size + 1, dtype=np.int64)
    for a in range(n):
        if (kind[a] == COUNCIL or kind[a] == CHARITY) and active[a]:
            delivering[a] = True
            loc_starts[locality[a] + 1] += 1
            if u[EXPLORE, a] < formation * (1.0 + gain * drive[a]):
                explorers[n_explorers] = a
                n_explorers += 1
    if n_explorers == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    for k in range(council.size):
        loc_starts[k + 1] += loc_starts[k]
    fill = loc_starts[:council.size].copy()
    loc_slots = np.empty(loc_starts[council.size], dtype=np.int64)
    for a in range(n):
        if delivering[a]:
            loc_slots[fill[locality[a]]] = a
            fill[locality[a]] += 1
    starts = np.zeros(n + 1, dtype=np.int64)
    for i in range(eu.size):
        starts[eu[i] + 1] += 1
        starts[ev[i] + 1] += 1
    for k in range(n):
        starts[k + 1] += starts[k]
    fill = starts[:n].copy()
    adjacent = np.empty(2 * eu.size, dtype=np.int64)  # structural: each tie seen from both ends
    for i in range(eu.size):
        adjacent[fill[eu[i]]] = ev[i]
        fill[eu[i]] += 1
    for i in range(ev.size):
        adjacent[fill[ev[i]]] = eu[i]
        fill[ev[i]] += 1
    sec = np.empty(n, dtype=sector_of_kind.dtype)
    for a in range(n):
        sec[a] = sector_of_kind[kind[a]]
    brokered = np.empty(n)  # read for the explorers only
    for a in explorers[:n_explorers]:
        brokered[a] = brokered_share * drive[a] / (1.0 + drive[a])
    return _form_kernel(explorers[:n_explorers], u, kind, locality, delivering, sec, cap,
                        council, loc_starts, loc_slots, starts, adjacent, brokered, drive,
                        mobilised, par)


def explore(compiled: bool, u, kind, active, locality, eu, ev, sector_of_kind, cap, council,
            drive, mobilised, explore_par, par) -> tuple:
    """The two ends of the ties that form this month; see :func:`explore_reference`.

    ``drive`` and ``mobilised`` may each be a number (the same for every slot).
    """
    n = kind.size
    explore_par = tuple(map(float, explore_par))
    acceptance, capacity_ref, common, penalty, cross_gain, mobil_gain, unit, factor = par
    par = (float(acceptance), float(capacity_ref), float(common), float(penalty),
           float(cross_gain), float(mobil_gain), bool(unit), float(factor))
    fn = _explore_kernel if compiled else explore_reference
    return fn(u, kind, active, locality, eu, ev, sector_of_kind, cap,
              np.ascontiguousarray(council, dtype=np.int64), each(drive, n),
              each(mobilised, n), explore_par, par)


def warm(compiled: bool) -> None:
    """Compile, or load from the cache, the kernels here on a one-organisation world."""
    if not compiled:
        return
    zero = np.zeros(1, dtype=np.int64)
    starts, slots = group(True, zero, zero, 1)
    par = (0.0, 1.0, 0.0, 1.0, 0.0, 0.0, False, 1.0)
    form(True, zero, np.ones((DRAWS, 1)), np.zeros(1, dtype=np.int8), zero, np.ones(1, dtype=bool),
         zero, np.ones(1), zero, starts, slots, starts, slots, np.zeros(1), np.zeros(1),
         np.zeros(1), par)
    explore(True, np.ones((DRAWS, 1)), np.zeros(1, dtype=np.int8), np.ones(1, dtype=bool), zero,
            zero, zero, zero, np.ones(1), zero, 0.0, 0.0, (0.0, 0.0, 0.0), par)
