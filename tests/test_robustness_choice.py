"""P(best) and switching values on small made-up tables (no simulation)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from missionsim.analysis.robustness import p_best, switching_table, switching_value


def test_p_best_counts_the_best_reform_at_each_point():
    gains = pd.DataFrame({"a": [1.0, 0.0, 2.0, 0.5], "b": [0.0, 1.0, 1.0, 0.4],
                          "c": [-1.0, -1.0, -1.0, 0.6]})
    table = p_best(gains, resamples=200, seed=1)
    assert table["p_best"].to_dict() == {"a": 0.5, "b": 0.25, "c": 0.25}
    assert math.isclose(table["p_best"].sum(), 1.0)
    assert (table["low"] <= table["p_best"]).all() and (table["p_best"] <= table["high"]).all()
    assert table.loc["a", "mean_rank"] == pytest.approx((1 + 2 + 1 + 2) / 4)


def test_the_switching_value_is_the_interpolated_crossing():
    x = np.array([0.0, 0.5, 1.0])
    levels = pd.DataFrame({"a": 1.0 - x, "b": 0.2 + 0.0 * x}, index=x)
    got = switching_value(levels, default=0.25)
    assert got["preferred"] == "a"
    assert got["above"] == pytest.approx(0.8) and got["above_to"] == "b"
    assert math.isnan(got["below"]) and got["below_to"] == ""


def test_the_first_rival_to_overtake_is_named_on_each_side():
    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    levels = pd.DataFrame({"a": [0.0, 1.0, 1.0, 1.0, 0.0], "b": [0.5, 0.5, 0.5, 0.5, 0.5],
                           "c": [0.9, 0.0, 0.0, 0.0, 0.8]}, index=x)
    got = switching_value(levels, default=2.0)
    assert got["preferred"] == "a"
    # going down from 1, b crosses a at 0.5 before c does (at 1 − 1/1.9 ≈ 0.47)
    assert got["below"] == pytest.approx(0.5) and got["below_to"] == "b"
    assert got["above"] == pytest.approx(3.5) and got["above_to"] == "b"


def test_no_crossing_within_the_range_is_reported_as_none():
    x = np.linspace(0, 1, 4)
    levels = pd.DataFrame({"a": 1.0 + x, "b": x}, index=x)
    table = switching_table({"f": levels}, {"f": 0.5}, {"f": (0.0, 1.0)})
    row = table.loc["f"]
    assert row["preferred"] == "a" and not row["switches"]
    assert math.isnan(row["below"]) and math.isnan(row["above"])
