"""Compiled passes over the staff posts, with the plain NumPy passes they replace.

Each kernel is compiled by numba on its first call (``cache=True``: later processes load the
machine code from numba's cache instead of compiling again) and gives exactly the result of
its NumPy twin, which stays here as the reference the unit tests compare against
(``tests/unit/test_kernels.py``) and as the path taken when numba cannot be imported or
``NUMBA_DISABLE_JIT=1`` is set. The switch is :data:`COMPILED`.

Where the cache lives, the first writable of: ``NUMBA_CACHE_DIR`` when it is set, the
``__pycache__`` folder next to this file, the user's cache folder (``$XDG_CACHE_HOME/numba``
or ``~/.cache/numba``). Where none is writable (a read-only install run by a user with no
writable home), the kernels are compiled once in each process instead of failing. A process
that loads them pays numba's start-up once (its first compiled call, with or without a
cache), so a fork server that calls :func:`warm` before forking spares its workers that.
"""

from __future__ import annotations

import numpy as np

from missionsim.model.state import CHARITY, COUNCIL, FILLED, UNFUNDED, VACANT

try:
    import numba
except ImportError:  # pragma: no cover - numba is a declared dependency
    numba = None

COMPILED = numba is not None and not numba.config.DISABLE_JIT
"""Whether the compiled kernels are used (else the NumPy references)."""


def _compile(fn):
    """``fn`` compiled with numba and cached on disk (in memory only if no cache is writable)."""
    if not COMPILED:
        return fn
    try:
        return numba.njit(cache=True)(fn)
    except RuntimeError:  # no writable cache location: compile in each process
        return numba.njit(fn)


# --- set_establishment ------------------------------------------------------------------------
def establishment_reference(org: np.ndarray, loc: np.ndarray, status: np.ndarray,
                            tenure: np.ndarray, locality: np.ndarray, funded: np.ndarray,
                            slots: np.ndarray, change: np.ndarray) -> np.ndarray:
    """Change the funded posts of employer ``slots[i]`` by ``change[i]`` (NumPy reference).

    Works in place on the staff arrays ``org``, ``loc`` and ``status`` and on ``funded``
    (funded posts per organisation slot, kept equal to a fresh count), in the order of
    ``slots``. A cut unfunds the employer's funded posts in the order (status, tenure, post):
    vacant posts first, then the shortest tenure. Growth funds the employer's own unfunded
    posts first (lowest post first), then moves the lowest unfunded posts of any employer to
    it (``loc`` from ``locality``). Returns the employers of the posts still wanted, one entry
    a post, in order: the caller appends them as new posts.
    """
    changing = np.zeros(max(funded.size, int(org.max(initial=0)) + 1), dtype=bool)
    changing[slots[change != 0]] = True
    mine = np.flatnonzero(changing[org])
    order = mine[np.argsort(org[mine], kind="stable")]
    starts = np.searchsorted(org[order], slots, side="left")
    ends = np.searchsorted(org[order], slots, side="right")
    new_org: list[int] = []
    for i in np.flatnonzero(change):
        posts = order[starts[i]:ends[i]]
        d = int(change[i])
        if d < 0:
            live = posts[status[posts] != UNFUNDED]
            # vacant first (status 1 < 2), then shortest tenure
            key = np.lexsort((tenure[live], status[live]))
            status[live[key[:-d]]] = UNFUNDED
            funded[slots[i]] -= min(-d, live.size)
        else:
            spare = posts[status[posts] == UNFUNDED][:d]
            status[spare] = VACANT
            funded[slots[i]] += spare.size
            new_org.extend([int(slots[i])] * (d - spare.size))
    orgs = np.array(new_org, dtype=np.int64)
    pool = np.flatnonzero(status == UNFUNDED)[: orgs.size]
    org[pool] = orgs[: pool.size]
    loc[pool] = locality[orgs[: pool.size]]
    status[pool] = VACANT
    np.add.at(funded, orgs, 1)
    return orgs[pool.size:]


@_compile
def _kth_smallest(values, k):
    """The ``k``-th smallest of ``values`` (from 0), reordering ``values`` (quickselect)."""
    lo, hi = 0, values.size - 1
    while lo < hi:
        pivot = values[(lo + hi) // 2]  # structural: the middle element
        i, j = lo, hi
        while i <= j:
            while values[i] < pivot:
                i += 1
            while values[j] > pivot:
                j -= 1
            if i <= j:
                values[i], values[j] = values[j], values[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            break
    return values[k]


@_compile
def _cut_shortest(posts, status, tenure, code, size, need):
    """Unfund the ``need`` posts of status ``code`` (``size`` of them) with the shortest tenure.

    Ties in tenure go to the lower post, as in a stable sort: the posts at or below the
    ``need``-th shortest tenure, the lowest first among those at it.
    """
    tenures = np.empty(size, dtype=tenure.dtype)
    n = 0
    for k in posts:
        if status[k] == code:
            tenures[n] = tenure[k]
            n += 1
    edge = _kth_smallest(tenures, need - 1)
    at_edge = need
    for t in tenures:
        if t < edge:
            at_edge -= 1
    for k in posts:
        if status[k] == code:
            if tenure[k] < edge:
                status[k] = UNFUNDED
            elif tenure[k] == edge and at_edge > 0:
                status[k] = UNFUNDED
                at_edge -= 1


@_compile
def _establishment_kernel(org, loc, status, tenure, locality, funded, slots, change):
    """Compiled :func:`establishment_reference`: the same posts, in the same order."""
    # the posts of each changing employer, in post order (grouped by counting)
    group = np.full(funded.size, -1, dtype=np.int64)
    n_groups = 0
    wanted = 0
    for i in range(slots.size):
        if change[i] != 0 and group[slots[i]] < 0:
            group[slots[i]] = n_groups
            n_groups += 1
        if change[i] > 0:
            wanted += change[i]
    matched = np.empty(org.size, dtype=np.int64)  # one pass over all posts
    n_matched = 0
    for k in range(org.size):
        o = org[k]
        if 0 <= o < group.size and group[o] >= 0:
            matched[n_matched] = k
            n_matched += 1
    first = np.zeros(n_groups + 1, dtype=np.int64)
    for m in range(n_matched):
        first[group[org[matched[m]]] + 1] += 1
    for g in range(n_groups):
        first[g + 1] += first[g]
    posts = np.empty(n_matched, dtype=np.int64)
    fill = first[:n_groups].copy()
    for m in range(n_matched):
        g = group[org[matched[m]]]
        posts[fill[g]] = matched[m]
        fill[g] += 1
    # each change in turn
    new_org = np.empty(wanted, dtype=np.int64)
    n_new = 0
    for i in range(slots.size):
        d = change[i]
        if d == 0:
            continue
        g = group[slots[i]]
        mine = posts[first[g]:first[g + 1]]
        if d < 0:
            # vacant first (the lowest status), then the shortest tenure, then the lowest post
            need = -d
            while need > 0:
                code = -1
                size = 0
                for k in mine:
                    if status[k] != UNFUNDED:
                        if code < 0 or status[k] < code:
                            code = status[k]
                            size = 0
                        if status[k] == code:
                            size += 1
                if size == 0:
                    break
                if size <= need:
                    for k in mine:
                        if status[k] == code:
                            status[k] = UNFUNDED
                    funded[slots[i]] -= size
                    need -= size
                else:
                    _cut_shortest(mine, status, tenure, code, size, need)
                    funded[slots[i]] -= need
                    need = 0
        else:
            taken = 0
            for k in mine:
                if taken == d:
                    break
                if status[k] == UNFUNDED:
                    status[k] = VACANT
                    taken += 1
            funded[slots[i]] += taken
            for _ in range(d - taken):
                new_org[n_new] = slots[i]
                n_new += 1
    # the lowest unfunded posts of any employer move to employers still short
    used = 0
    for k in range(status.size):
        if used == n_new:
            break
        if status[k] == UNFUNDED:
            org[k] = new_org[used]
            loc[k] = locality[new_org[used]]
            status[k] = VACANT
            used += 1
    for j in range(n_new):
        funded[new_org[j]] += 1
    return new_org[used:n_new].copy()


def establishment(org: np.ndarray, loc: np.ndarray, status: np.ndarray, tenure: np.ndarray,
                  locality: np.ndarray, funded: np.ndarray, slots: np.ndarray,
                  change: np.ndarray) -> np.ndarray:
    """Change the funded posts of employer ``slots[i]`` by ``change[i]``; see the reference.

    ``org``, ``loc``, ``status`` and ``funded`` change in place; ``funded`` must be writable.
    Returns the employers of the new posts still to append, one entry a post.
    """
    locality = np.ascontiguousarray(locality, dtype=np.int64)
    slots = np.ascontiguousarray(slots, dtype=np.int64)
    change = np.ascontiguousarray(change, dtype=np.int64)
    if COMPILED:
        return _establishment_kernel(org, loc, status, tenure, locality, funded, slots, change)
    return establishment_reference(org, loc, status, tenure, locality, funded, slots, change)


# --- workforce.update -------------------------------------------------------------------------
# A month of the workforce in two passes around NumPy's ``exp`` (kept in NumPy, whose SIMD exp
# can differ in the last bit from a compiled one): morale moves towards its target and gives
# the exponent of the quit hazard; then quits, hires, skill, tenure and the counts. Each float
# expression keeps the order of operations of the NumPy passes in ``workforce.update``.
def morale_reference(morale: np.ndarray, target: np.ndarray, noise: np.ndarray, months: float,
                     noise_sd: float, turnover: float, reference: float) -> np.ndarray:
    """Move ``morale`` (in place) towards ``target`` with noise; return the hazard exponent.

    NumPy reference. The exponent is ``turnover * (reference - morale)``, of the new morale.
    """
    morale += (target - morale) / months + noise_sd * noise
    np.clip(morale, 0.0, 1.0, out=morale)
    return turnover * (reference - morale)


def turnover_reference(status: np.ndarray, skill: np.ndarray, morale: np.ndarray,
                       tenure: np.ndarray, org: np.ndarray, loc: np.ndarray,
                       u_quit: np.ndarray, u_fill: np.ndarray, u_skill: np.ndarray,
                       target: np.ndarray, noise: np.ndarray, rise: np.ndarray,
                       kind: np.ndarray, capacity: np.ndarray, reserves: np.ndarray,
                       hazard_par: tuple, fill_par: tuple, hire_par: tuple) -> tuple:
    """Quits, hires, new hires' skill and morale, skill growth and tenure (NumPy reference).

    Works in place on ``status``, ``skill``, ``morale`` and ``tenure``. ``rise`` is the exp of
    the hazard exponent; ``kind`` and ``reserves`` are per employer, ``capacity`` per place.
    ``hazard_par`` holds the base monthly hazard, the labour-market tightness and the cap;
    ``fill_par`` the base chance of filling a vacancy, the capacity offset, the capacity
    divisor and the reserves (months) under which a charity freezes hiring; ``hire_par`` a new
    hire's skill, its spread, its centre (``1 - spread / 2``), a new hire's morale noise and
    the months to learn. Returns the quits, the posts filled at the start and the hires.
    """
    quit_base, tightness, quit_cap = hazard_par
    fill_base, offset, divisor, freeze = fill_par
    hire_skill, spread, centre, hire_noise, learn = hire_par
    filled = status == FILLED
    hazard = np.clip(quit_base * rise * tightness, 0.0, quit_cap)
    quits = filled & (u_quit < hazard)
    status[quits] = VACANT
    post_kind = kind[org]
    factor = np.where(post_kind == COUNCIL, (offset + capacity[loc]) / divisor, 1.0)
    frozen = (post_kind == CHARITY) & (reserves[org] < freeze)
    fill_prob = np.where(frozen, 0.0, np.clip(fill_base * factor, 0.0, 1.0))
    hires = (status == VACANT) & ~quits & (u_fill < fill_prob)
    status[hires] = FILLED
    tenure[hires] = 0
    skill[hires] = hire_skill * (centre + spread * u_skill[hires])
    morale[hires] = np.clip(target[hires] + hire_noise * noise[hires], 0.0, 1.0)
    still = status == FILLED
    skill[still] += (1.0 - skill[still]) / learn
    tenure[still & ~hires] += 1
    return int(quits.sum()), int(filled.sum()), int(hires.sum())


@_compile
def _clip(x, lo, hi):
    """``x`` clipped to [``lo``, ``hi``] as NumPy clips (NaN stays NaN; -0 becomes ``lo``)."""
    if x != x:
        return x
    if not x > lo:
        x = lo
    if not x < hi:
        x = hi
    return x


@_compile
def _morale_kernel(morale, target, noise, months, noise_sd, turnover, reference):
    """Compiled :func:`morale_reference`: the same morale and exponent."""
    rise = np.empty(morale.size, dtype=np.float64)
    for i in range(morale.size):
        m = morale[i]
        m = _clip(m + ((target[i] - m) / months + noise_sd * noise[i]), 0.0, 1.0)
        morale[i] = m
        rise[i] = turnover * (reference - m)
    return rise


@_compile
def _turnover_kernel(status, skill, morale, tenure, org, loc, u_quit, u_fill, u_skill, target,
                     noise, rise, kind, capacity, reserves, hazard_par, fill_par, hire_par):
    """Compiled :func:`turnover_reference`: the same posts, skills, morale and counts."""
    quit_base, tightness, quit_cap = hazard_par
    fill_base, offset, divisor, freeze = fill_par
    hire_skill, spread, centre, hire_noise, learn = hire_par
    n_quits = 0
    n_filled = 0
    n_hires = 0
    for i in range(status.size):
        code = status[i]
        if code == FILLED:
            n_filled += 1
            hazard = _clip(quit_base * rise[i] * tightness, 0.0, quit_cap)
            if u_quit[i] < hazard:
                status[i] = VACANT
                n_quits += 1
                continue
            skill[i] += (1.0 - skill[i]) / learn
            tenure[i] += 1
        elif code == VACANT:
            o = org[i]
            if kind[o] == CHARITY and reserves[o] < freeze:
                chance = 0.0
            elif kind[o] == COUNCIL:
                factor = (offset + capacity[loc[i]]) / divisor
                chance = _clip(fill_base * factor, 0.0, 1.0)
            else:
                chance = _clip(fill_base * 1.0, 0.0, 1.0)
            if u_fill[i] < chance:
                status[i] = FILLED
                n_hires += 1
                tenure[i] = 0
                s = hire_skill * (centre + spread * u_skill[i])
                skill[i] = s + (1.0 - s) / learn
                morale[i] = _clip(target[i] + hire_noise * noise[i], 0.0, 1.0)
    return n_quits, n_filled, n_hires


def staff_morale(morale: np.ndarray, target: np.ndarray, noise: np.ndarray, months: float,
           noise_sd: float, turnover: float, reference: float) -> np.ndarray:
    """Move ``morale`` (in place) towards ``target``; return the hazard exponent.

    See the reference, :func:`morale_reference`.
    """
    args = (float(months), float(noise_sd), float(turnover), float(reference))
    if COMPILED:
        return _morale_kernel(morale, target, noise, *args)
    return morale_reference(morale, target, noise, *args)


def staff_turnover(status: np.ndarray, skill: np.ndarray, morale: np.ndarray, tenure: np.ndarray,
             org: np.ndarray, loc: np.ndarray, u_quit: np.ndarray, u_fill: np.ndarray,
             u_skill: np.ndarray, target: np.ndarray, noise: np.ndarray, rise: np.ndarray,
             kind: np.ndarray, capacity: np.ndarray, reserves: np.ndarray, hazard_par: tuple,
             fill_par: tuple, hire_par: tuple) -> tuple:
    """Quits, hires, skill and tenure in place; returns (quits, filled, hires).

    See the reference, :func:`turnover_reference`.
    """
    hazard_par = tuple(float(x) for x in hazard_par)
    fill_par = tuple(float(x) for x in fill_par)
    hire_par = tuple(float(x) for x in hire_par)
    fn = _turnover_kernel if COMPILED else turnover_reference
    return fn(status, skill, morale, tenure, org, loc, u_quit, u_fill, u_skill, target, noise,
              rise, kind, capacity, reserves, hazard_par, fill_par, hire_par)


def warm() -> None:
    """Compile, or load from the cache, every kernel now, on a one-post staff.

    The first model step would otherwise pay for it. A process that forks workers (a fork
    server) can call this first, so that its workers start with the kernels loaded.
    """
    one = np.zeros(1, dtype=np.int64)
    establishment(one.copy(), one.copy(), np.zeros(1, dtype=np.int8), one.copy(), one.copy(),
                  one.copy(), one.copy(), one.copy())
    real = np.zeros(1)
    rise = staff_morale(real.copy(), real, real, 1.0, 0.0, 0.0, 0.0)
    staff_turnover(np.zeros(1, dtype=np.int8), real.copy(), real.copy(), one.copy(), one, one, real,
             real, real, real, real, rise, np.zeros(1, dtype=np.int8), real, real,
             (0.0, 0.0, 0.0), (0.0, 0.0, 1.0, 0.0), (0.0, 0.0, 0.0, 0.0, 1.0))
