"""numba for the model's compiled passes: whether it is used, and how a kernel is compiled.

Each kernel is compiled by numba on its first call (``cache=True``: later processes load the
machine code from numba's cache instead of compiling again). Where the cache lives, the first
writable of: ``NUMBA_CACHE_DIR`` when it is set, the ``__pycache__`` folder next to the
kernel's module, the user's cache folder (``$XDG_CACHE_HOME/numba`` or ``~/.cache/numba``).
Where none is writable (a read-only install run by a user with no writable home), kernels are
compiled once in each process instead of failing.
"""

from __future__ import annotations

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
