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

from missionsim.model import (
    draws,
    employer_kernels,
    evidence_kernels,
    finance_kernels,
    money_kernels,
    outcome_kernels,
    record_kernels,
    reporter_kernels,
    staff_kernels,
    ties_kernels,
    workforce_kernels,
)
from missionsim.model.compiled import COMPILED
from missionsim.model.compiled import compile_helper as _helper
from missionsim.model.compiled import compile_kernel as _compile
from missionsim.model.state import UNFUNDED, VACANT
from missionsim.model.workforce_kernels import (  # noqa: F401 - the workforce passes, here too
    _turnover_kernel,
    morale_reference,
    staff_target,
    staff_turnover,
    target_reference,
    turnover_reference,
)

__all__ = ["COMPILED", "establishment", "establishment_reference", "posts_by_employer",
           "staff_turnover", "warm"]

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
    a post, in order (the caller appends them as new posts), and how many posts moved employer.
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
    return orgs[pool.size:], int(pool.size)


@_helper
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


@_helper
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


GROUP_BLOCKS = 4  # structural: blocks of posts counted in turn, enough to keep adds from waiting
"""How many blocks of consecutive posts :func:`posts_by_employer` counts and places in turn.

An employer's posts lie in runs, so a pass that adds one to the same count post after post
waits for each addition to land; taking a post from each block in turn keeps the counts of
consecutive steps apart (a third less time at England's size), and the posts keep their order
because each block's share of an employer's run follows the blocks before it."""


@_compile
def _group_kernel(org, n):
    """Compiled :func:`posts_by_employer`, a counting sort over :data:`GROUP_BLOCKS` blocks.

    Posts of an employer outside ``0 … n - 1`` are left out.
    """
    size = org.size
    step = (size + GROUP_BLOCKS - 1) // GROUP_BLOCKS
    count = np.zeros((GROUP_BLOCKS, n + 1), dtype=np.int64)
    for j in range(step):
        for b in range(GROUP_BLOCKS):
            k = b * step + j
            if k < size:
                o = org[k]
                if 0 <= o < n:
                    count[b, o + 1] += 1
    first = np.zeros(n + 1, dtype=np.int64)
    fill = np.empty((GROUP_BLOCKS, n), dtype=np.int64)
    for o in range(n):
        at = first[o]
        for b in range(GROUP_BLOCKS):  # block b's posts of employer o follow the blocks before
            fill[b, o] = at
            at += count[b, o + 1]
        first[o + 1] = at
    posts = np.empty(first[n], dtype=np.int64)
    for j in range(step):
        for b in range(GROUP_BLOCKS):
            k = b * step + j
            if k < size:
                o = org[k]
                if 0 <= o < n:
                    posts[fill[b, o]] = k
                    fill[b, o] += 1
    return first, posts


def posts_by_employer(org: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Every post grouped by employer ``0 … n - 1``, in post order: ``(first, posts)``.

    Employer ``o``'s posts are ``posts[first[o]:first[o + 1]]``. The grouping holds while no
    post moves employer and no post is added; :func:`establishment` says when posts moved.
    """
    if COMPILED:
        return _group_kernel(org, int(n))
    order = np.argsort(org, kind="stable")
    inside = order[(org[order] >= 0) & (org[order] < n)]
    counts = np.bincount(org[inside], minlength=int(n))[:n]
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64), inside.astype(np.int64)


@_compile
def _establishment_kernel(org, loc, status, tenure, locality, funded, slots, change, first,
                          posts):
    """Compiled :func:`establishment_reference`: the same posts, in the same order.

    ``first`` and ``posts`` group the posts by employer (:func:`posts_by_employer`) as ``org``
    stands, so that a change reads its employer's posts without a pass over every post.
    """
    wanted = 0
    for i in range(slots.size):
        if change[i] > 0:
            wanted += change[i]
    none = posts[:0]
    # each change in turn
    new_org = np.empty(wanted, dtype=np.int64)
    n_new = 0
    for i in range(slots.size):
        d = change[i]
        if d == 0:
            continue
        slot = slots[i]
        mine = posts[first[slot]:first[slot + 1]] if 0 <= slot < first.size - 1 else none
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
    return new_org[used:n_new].copy(), used


def establishment(org: np.ndarray, loc: np.ndarray, status: np.ndarray, tenure: np.ndarray,
                  locality: np.ndarray, funded: np.ndarray, slots: np.ndarray,
                  change: np.ndarray,
                  by_employer: tuple[np.ndarray, np.ndarray] | None = None
                  ) -> tuple[np.ndarray, int]:
    """Change the funded posts of employer ``slots[i]`` by ``change[i]``; see the reference.

    ``org``, ``loc``, ``status`` and ``funded`` change in place; ``funded`` must be writable.
    ``by_employer`` is :func:`posts_by_employer` of ``org`` over at least ``funded.size``
    employers, if kept from an earlier call (made here if not). Returns the employers of the
    new posts still to append, one entry a post, and how many posts moved employer (when any
    did, ``by_employer`` no longer holds).
    """
    locality = np.ascontiguousarray(locality, dtype=np.int64)
    slots = np.ascontiguousarray(slots, dtype=np.int64)
    change = np.ascontiguousarray(change, dtype=np.int64)
    if COMPILED:
        if by_employer is None or by_employer[0].size < funded.size + 1:
            by_employer = posts_by_employer(org, funded.size)
        return _establishment_kernel(org, loc, status, tenure, locality, funded, slots, change,
                                     *by_employer)
    return establishment_reference(org, loc, status, tenure, locality, funded, slots, change)



WARM_MONTHS = 13  # structural: a year and the first annual budget round
"""Months of the short run with which :func:`warm` ends."""


def warm() -> None:
    """Compile, or load from the cache, every kernel now: on a one-post staff, then in a run.

    The first model step would otherwise pay for it. A process that forks workers (a fork
    server) can call this first, so that its workers start with the kernels loaded. The
    one-post calls load each kernel; the short run of the smallest preset that follows loads
    the versions a run calls (numba compiles one for each kind of argument, and a run passes
    some arrays read-only), so that timings of the runs after it leave all of this out.
    """
    one = np.zeros(1, dtype=np.int64)
    establishment(one.copy(), one.copy(), np.zeros(1, dtype=np.int8), one.copy(), one.copy(),
                  one.copy(), one.copy(), one.copy(), posts_by_employer(one, 1))
    real = np.zeros(1)
    staff_turnover(np.zeros(1, dtype=np.int8), real.copy(), real.copy(), one.copy(), one, one, real,
             real, real, np.zeros(1, dtype=np.int8), real, real,
             (0.0, 0.0, 0.0, 0.0, 0.0), (0.0, 0.0, 1.0, 0.0), (0.0, 0.0, 0.0, 0.0, 1.0))
    staff_target(True, real, real, one, one)
    staff_kernels.warm(COMPILED)
    employer_kernels.warm(COMPILED)
    draws.warm()
    workforce_kernels.warm()
    ties_kernels.warm(COMPILED)
    evidence_kernels.warm(COMPILED)
    finance_kernels.warm(COMPILED)
    money_kernels.warm(COMPILED)
    outcome_kernels.warm(COMPILED)
    reporter_kernels.warm(COMPILED)
    record_kernels.warm(COMPILED)
    if COMPILED:
        from missionsim.model.model import MissionModel  # the model imports this module

        MissionModel(preset="small", rng=0, horizon=WARM_MONTHS).run(WARM_MONTHS)
