"""A world of real places: England's councils from the shipped places file, or a user's own."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from missionsim import MissionModel
from missionsim.experiments.runner import run
from missionsim.experiments.scenario import load_scenario
from missionsim.model.network import NEIGHBOUR
from missionsim.resources import data_path
from tests.scenario_files import error_of, write

SHIPPED = data_path("places", "england_councils_2018.csv")
FILE = pd.read_csv(SHIPPED)


@pytest.fixture(scope="module")
def councils() -> MissionModel:
    return MissionModel(preset="england_councils", rng=3)


def test_one_place_per_council_with_its_name_cohort_and_fsm_share(councils):
    pl = councils.places
    assert pl.n == 152 == councils.p["n_localities"]
    assert pl.names == tuple(FILE["la_name"]) and pl.codes == tuple(FILE["la_code"])
    np.testing.assert_array_equal(pl.cohort, FILE["cohort_2018"].to_numpy(float))
    assert pl.cohort.sum() == FILE["cohort_2018"].sum() == councils.p["cohort_total"]
    share = (FILE["fsm_cohort_2018"] / FILE["cohort_2018"]).to_numpy()
    known = ~np.isnan(share)
    np.testing.assert_allclose(pl.deprivation[known], share[known], rtol=1e-12)
    # a suppressed FSM count takes the national share, not zero
    national = np.average(share[known], weights=FILE["cohort_2018"][known])
    np.testing.assert_allclose(pl.deprivation[~known], national, rtol=1e-12)
    assert pl.name(0) == "City of London"
    assert MissionModel(preset="small", rng=3).places.name(4) == "Place 5"


def test_the_reformed_profile_keeps_councils_positions_at_the_national_level_and_spread(
        councils):
    pl, m = councils.places, councils.mission
    assert np.average(pl.y0, weights=pl.cohort) == pytest.approx(m.baseline, abs=1e-9)
    sd = np.sqrt(np.average((pl.y0 - m.baseline) ** 2, weights=pl.cohort))
    assert sd == pytest.approx(m.places["sd"], rel=1e-9)
    assert spearmanr(pl.y0, FILE["gld_2018"]).statistic == pytest.approx(1.0)


def test_the_first_profile_from_2016_starts_every_council_at_its_observed_value():
    model = MissionModel(preset="england_councils", mission="early_years_councils_2016", rng=1)
    np.testing.assert_array_equal(model.places.y0, FILE["gld_2016"].to_numpy(float))


def test_a_mission_without_a_places_column_draws_outcomes_from_the_real_deprivation():
    model = MissionModel(preset="england_councils", mission="rough_sleeping", rng=1)
    assert model.places.n == 152 and model.places.names[1] == "Camden"
    assert model.places.y0.sum() == pytest.approx(model.mission.baseline)


def neighbour_pairs(k: int) -> set[tuple[int, int]]:
    row = {code: i for i, code in enumerate(FILE["la_code"])}
    return {tuple(sorted((i, row[c]))) for i, listed in enumerate(FILE["statistical_neighbours"])
            for c in listed.split()[:k]}


@pytest.mark.parametrize("k", [10, 3, 0])
def test_statistical_neighbours_are_ties_between_councils_that_do_not_break(k):
    model = MissionModel(preset="england_councils", rng=2, params={"neighbour_ties": k})
    net, first = model.net, model.council_slot(0)

    def ties() -> set[tuple[int, int]]:
        mine = net.kind == NEIGHBOUR
        return {tuple(sorted((int(a) - first, int(b) - first)))
                for a, b in zip(net.u[mine], net.v[mine], strict=True)}

    assert ties() == neighbour_pairs(k)
    model.run(24)
    assert ties() == neighbour_pairs(k)
    kinds = {d["kind"] for _, _, d in model.partnerships.edges(data=True)}
    assert ("neighbour" in kinds) == (k > 0)


def test_stocktakes_weigh_the_shortfall_against_the_neighbours_mean():
    model = MissionModel(preset="england_councils", rng=4,
                         reforms={"mission_leadership": {"start": 0}})
    model.run(7)
    y = model.places.y
    nb = model.places.neighbours
    m = model.mission
    mean = np.array([y[row[row >= 0]].mean() for row in nb])
    expected = np.maximum(0.0, (mean - y) / abs(m.target - m.baseline))
    np.testing.assert_allclose(model.behind_neighbours(reported=False), expected, rtol=1e-12)
    assert (expected > 0).sum() > 20  # many councils trail their neighbours
    unit = model.mission_unit
    w = model.p["neighbour_benchmark_weight"]
    np.testing.assert_allclose(unit.behind(), (1 - w) * model.places_behind(reported=True)
                               + w * model.behind_neighbours(reported=True))
    assert not np.allclose(unit.behind(), model.places_behind(reported=True))
    drawn = MissionModel(preset="small", rng=4, reforms={"mission_leadership": {"start": 0}})
    drawn.run(7)
    assert not drawn.behind_neighbours(reported=True).any()
    np.testing.assert_array_equal(drawn.mission_unit.behind(),
                                  drawn.places_behind(reported=True))


def test_reach_starts_higher_where_take_up_is_higher_and_the_fsm_gap_narrower():
    with_data = MissionModel(preset="england_councils", rng=5)
    flat = MissionModel(preset="england_councils", rng=5,
                        params={"takeup_reach_weight": 0.0, "fsm_gap_reach_weight": 0.0})
    np.testing.assert_array_equal(flat.places.reach_factor, 1.0)
    factor = with_data.places.reach_factor
    takeup = FILE["takeup_2yo_2019"].to_numpy(float)
    gap = (FILE["gld_other_2018"] - FILE["gld_fsm_2018"]).to_numpy(float)
    both = ~np.isnan(takeup) & ~np.isnan(gap)
    # log factor is linear in the two z-scores: higher take-up raises it, a wider gap lowers it
    fit = np.linalg.lstsq(np.column_stack([takeup[both], gap[both], np.ones(both.sum())]),
                          np.log(factor[both]), rcond=None)[0]
    assert fit[0] > 0 > fit[1]
    assert 0.5 < factor.min() < 1.0 < factor.max() < 1.5


def test_the_file_sets_the_size_so_size_overrides_are_refused():
    with pytest.raises(ValueError, match=r"^parameter n_localities = 30: the places file sets "
                                         r"it \(152\)"):
        MissionModel(preset="england_councils", rng=1, params={"n_localities": 30})


REGION = FILE[FILE["la_code"].str.startswith("E09")].copy()  # London's boroughs


def region_file(tmp_path, frame: pd.DataFrame = REGION) -> None:
    keep = set(frame["la_code"])
    frame = frame.assign(statistical_neighbours=[
        " ".join(c for c in listed.split() if c in keep)
        for listed in frame["statistical_neighbours"]])
    frame.to_csv(tmp_path / "london.csv", index=False)


def test_a_scenario_brings_its_own_places_file(tmp_path):
    region_file(tmp_path)
    path = write(tmp_path / "london.toml", 'name = "london"\nhorizon = 12\n'
                 '[world]\npreset = "workshop"\nplaces = "london.csv"\n')
    scenario = load_scenario(path)
    result = run(scenario, replicate=0)
    places = result.places[result.places["at"] == "end"]
    assert list(places["name"]) == list(REGION["la_name"])
    assert places["cohort"].sum() == pytest.approx(REGION["cohort_2018"].sum())
    assert "with places london" in scenario.summary()
    before = scenario.digest()
    edited = REGION.copy()
    edited.loc[edited.index[0], "gld_2018"] = 50.0
    region_file(tmp_path, edited)
    assert load_scenario(path).digest() != before  # the digest covers the file's content


def test_a_bad_places_file_in_a_scenario_is_one_line_naming_the_file_and_row(tmp_path):
    bad = REGION.copy()
    bad.loc[bad.index[2], "gld_2018"] = 140.0
    region_file(tmp_path, bad)
    path = write(tmp_path / "london.toml", 'name = "london"\n[world]\nplaces = "london.csv"\n')
    message = error_of(path)
    assert message.startswith(f"{path}: world.places: ")
    assert "london.csv: row 4: gld_2018 = '140.0'; expected a number in [0, 100]" in message
    missing = write(tmp_path / "gone.toml", 'name = "gone"\n[world]\nplaces = "nowhere.csv"\n')
    assert "nowhere.csv: no such places file" in error_of(missing)
    sized = write(tmp_path / "sized.toml", 'name = "sized"\n[world]\nplaces = "london.csv"\n'
                  '[world.params]\nn_localities = 40\n')
    region_file(tmp_path)
    assert "n_localities = 40: the places file sets it (33)" in error_of(sized)
