"""The ECharts figures without a browser: options, data, the live run's charts, the network."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from missionsim.experiments.live import CHARITY, COUNCIL
from missionsim.experiments.scenario import load_scenario, shipped
from missionsim.ui import echarts, network
from missionsim.ui.live import LiveRun, base_scenario

MONTHS = 5
"""Months the live runs here are stepped."""


def short(name: str, horizon: int = 24) -> LiveRun:
    return LiveRun(load_scenario(shipped()[name]).with_changes(horizon=horizon), 0)


@pytest.fixture(scope="module")
def reformed() -> LiveRun:
    run = short("all_reforms")
    run.step(MONTHS)
    return run


def font_sizes(option: object) -> Iterator[float]:
    """Every ``fontSize`` set anywhere in an option."""
    if isinstance(option, dict):
        for key, value in option.items():
            if key == "fontSize":
                yield value
            else:
                yield from font_sizes(value)
    elif isinstance(option, list):
        for item in option:
            yield from font_sizes(item)


def series(figure: echarts.Figure) -> dict[str, list]:
    return {s["name"]: s["data"] for s in figure.option["series"] if "stack" not in s}


# --- the figures ----------------------------------------------------------------------------
def test_values_are_rounded_and_missing_ones_are_none():
    assert echarts.rounded([1.234567, np.nan, np.inf, -0.000123456]) == [1.235, None, None,
                                                                           -0.0001235]
    assert echarts.by_month([0, 2, 7], [1.0, np.nan, 3.0], 4) == [1.0, None, None, None]


def test_a_line_chart_is_json_with_readable_text_a_toolbox_and_its_data():
    lines = [echarts.Line("a", [0, 1, 2], [1.0, np.nan, 3.0], "#000000"),
             echarts.Line("b", [1, 2], [5.0, 6.0], "#ff0000", dash="dashed")]
    band = echarts.Band("a", [0, 1, 2], [0.5, 1.0, 2.0], [1.5, 2.0, 4.0], "#000000", 0.2)
    figure = echarts.line_figure("A <title>", lines, bands=[band], xmax=3, deadline=2)
    option = json.loads(json.dumps(figure.option, allow_nan=False))
    assert min(font_sizes(option)) >= echarts.FONT_SIZE
    assert set(option["toolbox"]["feature"]) == {"dataZoom", "restore", "saveAsImage"}
    assert option["tooltip"]["trigger"] == "axis"
    assert option["legend"]["data"] == ["a", "b"]
    # the band: its low edge, then its width stacked on it, both out of the tooltip
    low, width = (s for s in option["series"] if s.get("stack"))
    assert low["data"] == [0.5, 1.0, 2.0, None] and width["data"] == [1.0, 1.0, 2.0, None]
    assert low["tooltip"]["show"] is False and "areaStyle" in width
    assert series(figure)["a"] == [1.0, None, 3.0, None]
    assert option["series"][-1]["markLine"]["data"] == [{"xAxis": 2}]
    table = pd.read_csv(io.BytesIO(figure.csv()))
    assert list(table.columns) == ["month", "a", "b", "a low", "a high"]
    assert table["month"].tolist() == [0, 1, 2]
    assert table["b"].isna().tolist() == [True, False, False]


def test_the_run_without_reforms_is_drawn_only_up_to_the_current_month(reformed):
    figure = reformed.trajectory_chart()
    lines = series(figure)
    drawn = [y is not None for y in lines["without reforms"]]
    assert drawn == [m <= MONTHS for m in range(reformed.horizon + 1)]
    assert len(reformed.reference) == reformed.horizon + 1  # the table itself runs to the end
    assert None not in lines["target trajectory"]
    table = figure.table()
    assert table["without reforms"].notna().sum() == MONTHS + 1


@pytest.mark.parametrize("method", ["trajectory_chart", "workforce_chart", "finance_chart",
                                    "charities_chart", "network_chart"])
def test_every_live_chart_is_json_with_text_of_at_least_14_pixels(reformed, method):
    figure = getattr(reformed, method)()
    option = json.loads(json.dumps(figure.option, allow_nan=False))
    assert min(font_sizes(option)) >= echarts.FONT_SIZE
    assert "saveAsImage" in option["toolbox"]["feature"]
    assert len(figure.csv()) > 0


# --- the network ----------------------------------------------------------------------------
def test_the_places_view_has_a_node_a_place_and_adds_up_the_ties_between_places(reformed):
    frame = reformed.frame
    option = reformed.network_chart().option
    (graph,) = option["series"]
    assert [n["name"] for n in graph["data"]] == list(reformed.places.names)
    loc = frame.locality
    u, v = frame.tie_u, frame.tie_v
    cross = ((loc[u] >= 0) & (loc[v] >= 0) & (loc[u] != loc[v]) & frame.active[u]
             & frame.active[v])
    assert sum(link["value"] for link in graph["links"]) == int(cross.sum())
    pairs = {(link["source"], link["target"]) for link in graph["links"]}
    assert len(pairs) == len(graph["links"])  # one link a pair of places
    # size: deprivation, so the most deprived place has the biggest node
    sizes = [n["symbolSize"] for n in graph["data"]]
    assert int(np.argmax(sizes)) == int(np.argmax(frame.deprivation))
    # colour: on track or not
    on_track = [n["category"] == 0 for n in graph["data"]]
    assert on_track == (frame.behind <= 0).tolist()
    assert "deprivation" in graph["data"][0]["tooltip"]["formatter"]


def test_an_opened_place_names_its_organisations_and_the_trust_on_its_ties(reformed):
    frame = reformed.frame
    index = 2
    figure = reformed.network_chart(opened=index)
    (graph,) = figure.option["series"]
    names = {n["name"] for n in graph["data"]}
    place = reformed.places.names[index]
    assert f"{place} council" in names
    charities = np.flatnonzero((frame.locality == index) & (frame.kind == CHARITY)
                               & frame.active)
    assert sum(name.startswith(f"{place} charity ") for name in names) == charities.size
    mine = frame.locality == index
    ties = frame.active[frame.tie_u] & frame.active[frame.tie_v] & (
        mine[frame.tie_u] | mine[frame.tie_v])
    assert len(graph["links"]) == int(ties.sum())
    trust = sorted(round(float(t), 2) for t in frame.trust[ties])
    assert sorted(link["value"] for link in graph["links"]) == trust
    assert all("trust" in link["tooltip"]["formatter"] for link in graph["links"])
    table = figure.table()
    assert list(table.columns) == ["from", "to", "trust"] and len(table) == int(ties.sum())


def test_the_network_layout_is_fixed_per_world_and_names_are_derived_from_slots():
    a, b = short("baseline"), short("all_reforms")
    np.testing.assert_array_equal(a.layout.places, b.layout.places)
    first = {n["id"]: tuple(n["value"]) for n in
             a.network_chart(opened=1).option["series"][0]["data"]}
    a.step(12)
    later = {n["id"]: tuple(n["value"]) for n in
             a.network_chart(opened=1).option["series"][0]["data"]}
    assert all(first[k] == later[k] for k in first.keys() & later.keys())
    lay = a.layout
    council = int(np.flatnonzero((lay.kind == COUNCIL) & (lay.locality == 1))[0])
    assert network.organisation_name(council, lay, a.places.names) == ("Place 2 council",
                                                                        "council")
    assert network.organisation_name(0, lay, a.places.names)[1] == "government department"


def test_the_england_network_is_one_node_a_council():
    run = LiveRun(base_scenario("world: england_councils").with_changes(horizon=12), 0)
    (graph,) = run.network_chart().option["series"]
    assert len(graph["data"]) == len(run.places.names) == 152
    assert len(json.dumps(graph)) < 200_000  # sent at every frame of a play


# --- the panel ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def figure_module():
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    from missionsim.ui import figure

    return figure


def test_a_chart_that_fails_to_build_shows_one_line(figure_module):
    def broken() -> echarts.Figure:
        raise KeyError("staff_morale")

    built, message = figure_module.guarded(broken, "workforce")
    assert built is None and message.count("\n") == 0
    assert "The workforce panel could not be drawn" in message and "staff_morale" in message


def test_the_charts_draw_svg_and_a_download_is_equal_from_frame_to_frame(figure_module,
                                                                        reformed):
    assert "renderer: 'svg'" in figure_module.SVG_TEMPLATE
    a = figure_module.Csv(reformed, "trajectory_chart")
    assert a == figure_module.Csv(reformed, "trajectory_chart")
    assert a().startswith(b"month,target trajectory,without reforms,reported,true")
