"""The state module's small helpers give what the NumPy calls they stand in for give."""

from __future__ import annotations

import numpy as np
import pytest

from missionsim.model.state import each, full, one_number


@pytest.mark.parametrize("value", [0.25, -0.0, np.nan, 3, True, np.float64(2.5), np.int8(7),
                                   np.arange(5.0), np.array([1.5]), np.array(4.0)])
@pytest.mark.parametrize("dtype", [np.float64, np.int8, np.int64])
def test_full_is_np_full(value, dtype):
    with np.errstate(invalid="ignore"):  # NaN cast to an integer, as np.full does it
        want = np.full(5, value, dtype=dtype)
        got = full(5, value, dtype)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert got.tobytes() == want.tobytes()


def test_full_rejects_what_np_full_rejects():
    with pytest.raises(ValueError):
        np.full(5, np.arange(3.0))
    with pytest.raises(ValueError):
        full(5, np.arange(3.0))


def test_each_keeps_a_float_array_and_fills_anything_else():
    values = np.arange(4.0)
    assert each(values, 4) is values
    assert each(2.0, 3).tobytes() == np.full(3, 2.0).tobytes()
    assert each(values.astype(np.float32), 4).dtype == np.float64


@pytest.mark.parametrize("value", [1.0, np.float64(1.0), np.array(1.0), np.arange(3.0), [1.0],
                                   (1.0, 2.0), np.zeros((2, 2))])
def test_one_number_is_ndim_zero(value):
    assert one_number(value) == (np.ndim(value) == 0)
