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
    """A compiled function that another calls is a helper (``compile_helper``), inlined.

    A call between compiled functions that passes arrays counts references to each array on
    the way in and out; in a loop over the posts that cost more than the loop's own work.
    """
    compiled = _compiled_functions()
    callers = 0
    for kernel in compiled:
        names = kernel.py_func.__code__.co_names
        for name in names:
            callee = kernel.py_func.__globals__.get(name)
            if isinstance(callee, CPUDispatcher):
                callers += 1
                assert callee.targetoptions.get("inline") == "always", (
                    f"{kernel.py_func.__qualname__} calls {callee.py_func.__qualname__}, "
                    "which is not compiled with compile_helper")
    assert callers >= 20  # structural: the kernels' calls of the rules and helpers were seen
