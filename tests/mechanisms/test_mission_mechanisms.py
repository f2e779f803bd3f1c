"""What a mission file declares changes the run as it says: gameability, displacement, trend."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from missionsim.model.missions import MISSIONS, load_mission
from missionsim.model.model import MissionModel

SEEDS = range(4)
HORIZON = 30


def run(mission, seed, horizon=HORIZON, **params):
    model = MissionModel(preset="small", mission=mission, rng=seed, horizon=horizon,
                         params=params)
    model.run()
    return model.datacollector.get_model_vars_dataframe()


@pytest.mark.parametrize("name", ["early_years", "rough_sleeping"])
def test_gameability_zero_reports_the_true_value(name):
    honest = dataclasses.replace(MISSIONS[name], gameability=0.0)
    for seed in SEEDS:
        months = run(honest, seed, punitive_accountability=1.0)
        assert (months["outcome_reported"] == months["outcome"]).all()
        assert (months["gaming_gap"] == 0.0).all()
        gamed = run(MISSIONS[name], seed, punitive_accountability=1.0)
        assert (gamed["gaming_gap"].iloc[1:] > 0).all()  # the same world does game


def test_gameability_scales_the_gap_gaming_hides():
    gaps = {}
    for g in (0.25, 0.5, 1.0):
        mission = dataclasses.replace(MISSIONS["early_years"], gameability=g)
        gaps[g] = [run(mission, seed)["gaming_gap"].iloc[-1] for seed in SEEDS]
    for seed in range(len(SEEDS)):
        assert 0 < gaps[0.25][seed] < gaps[0.5][seed] < gaps[1.0][seed]


DISPLACE = {"share": 0.4, "to": "hidden", "case_cost": 20_000.0, "unit": "person"}


def test_displaced_cases_reappear_in_the_stock_for_a_count():
    mission = dataclasses.replace(MISSIONS["rough_sleeping"], displacement=DISPLACE)
    for seed in SEEDS:
        months = run(mission, seed)
        # every case reported as gone by moving it is in the stock, month by month
        np.testing.assert_allclose(months["displaced"], 0.4 * months["gaming_gap"],
                                   rtol=1e-12, atol=1e-9)
        assert months["displaced"].iloc[-1] > 0
        # and its cost is the stock at its declared cost a case-year
        # (from month 1: month 0 is the opening state, with no month's accounts yet)
        np.testing.assert_allclose(months["displacement_cost"].iloc[1:],
                                   months["displaced"].iloc[1:] * 20_000.0 / 12 / 1e6,
                                   rtol=1e-12)
        # moving cases changes the report, not what happens to people
        plain = run(MISSIONS["rough_sleeping"], seed)
        assert months["outcome"].equals(plain["outcome"])
        assert (plain["displaced"] == 0).all() and (plain["displacement_cost"] == 0).all()


def test_displaced_cases_of_a_rate_are_counted_in_people():
    mission = dataclasses.replace(MISSIONS["early_years"],
                                  displacement={**DISPLACE, "unit": "child", "per": 100.0})
    for seed in SEEDS:
        model = MissionModel(preset="small", mission=mission, rng=seed, horizon=HORIZON)
        model.run()
        months = model.datacollector.get_model_vars_dataframe()
        cohort = model.places.cohort.sum()
        np.testing.assert_allclose(months["displaced"].iloc[1:],
                                   0.4 * months["gaming_gap"].iloc[1:] * cohort / 100.0,
                                   rtol=1e-9)


def test_a_trend_moves_the_outcome_and_a_later_trend_only_after_it_starts():
    base = MISSIONS["early_years"]
    rising = dataclasses.replace(base, trend=((0, 1.0),))
    later = dataclasses.replace(base, trend=((0, 0.0), (17, 0.0), (18, 2.0)))
    for seed in SEEDS:
        plain = run(base, seed)["outcome"]
        up = run(rising, seed)["outcome"]
        assert up.iloc[-1] - plain.iloc[-1] > 0.2  # about a point a year, with a lag
        late = run(later, seed)["outcome"]
        assert late.iloc[:18].equals(plain.iloc[:18])
        assert late.iloc[-1] > plain.iloc[-1]


def test_a_falling_trend_works_against_a_lower_mission():
    base = MISSIONS["rough_sleeping"]
    worse = dataclasses.replace(base, trend=((0, -200.0),))  # 200 more people a year
    for seed in SEEDS:
        assert run(worse, seed)["outcome"].iloc[-1] > run(base, seed)["outcome"].iloc[-1]


def test_a_mission_file_runs_the_same_as_its_record(tmp_path):
    text = MISSIONS["rough_sleeping"].file
    path = tmp_path / "copy.toml"
    path.write_text(open(text, encoding="utf-8").read().replace(
        "title =", 'name = "rough_file"\ntitle ='), encoding="utf-8")
    from_file = run(str(path), 3)
    from_record = run(dataclasses.replace(load_mission(path)), 3)
    shipped = run("rough_sleeping", 3)
    assert from_file.equals(from_record) and from_file.equals(shipped)
