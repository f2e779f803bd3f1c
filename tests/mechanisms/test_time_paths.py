"""Reforms and policy settings that change over time, at the level of the model.

A path whose values are all equal runs exactly as the fixed number; costs follow a reform's
path month by month; a later refresh changes a run only from the refresh month on; a
``policy`` path for accountability pressure equals the parameter when constant and, when it
rises, opens the reported–true gap. Paired seeds throughout (common random numbers).
"""

import numpy as np
import pandas as pd
import pytest
from conftest import assert_effect

from missionsim import MissionModel

SEEDS = (0, 1, 2, 3, 4, 5)


def frame(seed: int, steps: int = 36, **kwargs) -> pd.DataFrame:
    model = MissionModel(preset="small", rng=seed, **kwargs)
    model.run(steps)
    return model.datacollector.get_model_vars_dataframe()


def booked(frame_: pd.DataFrame) -> pd.Series:
    """Reform money booked each month (row ``m + 1`` holds month ``m``)."""
    return frame_["cost_department"] + frame_["cost_council"]


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_a_constant_path_runs_bit_for_bit_as_the_fixed_intensity(seed):
    fixed = {"mission_leadership": {"start": 3, "intensity": 0.8},
             "workforce_codesign": {"end": 20, "intensity": 1.5},
             "local_capacity": 2.0}
    constant = {"mission_leadership": {"start": 3, "intensity": [[0, 0.8], [24, 0.8]]},
                "workforce_codesign": {"end": 20, "intensity": [[10, 1.5]]},
                "local_capacity": {"intensity": [[0, 2.0], [6, 2.0], [30, 2.0]]}}
    pd.testing.assert_frame_equal(frame(seed, reforms=fixed), frame(seed, reforms=constant),
                                  check_exact=True)


def test_costs_follow_the_path_doubling_with_it_and_stopping_at_zero():
    path = [[0, 0.4], [11, 0.4], [12, 0.8], [23, 0.8], [24, 0.0]]
    for seed in SEEDS[:2]:
        on_path = booked(frame(seed, reforms={"local_capacity": {"intensity": path}}))
        fixed = booked(frame(seed, reforms={"local_capacity": 0.4}))
        first, window, after = slice(1, 13), slice(13, 25), slice(25, None)
        assert fixed.iloc[0] == 0 and (fixed.iloc[1:] > 0).all()  # row 0: before month 0
        np.testing.assert_array_equal(on_path.iloc[first], fixed.iloc[first])
        np.testing.assert_allclose(on_path.iloc[window], 2 * fixed.iloc[window], rtol=1e-12)
        assert (on_path.iloc[after] == 0).all()


def test_a_path_between_points_books_the_cost_of_each_month_s_intensity():
    on_path = booked(frame(0, steps=13, reforms={"local_capacity": {
        "intensity": [[0, 0.0], [12, 1.2]]}}))
    one = booked(frame(0, steps=13, reforms={"local_capacity": 1.0})).iloc[1]
    assert on_path.iloc[1] == 0  # month 0: intensity 0, the reform has not begun
    np.testing.assert_allclose(on_path.iloc[2:], one * np.arange(1, 13) / 10, rtol=1e-12)


def test_a_later_refresh_changes_the_run_only_from_the_refresh_month():
    fading = [[0, 1.0], [12, 0.4]]
    refreshed = [[0, 1.0], [12, 0.4], [23, 0.4], [24, 1.2]]  # month 24: a refresh
    for seed in SEEDS[:4]:
        a = frame(seed, steps=40, reforms={"local_capacity": {"intensity": fading},
                                           "civil_society_partnerships": {"intensity": fading}})
        b = frame(seed, steps=40, reforms={"local_capacity": {"intensity": refreshed},
                                           "civil_society_partnerships": {
                                               "intensity": refreshed}})
        pd.testing.assert_frame_equal(a.iloc[:25], b.iloc[:25], check_exact=True)
        later = slice(25, None)
        assert (a["council_capacity"].iloc[later] < b["council_capacity"].iloc[later]).all()
        assert not np.array_equal(a["outcome"].iloc[later], b["outcome"].iloc[later])


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_a_constant_policy_path_equals_setting_the_parameter(seed):
    by_param = frame(seed, params={"punitive_accountability": 0.3, "silo": 0.5},
                     reforms={"learning_accountability": {"start": 6, "intensity": 0.5}})
    by_path = frame(seed, policy={"punitive_accountability": [[0, 0.3], [18, 0.3]],
                                  "silo": 0.5},
                    reforms={"learning_accountability": {"start": 6, "intensity": 0.5}})
    pd.testing.assert_frame_equal(by_param, by_path, check_exact=True)


def test_raising_pressure_through_a_path_widens_the_gaming_gap_after_it_rises():
    rise = 12
    gaps = []
    for seed in SEEDS:
        steady = frame(seed, steps=36, params={"punitive_accountability": 0.3})
        raised = frame(seed, steps=36, policy={"punitive_accountability": [
            [0, 0.3], [rise, 0.3], [rise + 1, 0.9]]})
        # identical until the month the pressure rises (row m + 1 holds month m)
        pd.testing.assert_frame_equal(steady.iloc[:rise + 2], raised.iloc[:rise + 2],
                                      check_exact=True)
        gaps.append(raised["gaming_gap"].iloc[-12:].mean()
                    - steady["gaming_gap"].iloc[-12:].mean())
    assert_effect(np.asarray(gaps), +1)


def test_learning_accountability_scales_the_pressure_a_path_sets():
    path = {"punitive_accountability": [[0, 0.3], [6, 0.9]]}
    gaps = []
    for seed in SEEDS:
        without = frame(seed, steps=30, policy=path)
        learning = frame(seed, steps=30, policy=path, reforms={"learning_accountability": 1.0})
        gaps.append(learning["gaming_gap"].iloc[-12:].mean()
                    - without["gaming_gap"].iloc[-12:].mean())
    assert_effect(np.asarray(gaps), -1)
