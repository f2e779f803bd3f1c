"""The Explore page's place view without a browser: names, neighbours, each place's path."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from missionsim import MissionModel
from missionsim.experiments.live import PlaceFacts
from missionsim.resources import data_path
from missionsim.ui import places, svg
from missionsim.ui.live import LiveRun, base_scenario

SVG = "{http://www.w3.org/2000/svg}"
COUNCILS = pd.read_csv(data_path("places", "england_councils_2018.csv"))
MONTHS = 14
"""Months the live runs here are stepped: enough for a line of several points, quick to run."""


PATH_HORIZON = 48
"""Months of the models whose trajectories are checked: past the deadlines of the missions
checked (36 and 45 months)."""


def live(choice: str, horizon: int = 48) -> LiveRun:
    return LiveRun(base_scenario(choice).with_changes(horizon=horizon), 0)


@pytest.fixture(scope="module")
def councils() -> LiveRun:
    run = live("world: england_councils")
    run.step(MONTHS)
    return run


@pytest.fixture(scope="module")
def drawn() -> LiveRun:
    run = live("world: workshop")
    run.step(MONTHS)
    return run


def file_neighbours(name: str) -> list[str]:
    by_code = dict(zip(COUNCILS["la_code"], COUNCILS["la_name"], strict=True))
    row = COUNCILS[COUNCILS["la_name"] == name].iloc[0]
    return [by_code[code] for code in row["statistical_neighbours"].split()]


def test_places_are_named_councils_or_place_n_on_a_drawn_world(councils, drawn):
    assert councils.places.names == tuple(COUNCILS["la_name"])
    assert drawn.places.names == tuple(f"Place {i + 1}" for i in range(30))
    blackpool = places.place_index(councils.places, "Blackpool")
    assert blackpool == COUNCILS.index[COUNCILS["la_name"] == "Blackpool"][0]
    assert places.place_index(drawn.places, "Blackpool") is None
    assert places.place_index(drawn.places, None) is None
    assert places.place_index(drawn.places, "Place 3") == 2


@pytest.mark.parametrize("choice", ["world: england_councils", "world: workshop"])
def test_each_month_of_every_place_is_kept_in_the_snapshot(choice):
    run = live(choice, horizon=6)
    model = run.source.model
    rows = [model.places.y.copy()]
    assert run.step(2) == 2  # two months in one call: both are kept
    first = run.frame
    for _ in range(4):
        run.step(1)
    # a model built and stepped the same way, month by month
    twin = live(choice, horizon=6).source.model
    for _ in range(6):
        twin.step()
        rows.append(twin.places.y.copy())
    latest = run.frame
    assert latest.outcomes.shape == (7, model.places.n)
    np.testing.assert_array_equal(latest.outcomes, np.array(rows))
    np.testing.assert_array_equal(latest.outcomes[-1], model.places.y)
    np.testing.assert_array_equal(latest.outcomes[0], run.places.start)
    assert not latest.outcomes.flags.writeable
    assert first.outcomes.shape == (3, model.places.n)  # an old snapshot keeps its months
    np.testing.assert_array_equal(first.outcomes, latest.outcomes[:3])


@pytest.mark.parametrize("preset, mission", [("england_councils", "early_years"),
                                             ("workshop", "rough_sleeping"),
                                             ("england_councils", "rough_sleeping")])
def test_a_places_path_is_the_models_own_trajectory_for_it(preset, mission):
    model = MissionModel(preset=preset, mission=mission, rng=2, horizon=PATH_HORIZON)
    deadline = model.mission.deadline
    months = np.arange(PATH_HORIZON + 1)
    facts = PlaceFacts.take(model, PATH_HORIZON)
    paths = np.array([places.place_path(facts, i, months) for i in range(model.places.n)])
    for month in (0, 1, 7, deadline - 1, deadline, deadline + 1):
        while model.month < month:
            model.step()
        np.testing.assert_allclose(paths[:, month], model.place_trajectory(), rtol=1e-12)
    # straight to the deadline, flat after
    assert np.allclose(paths[:, deadline:], paths[:, [deadline]])


def test_a_councils_neighbours_are_those_of_the_places_file_and_compared_with_it(councils):
    i = places.place_index(councils.places, "Blackpool")
    rows = councils.neighbours(i)
    assert [r.name for r in rows] == file_neighbours("Blackpool")
    now = councils.frame.outcomes[-1]
    own = now[i]
    for r in rows:
        j = councils.places.names.index(r.name)
        assert r.now == f"{now[j]:.1f}%"
        if r.compared == places.AHEAD:
            assert now[j] > own
        elif r.compared == places.BEHIND:
            assert now[j] < own
        else:
            assert r.now == f"{own:.1f}%"
    markup = places.neighbours_markup(rows, "Blackpool", councils.mission)
    table = ET.fromstring(f"<div>{markup}</div>")
    assert [td.text for td in table.iter("td") if td.get("class") == "ms-neighbour-name"] == \
        file_neighbours("Blackpool")
    assert "compared with Blackpool" in markup


def test_a_count_mission_compares_neighbours_on_their_change_since_month_0():
    run = live("mission: rough_sleeping")
    run.step(MONTHS)
    assert run.places.neighbours is None  # the mission's own world is drawn
    facts = run.places
    start = facts.start
    now = run.frame.outcomes[-1]
    neighbours = np.array([[1, 2, -1], [0, 2, -1], [0, 1, -1]] + [[-1] * 3] * (start.size - 3))
    rows = places.neighbour_rows(PlaceFacts(facts.names, neighbours, start, facts.paths), now, 0,
                                 run.mission)
    assert [r.name for r in rows] == ["Place 2", "Place 3"]
    for r, j in zip(rows, (1, 2), strict=True):
        assert r.since_start == f"{now[j] / start[j] - 1:+.0%}"
        if r.compared != places.LEVEL:  # fewer people sleeping rough, relative to its start
            ahead = now[j] / start[j] < now[0] / start[0]
            assert r.compared == (places.AHEAD if ahead else places.BEHIND)


def test_a_drawn_world_says_it_has_no_statistical_neighbours(drawn):
    assert drawn.places.neighbours is None
    assert drawn.neighbours(2) is None
    markup = places.neighbours_markup(None, "Place 3", drawn.mission)
    assert "no statistical neighbours" in markup and "<table>" not in markup


@pytest.mark.parametrize("run_name", ["councils", "drawn"])
def test_the_place_chart_draws_its_outcome_so_far_against_its_own_trajectory(run_name,
                                                                            request):
    run: LiveRun = request.getfixturevalue(run_name)
    option = run.place_chart(4).option
    assert option["title"]["text"].startswith(f"{run.places.names[4]}: ")
    lines = {s["name"]: s["data"] for s in option["series"]}
    drawn = [y is not None for y in lines["true"]]
    assert drawn == [m <= MONTHS for m in range(run.horizon + 1)]  # month 0 to now, no more
    assert None not in lines["its own trajectory"]
    assert lines["true"][0] == pytest.approx(lines["its own trajectory"][0], rel=1e-3)
    assert "its own trajectory" in option["legend"]["data"]
    assert run.place_summary(4).startswith(f"{run.places.names[4]} at month {MONTHS}: ")


@pytest.mark.parametrize("run_name", ["councils", "drawn"])
def test_every_tile_names_its_place_and_the_picked_one_is_outlined(run_name, request):
    run: LiveRun = request.getfixturevalue(run_name)
    root = ET.fromstring(run.places_svg(picked=3))
    titles = [r.find(f"{SVG}title").text for r in root.iter(f"{SVG}rect")
              if r.find(f"{SVG}title") is not None]
    assert sorted(t.split(": deprivation")[0] for t in titles) == sorted(run.places.names)
    picked = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "picked"]
    assert len(picked) == 1 and picked[0].get("stroke") == svg.PICKED_COLOUR
    assert not any(r.get("class") == "picked" for r in
                   ET.fromstring(run.places_svg()).iter(f"{SVG}rect"))
