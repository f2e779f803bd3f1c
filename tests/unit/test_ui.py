"""The browser app's parts that need no browser: charts, the live run, settings, the server."""

from __future__ import annotations

import dataclasses
import importlib
import json
import logging
import os
import socket
import sys
import threading
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from missionsim.cli import main
from missionsim.experiments import runner
from missionsim.experiments.live import Snapshot, reference
from missionsim.experiments.scenario import Scenario, ScenarioError, load_scenario, shipped
from missionsim.model.reforms import REFORMS
from missionsim.ui import explain, server, svg
from missionsim.ui.live import LiveRun, Settings, base_scenario, choices, reform_bounds
from missionsim.ui.network import layout

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def short(name: str = "baseline", horizon: int = 24, **changes) -> Scenario:
    return load_scenario(shipped()[name]).with_changes(horizon=horizon, **changes)


# --- charts ------------------------------------------------------------------------------
def test_tiles_colour_places_by_status_and_outline_the_most_deprived_tenth():
    behind = np.array([0.0, 0.1, 0.5, 0.0, 0.3, 0.0, 0.2, 0.9, 0.0, 0.0, 0.4, 0.0])
    dep = np.linspace(0, 1, behind.size)
    root = parse(svg.tiles(behind, dep, "Places"))
    places = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(places) == behind.size
    fills = [r.get("fill") for r in places]
    assert fills.count(svg.STATUS_COLOURS[0]) == int(np.sum(behind <= 0))
    assert fills.count(svg.STATUS_COLOURS[2]) == int(np.sum(behind >= 0.25))
    outlined = [r for r in places if r.get("stroke-width") == "2.5"]
    assert len(outlined) == max(1, behind.size // 10)
    assert "deprivation 1.00" in outlined[-1].find(f"{SVG}title").text


# --- settings and choices -------------------------------------------------------------------
def test_choices_are_the_shipped_scenarios_and_the_presets():
    assert set(shipped()) <= set(choices())
    assert "world: england" in choices()
    assert base_scenario("world: england").world.preset == "england"


def test_choices_offer_every_shipped_mission():
    from missionsim.model.missions import MISSIONS

    for name, mission in MISSIONS.items():
        scenario = base_scenario(f"mission: {name}")
        assert scenario.mission == name and not scenario.reform_settings()
        assert scenario.horizon >= mission.deadline
    with pytest.raises(ScenarioError, match="expected one of"):
        base_scenario("mission: ../../missions/x.toml")


@pytest.mark.parametrize("choice", ["../../etc/passwd", "scenarios/baseline.toml",
                                    "/work/main/scenarios/baseline.toml", "world: mars",
                                    "mission: mars", ""])
def test_a_choice_outside_the_list_is_refused_never_read_as_a_path(choice):
    with pytest.raises(ScenarioError, match="expected one of"):
        base_scenario(choice)


def test_settings_reproduce_a_shipped_scenario_exactly():
    for name in ("baseline", "mission_ready", "rough_sleeping_1998"):
        scenario = Settings.start(name).scenario()
        original = load_scenario(shipped()[name])
        assert scenario.digest() == original.digest()
        assert scenario.name == original.name


def test_settings_changes_are_validated_by_the_scenario_rules():
    s = Settings.start("baseline")
    on = s.with_reform("devolution", on=True, intensity=0.5, start=12)
    assert on.scenario().reform_settings()["devolution"] == {"start": 12, "end": None,
                                                             "intensity": 0.5}
    assert on.scenario().name == "baseline (edited)"
    with pytest.raises(ScenarioError, match="intensity"):
        s.with_reform("devolution", on=True, intensity=1.5).scenario()
    with pytest.raises(ScenarioError, match="labour_market_tightness"):
        s.with_param("labour_market_tightness", 99.0).scenario()
    off = Settings.start("mission_ready").with_reform("mission_leadership", on=False)
    assert "mission_leadership" not in off.scenario().reform_settings()


def test_reform_bounds_come_from_the_scenario_definitions():
    assert reform_bounds(120) == {"intensity": (0.0, 10.0), "start": (0, 119)}
    assert reform_bounds(120, "devolution")["intensity"] == (0.0, 1.0)
    assert reform_bounds(120, "local_capacity")["intensity"] == (0.0, 3.0)


# --- the live run --------------------------------------------------------------------------
def test_live_run_is_run_r_of_the_cli_study():
    scenario = short("devolution", horizon=18)
    live = LiveRun(scenario, replicate=2)
    assert live.step(5) == 5
    assert live.step(100) == 18 and live.finished
    assert live.step(1) == 18
    expected = runner.execute_run(runner.spec_for(scenario, 2)).months
    got = live.history()
    pd.testing.assert_frame_equal(got.reset_index(drop=True),
                                  expected[got.columns].reset_index(drop=True))


def test_reference_is_the_same_world_without_reforms():
    scenario = short("all_reforms", horizon=18)
    live = LiveRun(scenario, replicate=1)
    bare = LiveRun(short("baseline", horizon=18), replicate=1)
    bare.step(18)
    assert live.reference is not None and bare.reference is None
    np.testing.assert_array_equal(live.reference["outcome"].to_numpy(),
                                  bare.history()["outcome"].to_numpy())
    assert reference(scenario, 1) is live.reference  # cached for every session


def test_layout_is_fixed_by_the_world_not_the_run():
    a = LiveRun(short("baseline"), 0)
    b = LiveRun(short("all_reforms"), 0)
    np.testing.assert_array_equal(a.layout.places, b.layout.places)
    a.step(24)
    np.testing.assert_array_equal(layout(a.frame).places, b.layout.places)
    pos = a.layout.places
    assert np.all((pos >= 0) & (pos <= 1))
    assert len(np.unique(pos.round(6), axis=0)) == len(pos)  # every place has its own spot


def test_drawings_follow_the_model():
    live = LiveRun(short("baseline"), 0)
    live.step(6)
    head = live.headline()
    assert head["month"] == 6
    model = live.source.model
    active = int(model.orgs.active.sum())
    nodes = live.network_chart().option["series"][0]["data"]
    assert len(nodes) == model.places.n  # one node a place
    opened = live.network_chart(opened=0).option["series"][0]["data"]
    local = (model.orgs.locality == 0) & model.orgs.active
    assert sum(1 for n in opened if n["place"] == 0) == int(local.sum())
    assert active > int(local.sum())
    places = parse(live.places_svg())
    on_track = int(np.count_nonzero(model.places_behind(reported=False) <= 0))
    assert f"{on_track} of {model.places.n}" in places.get("aria-label")
    for figure in (live.trajectory_chart(), live.workforce_chart(), live.finance_chart(),
                   live.charities_chart()):
        json.dumps(figure.option, allow_nan=False)  # what the browser is sent
        assert len(figure.table()) >= head["month"]


SNAPSHOT_ARRAYS = ("behind", "deprivation", "active", "kind", "locality", "filled", "tie_u",
                   "tie_v", "trust", "outcomes")


def test_each_step_publishes_a_frozen_snapshot_that_later_steps_leave_alone():
    live = LiveRun(short("baseline"), 0)
    first = live.frame
    assert first.month == 0 and len(first.history) == 1
    assert live.step(3) == 3
    latest = live.frame
    assert latest is not first and latest.month == 3 and len(latest.history) == 4
    assert first.month == 0 and len(first.history) == 1
    assert live.headline(first)["month"] == 0 and live.headline()["month"] == 3
    for name in SNAPSHOT_ARRAYS:
        array = getattr(latest, name)
        assert not array.flags.writeable, name
    assert not np.shares_memory(latest.tie_u, live.source.model.net.u)
    assert not np.shares_memory(latest.active, live.source.model.orgs.active)
    with pytest.raises(dataclasses.FrozenInstanceError):
        latest.month = 9
    with pytest.raises(TypeError):
        latest.headline["month"] = 9
    live.step(100)
    finished = live.frame
    assert live.step(1) == 24 and live.frame is finished  # nothing to step: no new snapshot


READ_HORIZON = 60
"""Months the stepping thread runs while the test reads."""

SWITCH_S = 1e-5
"""Thread switch interval during the test: far shorter than Python's 5 ms default, so the
reader runs in the middle of steps (a read of the model itself would fail at once)."""

MIN_READS = 50
"""Reads made however quickly the stepping thread finishes."""


def test_reads_while_another_thread_steps_are_consistent():
    live = LiveRun(short("baseline", horizon=READ_HORIZON), 0)
    failures: list[BaseException] = []
    done = threading.Event()

    def stepper() -> None:
        try:
            while not live.finished:
                live.step(1)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)
        finally:
            done.set()

    previous = sys.getswitchinterval()
    thread = threading.Thread(target=stepper)
    sys.setswitchinterval(SWITCH_S)
    reads = 0
    try:
        thread.start()
        while not done.is_set() or reads < MIN_READS:
            frame = live.frame
            history = live.history(frame)
            assert len(history) == frame.month + 1
            assert int(history["month"].iloc[-1]) == frame.month
            assert live.headline(frame)["month"] == frame.month
            net = live.network_chart(frame).option
            assert f"month {frame.month}" in net["title"]["text"]
            opened = live.network_chart(frame, 0).option["series"][0]["data"]
            local = (frame.locality == 0) & frame.active
            assert sum(1 for n in opened if n["place"] == 0) == int(local.sum())
            assert f"(month {frame.month})" in parse(live.places_svg(frame)).get("aria-label")
            assert len(frame.outcomes) == frame.month + 1
            true = live.place_chart(0, frame).option["series"][-1]
            drawn = [y for y in true["data"] if y is not None]
            assert true["name"] == "true" and len(drawn) == frame.month + 1
            # and the latest snapshot, read call by call as benchmarks/ui.py does
            live.headline()
            for draw in (live.trajectory_chart, live.workforce_chart, live.finance_chart,
                         live.charities_chart, live.network_chart):
                json.dumps(draw().option, allow_nan=False)
            parse(live.places_svg())
            reads += 1
    finally:
        sys.setswitchinterval(previous)
        thread.join()
    assert failures == []
    assert live.month == READ_HORIZON and len(live.history()) == READ_HORIZON + 1


@pytest.fixture(scope="module")
def explore():
    """The Explore page's module (it imports Solara: telemetry off first)."""
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    return importlib.import_module("missionsim.ui.explore")


def test_a_panel_that_fails_shows_one_line_and_logs_a_warning(explore, caplog):
    def broken() -> str:
        raise IndexError("boolean index did not match\nindexed array")

    with caplog.at_level(logging.WARNING, logger=explore.log.name):
        markup = explore.panel_markup(broken, "network")
    assert markup.count("\n") == 0 and 'class="ms-panel-failed"' in markup
    assert "The network panel could not be drawn" in markup
    assert "IndexError: boolean index did not match indexed array" in markup
    assert "drawing the network panel failed" in caplog.text
    assert caplog.records[-1].levelno == logging.WARNING and caplog.records[-1].exc_info
    assert explore.panel_markup(lambda: "<svg/>", "network") == "<svg/>"


def test_a_failing_chart_leaves_the_headline_and_the_other_charts_on_the_page(explore):
    import solara

    from missionsim.ui.figure import SvgEcharts

    live = LiveRun(short("baseline"), 0)
    live.step(2)

    def broken(frame: Snapshot | None = None, opened: int | None = None) -> str:
        raise ValueError("All arrays must be of the same length")

    live.network_chart = broken

    @solara.component
    def Page():
        version = solara.use_reactive(0)
        place = solara.use_reactive("Place 2")
        explore.LiveView(live, version, place)

    _, rc = solara.render(Page(), handle_error=False)
    try:
        panels = {(w.attributes or {}).get("class", "").split(" ")[-1]: w.unsafe_innerHTML
                  for w in rc.find(solara.widgets.HTML).widgets}
        charts = [json.loads(w.option_json) for w in rc.find(SvgEcharts).widgets]
        failed = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets
                  if "could not be drawn" in w.unsafe_innerHTML]
    finally:
        rc.close()
    assert "Month 2 of 24" in panels["ms-headline"]
    assert len(failed) == 1 and "The network panel could not be drawn" in failed[0]
    assert "All arrays must be of the same length" in failed[0]
    # trajectory, workforce, finance, charities and the picked place: each drawn
    assert len(charts) == 5 and all(chart["series"] for chart in charts)
    assert panels["ms-chart-places"].startswith("<svg")
    assert "no statistical neighbours" in panels["ms-place-neighbours"]


# --- the Explain page's source -------------------------------------------------------------
def test_explain_reads_every_reform_from_the_model_document():
    parts = explain.content()
    names = [row["name"].strip("`") for row in parts["reforms"]]
    assert sorted(names) == sorted(REFORMS)
    for row in parts["reforms"]:
        cls = REFORMS[row["name"].strip("`")]
        assert row["title"] == cls.title
    assert "Frontline staff" in parts["brief"]
    assert "<table>" in explain.to_html(str(parts["sources"]))


# --- the server ----------------------------------------------------------------------------
def test_server_binds_to_loopback_with_telemetry_off_and_no_outside_assets():
    argv = server.command()
    assert argv[argv.index("--host") + 1] == "127.0.0.1"
    env = server.environment()
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert server.is_loopback(env["SOLARA_ASSETS_CDN"].split("/")[2].split(":")[0])
    assert server.is_loopback("127.0.0.1") and server.is_loopback("localhost")
    assert not server.is_loopback("0.0.0.0")


def test_a_port_in_use_or_a_bad_host_is_refused_in_one_line(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(server.ServeError, match=f"--port {port}: already in use"):
            server.check_address("127.0.0.1", port)
        assert main(["ui", "--port", str(port)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "already in use" in err
    with pytest.raises(server.ServeError, match="--host"):
        server.check_address("no-such-host.invalid", 8765)
    assert main(["ui", "--port", "70000"]) == 2


# --- where a reform acts --------------------------------------------------------------------
def test_every_target_choice_is_a_valid_reform_target():
    from missionsim.model.reforms.targeting import Target
    from missionsim.ui.live import NAMED, TARGET_CHOICES, target_table

    for where in TARGET_CHOICES:
        table = target_table(where, ("Place 1",))
        if table is not None:
            Target.parse(table, where)  # raises on a bad table
    assert target_table(NAMED, ()) is None  # nothing picked yet: every place


def test_the_explore_target_controls_reach_the_model():
    from missionsim.ui.live import NAMED

    start = Settings.start("world: workshop").with_reform("workforce_codesign", on=True)
    aimed = start.with_target("workforce_codesign", "the most deprived half")
    assert aimed.scenario().reform_settings()["workforce_codesign"]["target"] == {
        "deprivation_deciles": [6, 7, 8, 9, 10]}
    named = aimed.with_target("workforce_codesign", NAMED, ("Place 3", "Place 7"))
    run = LiveRun(named.scenario(), named.replicate)
    run.step(1)
    reached = run.source.model.reforms[0].places
    assert reached.tolist() == [i in (2, 6) for i in range(reached.size)]
    back = named.with_target("workforce_codesign", "every place")
    assert "target" not in back.scenario().reform_settings()["workforce_codesign"]
    assert dataclasses.replace(named, replicate=3).targets == named.targets


def test_a_file_s_own_target_is_kept_until_changed():
    from missionsim.ui.live import AS_FILE

    data = {"name": "aimed", "reforms": {"devolution": {"target": {"capacity_above": 0.55}}}}
    scenario = Scenario.from_mapping(data, source="aimed.toml")
    rows = scenario.reforms
    assert rows["devolution"].target == {"capacity_above": 0.55}
    from missionsim.ui import live as live_module

    settings = Settings(choice="x", reforms=live_module._reform_rows(scenario),
                        targets=live_module._target_rows(scenario))
    assert settings.target_of("devolution") == (AS_FILE, ())
