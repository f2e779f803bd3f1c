"""Historical episodes (scenarios/history/): every file validates and runs in reduced form, every
observed series reads with a source a row, and the held-out episodes run without any refit and
report every check, misses included (`missionsim docs validation` runs them at full size)."""

from __future__ import annotations

import math
from functools import cache

import pytest

from missionsim import resources
from missionsim.analysis import observed, validation
from missionsim.analysis.series import read_series
from missionsim.experiments.options import RunOptions
from missionsim.experiments.runner import run
from missionsim.experiments.scenario import load_scenario, shipped
from missionsim.model.missionfile import FIGURES
from missionsim.model.missions import MISSIONS
from missionsim.model.params import PARAMETERS
from missionsim.writeup import validation as page_writer

HISTORY = resources.data_path("scenarios", "history")
SCENARIOS = sorted(HISTORY.glob("*.toml"))
SERIES = sorted(HISTORY.glob("*.observed.csv"))
REDUCED_HORIZON = 4
"""Months each history scenario runs for in the reduced check (its reforms start later are
run until they have started)."""


@cache
def held_out(key: str) -> validation.Pattern:
    return validation.HELD_OUT[key](replicates=2, options=RunOptions(workers=1))


def test_the_history_folder_holds_the_episodes():
    names = {p.stem for p in SCENARIOS}
    assert {"early_years_first_profile", "early_years_first_profile_squeeze",
            "rough_sleeping_1998", "rough_sleeping_1998_without_unit"} <= names
    assert len(observed.observed().held_out) >= 2
    # shipped by name like any other scenario, from the sub-folder
    for path in SCENARIOS:
        assert shipped()[path.stem] == path
    readme = (HISTORY / "README.md").read_text(encoding="utf-8")
    for path in [*SCENARIOS, *SERIES]:
        assert f"`{path.name}`" in readme, f"history/README.md does not list {path.name}"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_history_scenario_validates_and_runs_reduced(path):
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    mission = scenario.mission_record()
    assert mission.name in MISSIONS and all(mission.sources.get(f) for f in FIGURES)
    horizon = max([REDUCED_HORIZON, *(s["start"] + 1
                                      for s in scenario.reform_settings().values())])
    out = run(scenario.with_changes(horizon=horizon, replicates=1), seed=1)
    assert out.months["month"].tolist() == list(range(horizon + 1))
    assert math.isfinite(out.run["outcome_end"])


@pytest.mark.parametrize("path", SERIES, ids=lambda p: p.name)
def test_every_observed_series_reads_with_a_source_a_row(path):
    table = read_series(path).table
    assert (table["source"].str.strip() != "").all(), path.name
    assert (table["date"].str.strip() != "").all(), path.name
    # it belongs to the scenario beside it, whose horizon covers it
    scenario = load_scenario(HISTORY / path.name.replace(".observed.csv", ".toml"))
    assert table["month"].max() <= scenario.horizon


def test_every_episode_names_existing_files_and_the_held_out_ones_are_not_fitted():
    seen = observed.observed()
    named = set()
    for key, episode in {**seen.patterns, **seen.held_out}.items():
        named.update(episode.scenarios)
        if episode.observed is not None:
            assert (HISTORY / episode.observed).is_file(), key
    for key, episode in seen.held_out.items():
        assert seen.fitted_to(key) == [], f"{key} is held out but a parameter is fitted to it"
        assert all((HISTORY / f"{s}.toml").is_file() for s in episode.scenarios), key
        assert set(episode.cited) <= set(PARAMETERS)
    # every history scenario is run by a pattern or an episode
    assert {p.stem for p in SCENARIOS} <= named
    assert set(seen.held_out) == set(validation.HELD_OUT)


def test_the_held_out_missions_give_a_source_for_every_figure_and_fit_nothing():
    seen = observed.observed()
    for episode in seen.held_out.values():
        for name in episode.scenarios:
            mission = load_scenario(shipped()[name]).mission_record()
            assert mission.file.startswith(str(resources.data_path("missions")))
            for figure, source in mission.sources.items():
                assert source.strip(), (mission.name, figure)
                # a value fitted elsewhere may be reused, never fitted to this episode
                assert "fitted" not in source or "not refitted" in source or (
                    "not fitted" in source), (mission.name, figure, source)


@pytest.mark.parametrize("key", sorted(validation.HELD_OUT))
def test_a_held_out_episode_runs_and_reports_every_check(key):
    p = held_out(key)
    seen = observed.observed().held_out[key]
    assert p.key == key and p.held_out and p.title == seen.title
    assert len(p.checks) >= 3
    for c in p.checks:
        assert c.model and c.observed and c.tolerance and c.difference, c
        assert isinstance(c.ok, bool)
    # each observed value with a tolerance is a check (C1's observed data is its places file)
    if seen.observed is not None:
        table = observed.series(str(seen.observed)).table
        rows = table.dropna(subset=["tolerance"])
        assert sum(f"(month {m})" in c.label for m in rows["month"]
                   for c in p.checks) >= len(rows)
    assert p.notes and p.tables["observed"] is not None


def test_h1_compares_the_reported_true_gap_under_the_target_regime():
    p = held_out("H1")
    gaps = [c for c in p.checks if c.label.startswith("reported minus true")]
    assert {c.observed.split(" pp")[0] for c in gaps} == {"8", "19"}
    # gaming opens the gap as the pressure rises
    gap = (p.tables["reported"] - p.tables["true"]).mean(axis=1)
    assert gap.iloc[-1] > gap.iloc[0] > 0
    assert any("gaming_strength" in n for n in p.notes)


def test_h2_runs_g3s_world_unchanged_with_the_squeeze():
    p = held_out("H2")
    scenario = validation.scenario("rough_sleeping_2010_squeeze")
    assert scenario.mission_record().world == MISSIONS["rough_sleeping"].world
    assert scenario.world.params["core_funding_trend"] == pytest.approx(
        validation.scenario("early_years_first_profile_squeeze").world.params[
            "core_funding_trend"])
    count = p.tables["count"]
    assert set(count.columns.get_level_values(0)) == {
        scenario.name, f"{scenario.name}_without_squeeze", f"{scenario.name}_steeper"}
    assert any("cannot reach" in n for n in p.notes)


def test_the_page_reports_the_misses_of_the_held_out_episodes():
    patterns = {key: held_out(key) for key in validation.HELD_OUT}
    images = {key: f"images/validation-{key.lower()}.png" for key in patterns}
    text = page_writer.render(patterns, images, 1.0, "missionsim docs validation --quick", 2)
    assert "## Held-out episodes" in text and "without any refit" in text
    for p in patterns.values():
        assert f"## {p.key}: {p.title}" in text
        for c in p.checks:
            verdict = "within" if c.ok else "**miss**"
            assert (f"| {c.label} | {c.model} | {c.observed} | {c.tolerance} | {c.difference} "
                    f"| {verdict} |") in text
