"""Compiled kernels follow NumPy's arithmetic: a division by zero gives inf or nan, not an error."""

from __future__ import annotations

import numpy as np
import pytest

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
