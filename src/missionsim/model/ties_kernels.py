"""Compiled passes of the partnership network (:mod:`missionsim.model.ties`) and their look-ups.

Contact and trust: each month every tie is met or not, its trust grows or decays, erodes
between rival charities, and the breakable ties below the floor are found, in one pass over
the ties (:func:`trust`). The look-ups: which ties join two sectors, each organisation's
relational capacity, the cross-sector ties each council keeps up itself, and the capacity
that keeping them drains and leaves (:func:`drain`). Formation is in
:mod:`missionsim.model.formation_kernels`. Each kernel's NumPy reference is kept here for
``tests/unit/test_ties_kernels.py`` and as the path taken when numba is not used.
"""

from __future__ import annotations

import numpy as np

from missionsim.model import formation_kernels, network_kernels
from missionsim.model.compiled import clip, maximum, minimum
from missionsim.model.compiled import compile_kernel as _compile
from missionsim.model.network import CONTRACT, COORDINATION, FUNDING, PARTNERSHIP
from missionsim.model.state import CHARITY, COUNCIL, each, full, one_number


# --- per-tie and per-organisation look-ups -------------------------------------------------
def cross_reference(sector_of_kind, kind, eu, ev) -> np.ndarray:
    """Whether each tie (ends ``eu``, ``ev``) joins two sectors (NumPy reference).

    ``kind`` is each slot's kind of organisation and ``sector_of_kind`` each kind's sector.
    """
    sec = sector_of_kind[kind]
    return sec[eu] != sec[ev]


@_compile
def _cross_kernel(sector_of_kind, kind, eu, ev):
    """Compiled :func:`cross_reference`."""
    out = np.empty(eu.size, dtype=np.bool_)
    for i in range(eu.size):
        out[i] = sector_of_kind[kind[eu[i]]] != sector_of_kind[kind[ev[i]]]
    return out


def cross(compiled: bool, sector_of_kind, kind, eu, ev) -> np.ndarray:
    """Whether each tie joins two sectors; see :func:`cross_reference`."""
    return (_cross_kernel if compiled else cross_reference)(sector_of_kind, kind, eu, ev)


def capacity_reference(kind, council, effective, punitive, par) -> np.ndarray:
    """Relational capacity of every slot but the departments' (NumPy reference).

    1 by default; a council's (at slots ``council``) its ``effective`` capacity; a charity's
    the charities' relational capacity times its focus, which funders' punitive demands
    (``punitive`` per slot) erode from ``focus_base``. ``par``: the charities' relational
    capacity, ``focus_base`` (1 less the focus lost to competition) and the focus lost per
    unit of punitive demands.
    """
    charity_capacity, focus_base, punitive_loss = par
    focus = focus_base - punitive_loss * punitive
    out = np.ones(kind.size)
    out[council] = effective
    charities = kind == CHARITY
    out[charities] = charity_capacity * focus[charities]
    return out


@_compile
def _capacity_kernel(kind, council, effective, punitive, par):
    """Compiled :func:`capacity_reference`."""
    charity_capacity, focus_base, punitive_loss = par
    out = np.ones(kind.size)
    for i in range(council.size):
        out[council[i]] = effective[i]
    for j in range(kind.size):
        if kind[j] == CHARITY:
            out[j] = charity_capacity * (focus_base - punitive_loss * punitive[j])
    return out


def capacity(compiled: bool, kind, council, effective, punitive, par) -> np.ndarray:
    """Relational capacity of every slot but the departments'; see :func:`capacity_reference`.

    ``punitive`` may be a number (the same for every slot).
    """
    fn = _capacity_kernel if compiled else capacity_reference
    return fn(kind, np.ascontiguousarray(council, dtype=np.int64), effective,
              each(punitive, kind.size), tuple(map(float, par)))


def drain_reference(capacity, used) -> tuple:
    """Each council's capacity its ties drain this month, and its effective capacity (NumPy).

    ``capacity`` is the councils' capacity and ``used`` what keeping their cross-sector ties
    needs: the drain is the need, up to the capacity there is (none below 0); the effective
    capacity is the capacity net of the need, in 0–1.
    """
    return np.minimum(used, np.maximum(capacity, 0.0)), np.clip(capacity - used, 0.0, 1.0)


@_compile
def _drain_kernel(capacity, used):
    """Compiled :func:`drain_reference`."""
    drained = np.empty(capacity.size)
    effective = np.empty(capacity.size)
    for k in range(capacity.size):
        drained[k] = minimum(used[k], maximum(capacity[k], 0.0))
        effective[k] = clip(capacity[k] - used[k], 0.0, 1.0)
    return drained, effective


def drain(compiled: bool, capacity, used) -> tuple:
    """Capacity drained by the ties and effective capacity; see :func:`drain_reference`."""
    return (_drain_kernel if compiled else drain_reference)(capacity, used)


def council_ties_reference(sector_of_kind, kind, eu, ev, tie_kind, council) -> np.ndarray:
    """How many cross-sector ties each council keeps up itself (NumPy reference).

    The ties (ends ``eu``, ``ev``, kinds ``tie_kind``) that join two sectors
    (``sector_of_kind`` per kind of organisation), have a council (``kind`` per slot) at an
    end and are not funding or coordination ties (kept by the centre), counted at the slots
    ``council``.
    """
    sec = sector_of_kind[kind]
    kept = (sec[eu] != sec[ev]) & ((kind[eu] == COUNCIL) | (kind[ev] == COUNCIL))
    kept &= (tie_kind != FUNDING) & (tie_kind != COORDINATION)
    deg = np.bincount(eu[kept], minlength=kind.size) + np.bincount(ev[kept], minlength=kind.size)
    return deg[council]


@_compile
def _council_ties_kernel(sector_of_kind, kind, eu, ev, tie_kind, council):
    """Compiled :func:`council_ties_reference`: one pass over the ties."""
    deg = np.zeros(kind.size, dtype=np.int64)
    for i in range(eu.size):
        a, b = eu[i], ev[i]
        if (sector_of_kind[kind[a]] != sector_of_kind[kind[b]]
                and (kind[a] == COUNCIL or kind[b] == COUNCIL)
                and tie_kind[i] != FUNDING and tie_kind[i] != COORDINATION):
            deg[a] += 1
            deg[b] += 1
    out = np.empty(council.size, dtype=np.int64)
    for k in range(council.size):
        out[k] = deg[council[k]]
    return out


def council_ties(compiled: bool, sector_of_kind, kind, eu, ev, tie_kind, council) -> np.ndarray:
    """Cross-sector ties each council keeps up itself; see :func:`council_ties_reference`."""
    fn = _council_ties_kernel if compiled else council_ties_reference
    return fn(sector_of_kind, kind, eu, ev, tie_kind, np.ascontiguousarray(council, dtype=np.int64))


# --- contact, trust and breaking ---------------------------------------------------------
def trust_reference(u_contact, cap, eu, ev, locality, kind, sector_of_kind, trust, tie_kind,
                    drive, mobilised, y_now, y_then, direction, nation, par) -> tuple:
    """Each tie's trust after a month's contact and rivalry, and the ties to break (NumPy).

    Per tie: the contact uniform, the two ends' slots, its trust and kind, and the partnership
    drive and mobilisation on it (arrays, or of one value where it is the same on every tie).
    ``cap`` is each slot's relational capacity, ``locality`` its place (-1 for none) and
    ``kind`` its kind; a tie joins two sectors where its ends'
    ``sector_of_kind`` differ. A place improves where its true indicator moved in the
    mission's ``direction`` from ``y_then`` to ``y_now``; ``nation`` is 1 if the country
    improves. ``par``: the
    contact base, its gains on capacity and on partnership drive, trust growth, its gain on
    mobilisation, trust decay, rivalry erosion, the competitive share and the break floor.
    Returns the new trust (clipped to 0–1) and the positions of the breakable ties below the
    floor.
    """
    base, cap_gain, drive_gain, growth, mobil_gain, decay, erosion, share, floor = par
    lu, lv = locality[eu], locality[ev]
    sec = sector_of_kind[kind]
    cross = sec[eu] != sec[ev]
    improving = (direction * (y_now - y_then) > 0).astype(float)
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
def _trust_kernel(u_contact, cap, eu, ev, locality, kind, sector_of_kind, trust, tie_kind, drive,
                  mobilised, y_now, y_then, direction, nation, par):
    """Compiled :func:`trust_reference`: one pass over the ties, the same operations in order."""
    base, cap_gain, drive_gain, growth, mobil_gain, decay, erosion, share, floor = par
    improving = np.empty(y_now.size)
    for k in range(y_now.size):
        improving[k] = 1.0 if direction * (y_now[k] - y_then[k]) > 0 else 0.0
    n = trust.size
    t = np.empty(n)
    gone = np.empty(n, dtype=np.int64)
    n_gone = 0
    for i in range(n):
        a, b = eu[i], ev[i]
        la, lb = locality[a], locality[b]
        d = drive[0] if drive.size == 1 else drive[i]
        m = mobilised[0] if mobilised.size == 1 else mobilised[i]
        cross = sector_of_kind[kind[a]] != sector_of_kind[kind[b]]
        p = base + cap_gain * min(cap[a], cap[b]) + drive_gain * d * (
            1.0 if cross else 0.0)
        if p < 0.0:
            p = 0.0
        elif p > 1.0:
            p = 1.0
        su = improving[la] if la >= 0 else nation
        sv = improving[lb] if lb >= 0 else nation
        if la < 0:
            success = sv
        elif lb < 0:
            success = su
        else:
            success = su * sv
        if u_contact[i] < p:
            x = trust[i] + growth * (1.0 + mobil_gain * m) * success * (1.0 - trust[i])
        else:
            x = trust[i] + -decay * trust[i]
        rival = kind[a] == CHARITY and kind[b] == CHARITY and la == lb
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


def _on_ties(value, n: int) -> np.ndarray:
    """A lever on ``n`` ties as a float array: per tie, or one value for all."""
    if isinstance(value, np.ndarray) and value.shape == (n,) and value.dtype == np.float64:
        return value
    return full(1 if one_number(value) else n, value)


def trust(compiled: bool, u_contact, cap, eu, ev, locality, kind, sector_of_kind, trust_now,
          tie_kind, drive, mobilised, y_now, y_then, direction, nation, par) -> tuple:
    """The ties' new trust and the positions of the ties to break; see :func:`trust_reference`.

    ``drive`` and ``mobilised`` may each be a number (the same on every tie).
    """
    n = trust_now.size
    par = tuple(map(float, par))
    fn = _trust_kernel if compiled else trust_reference
    return fn(u_contact, cap, eu, ev, locality, kind, sector_of_kind, trust_now, tie_kind,
              _on_ties(drive, n), _on_ties(mobilised, n), y_now, y_then, float(direction),
              float(nation), par)


def warm(compiled: bool) -> None:
    """Compile, or load from the cache, the kernels here on a one-organisation world."""
    formation_kernels.warm(compiled)
    network_kernels.warm(compiled)
    if not compiled:
        return
    zero = np.zeros(1, dtype=np.int64)
    sector_of_kind = np.zeros(1, dtype=np.int64)
    sector_of_kind.setflags(write=False)  # read-only, as the ties module keeps it
    one = np.ones(1)
    kind = np.zeros(1, dtype=np.int8)
    trust(True, one, one, zero, zero, zero, kind, sector_of_kind, one, kind, 0.0, 0.0, one, one,
          1, 1.0, (0.0,) * 9)  # structural: nine parameters
    cross(True, sector_of_kind, kind, zero, zero)
    capacity(True, kind, zero, one, 0.0, (1.0, 1.0, 0.0))
    council_ties(True, zero, kind, zero, zero, kind, zero)
    drain(True, one, one)
