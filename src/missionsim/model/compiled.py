"""numba for the model's compiled passes: whether it is used, and how a kernel is compiled.

Each kernel is compiled by numba on its first call (``cache=True``: later processes load the
machine code from numba's cache instead of compiling again). Where the cache lives, the first
writable of: ``NUMBA_CACHE_DIR`` when it is set, the ``__pycache__`` folder next to the
kernel's module, the user's cache folder (``$XDG_CACHE_HOME/numba`` or ``~/.cache/numba``).
Where none is writable (a read-only install run by a user with no writable home), kernels are
compiled once in each process instead of failing.
"""

from __future__ import annotations

import numpy as np

try:
    import numba
except ImportError:  # pragma: no cover - numba is a declared dependency
    numba = None

COMPILED = numba is not None and not numba.config.DISABLE_JIT
"""Whether the compiled kernels are used (else the NumPy references)."""


def compile_kernel(fn):
    """``fn`` compiled with numba and cached on disk (in memory only if no cache is writable).

    Arithmetic follows NumPy's rules (``error_model="numpy"``): a division by zero gives an
    infinity or not-a-number, as in the NumPy reference, instead of raising.
    """
    return _njit(fn)


def compile_helper(fn):
    """``fn`` compiled as :func:`compile_kernel` does, and written into each kernel that calls it.

    numba inlines the helper's code into its callers (``inline="always"``) instead of calling
    it: a call that passes arrays counts references to each array on the way in and out, which
    in a loop over 30,000 posts cost more than the loop's own work (``benchmarks/README.md``).
    The arithmetic is the same, so results are the same bit for bit. A helper's change reaches
    its callers' caches only when their own modules change (numba keys a cache on the kernel's
    file), so after editing one, clear the caches (``*.nbi``, ``*.nbc``).
    """
    return _njit(fn, inline="always")


ROUTINES: list = []
"""The functions compiled with :func:`compile_routine`: kernels may call them."""


def compile_routine(fn):
    """``fn`` compiled as :func:`compile_kernel` does, for kernels to call rather than inline.

    For a long routine that a kernel calls a few times a call, never in a loop over agents:
    writing it into each caller, as :func:`compile_helper` does, multiplies the time numba takes
    to compile the callers (NumPy's sum, :func:`add_reduce`, written into the record's kernels
    at twenty places took 40 s to compile on a fresh install; called, 4 s; the month's time did
    not change, ``benchmarks/README.md``). A routine's change reaches its callers' caches only
    when their own modules change, as a helper's does.
    """
    compiled = _njit(fn)
    ROUTINES.append(compiled)
    return compiled


def _njit(fn, **options):
    """``fn`` compiled with numba's ``options`` (``fn`` itself where numba is not used).

    NumPy's arithmetic, and a cache on disk where one is writable.
    """
    if not COMPILED:
        return fn
    try:
        return numba.njit(cache=True, error_model="numpy", **options)(fn)
    except RuntimeError:  # no writable cache location: compile in each process
        return numba.njit(error_model="numpy", **options)(fn)


# --- NumPy's elementwise rules for single numbers, for use inside kernels ----------------------
@compile_helper
def maximum(a, b):
    """``np.maximum`` of two numbers: a NaN wins, and ``b`` where they are equal."""
    if a != a or a > b:
        return a
    return b


@compile_helper
def minimum(a, b):
    """``np.minimum`` of two numbers: a NaN wins, and ``b`` where they are equal."""
    if a != a or a < b:
        return a
    return b


@compile_helper
def clip(x, lo, hi):
    """``x`` clipped to [``lo``, ``hi``] as NumPy clips (NaN stays NaN; -0 becomes ``lo``).

    NumPy's own clip may keep the sign of -0, depending on its SIMD path; the model makes no
    -0 (a difference of equal values is +0).
    """
    if x != x:
        return x
    if not x > lo:
        x = lo
    if not x < hi:
        x = hi
    return x


# --- NumPy's sum of an array, for use inside kernels ------------------------------------------
PAIRWISE_BLOCK = 128  # structural: NumPy's PW_BLOCKSIZE, the most values summed in one block
UNROLL = 8  # structural: NumPy's eight partial sums within a block
STACK = 64  # structural: more halvings than an array of 2**63 values needs


@compile_helper
def _block_sum(a, lo, n):
    """NumPy's sum of ``a[lo:lo + n]`` for ``n`` ≤ :data:`PAIRWISE_BLOCK`.

    Under eight values, one after another; else eight partial sums over the multiples of eight,
    added in pairs ((0+1)+(2+3))+((4+5)+(6+7)), then the rest one after another.
    """
    if n < UNROLL:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r = np.empty(UNROLL)
    for j in range(UNROLL):
        r[j] = a[lo + j]
    i = UNROLL
    whole = n - n % UNROLL
    while i < whole:
        for j in range(UNROLL):
            r[j] += a[lo + i + j]
        i += UNROLL
    res = (((r[0] + r[1]) + (r[2] + r[3]))  # structural: NumPy's pairing of the partial sums
           + ((r[4] + r[5]) + (r[6] + r[7])))  # structural: the same
    for k in range(i, n):
        res += a[lo + k]
    return res


@compile_routine
def add_reduce(a):
    """``np.add.reduce`` of a 1-D float array, the same bits: NumPy's pairwise summation.

    NumPy sums blocks of up to :data:`PAIRWISE_BLOCK` values (:func:`_block_sum`) and splits a
    longer run in two at half its length rounded down to a multiple of eight, adding the two
    halves' sums. The halving is done here with a stack instead of recursion (numba compiles
    a recursive function only with its types declared). ``tests/unit/test_compiled.py`` checks
    it against NumPy on thousands of arrays.
    """
    n = a.size
    if n <= PAIRWISE_BLOCK:
        return _block_sum(a, 0, n)
    los = np.empty(STACK, dtype=np.int64)
    ns = np.empty(STACK, dtype=np.int64)
    halves = np.empty(STACK, dtype=np.int64)
    stage = np.zeros(STACK, dtype=np.int64)
    lefts = np.empty(STACK)
    d = 0
    los[0], ns[0] = 0, n
    total = 0.0
    while True:
        if stage[d] == 0:  # a run not yet split
            m = ns[d]
            if m <= PAIRWISE_BLOCK:
                total = _block_sum(a, los[d], m)
                d -= 1
                if d < 0:
                    return total
            else:
                h = m // 2  # structural: half the run
                h -= h % UNROLL
                halves[d], stage[d] = h, 1
                d += 1
                los[d], ns[d], stage[d] = los[d - 1], h, 0
        elif stage[d] == 1:  # the first half's sum is in: sum the second half
            lefts[d], stage[d] = total, 2  # structural: stage 2, the second half
            d += 1
            los[d], ns[d], stage[d] = los[d - 1] + halves[d - 1], ns[d - 1] - halves[d - 1], 0
        else:  # both halves summed
            total = lefts[d] + total
            d -= 1
            if d < 0:
                return total
