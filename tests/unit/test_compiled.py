"""Compiled kernels follow NumPy's arithmetic: a division by zero gives inf or nan, not an error."""

from __future__ import annotations

import numpy as np
import pytest
from numba.core.registry import CPUDispatcher

from missionsim.model.compiled import COMPILED, compile_kernel


def _divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.empty(a.size)
    for i in range(a.size):
        out[i] = a[i] / b[i]
    return out


@pytest.mark.skipif(not COMPILED, reason="numba is not in use")
def test_division_by_zero_gives_numpys_values() -> None:
    kernel = compile_kernel(_divide)
    assert kernel is not _divide
    a = np.array([1.0, 0.0, -1.0, 2.5, -0.0])
    b = np.array([0.0, 0.0, 0.0, -0.0, 4.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        want = a / b
    got = kernel(a, b)
    assert got.tobytes() == want.tobytes()  # inf, nan, -inf, -inf, -0.0 bit for bit


def _compiled_functions() -> list:
    """Every numba-compiled function of the model's modules, once each."""
    import importlib
    import pkgutil

    import missionsim.model as model_package

    found = {}
    for info in pkgutil.walk_packages(model_package.__path__, "missionsim.model."):
        for value in vars(importlib.import_module(info.name)).values():
            if isinstance(value, CPUDispatcher):
                found[id(value)] = value
    return list(found.values())


@pytest.mark.skipif(not COMPILED, reason="numba is not in use")
def test_every_function_a_kernel_calls_is_written_into_it() -> None:
    """A compiled function that another calls is a helper (``compile_helper``), inlined, or
    one of the few routines declared as called (``compile_routine``).

    A call between compiled functions that passes arrays counts references to each array on
    the way in and out; in a loop over the posts that cost more than the loop's own work.
    """
    from missionsim.model.compiled import ROUTINES

    compiled = _compiled_functions()
    callers = routines = 0
    for kernel in compiled:
        names = kernel.py_func.__code__.co_names
        for name in names:
            callee = kernel.py_func.__globals__.get(name)
            if isinstance(callee, CPUDispatcher):
                callers += 1
                if any(callee is r for r in ROUTINES):
                    routines += 1
                    assert callee.targetoptions.get("inline") != "always"
                    continue
                assert callee.targetoptions.get("inline") == "always", (
                    f"{kernel.py_func.__qualname__} calls {callee.py_func.__qualname__}, "
                    "which is not compiled with compile_helper or compile_routine")
    assert callers >= 20  # structural: the kernels' calls of the rules and helpers were seen
    assert routines >= 2  # structural: the record's kernels call NumPy's sum


def _sum_kernel():
    """A kernel that calls :func:`add_reduce` (a routine, called from its callers)."""
    import numba

    from missionsim.model.compiled import add_reduce

    return numba.njit(lambda a: add_reduce(a))


@pytest.mark.skipif(not COMPILED, reason="numba is not in use")
def test_add_reduce_is_numpys_sum_bit_for_bit() -> None:
    """Every length from 0 to 1,100 (the blocks of eight and of 128 and the halvings), then
    long arrays; values over 16 orders of magnitude and of both signs, where the order of the
    additions shows in the last bits; infinities, NaNs and -0.0 among them."""
    total = _sum_kernel()
    rng = np.random.default_rng(5150)
    lengths = list(range(1101)) + [int(n) for n in rng.integers(1101, 200_000, 40)]
    differ = 0
    for n in lengths:
        a = rng.standard_normal(n) * 10.0 ** rng.integers(-8, 8, n)
        if n and rng.random() < 0.05:
            a[rng.integers(0, n)] = rng.choice([np.inf, -np.inf, np.nan, -0.0])
        got, want = np.float64(total(a)), np.add.reduce(a)
        differ += got.tobytes() != want.tobytes()
    assert differ == 0
    assert np.float64(total(np.array([-0.0]))).tobytes() == np.add.reduce(
        np.array([-0.0])).tobytes()
    # a sequential sum differs from NumPy's, so the test can tell the two apart
    a = rng.standard_normal(1000) * 10.0 ** rng.integers(-8, 8, 1000)
    assert float(np.add.reduce(a)) != sum(a.tolist())
