"""Pattern-oriented validation (CALIBRATION §G), reduced: fewer replicates than the documented
full run (`missionsim docs validation`, which writes docs/validation.md with the figures)."""

from __future__ import annotations

from functools import cache

import pytest

from missionsim import resources
from missionsim.analysis import calibration, observed, validation
from missionsim.analysis.datafiles import DataFileError
from missionsim.experiments.options import RunOptions
from missionsim.writeup import validation as page_writer
from missionsim.writeup.docs import DocSettings


@cache
def pattern(key: str) -> validation.Pattern:
    sizes = {"G1": {"replicates": 2}, "G1s": {"replicates": 2}, "G2": {"replicates": 8},
             "G3": {"replicates": 2, "options": RunOptions(workers=1)},
             "G4": {"replicates": 4}}
    return validation.PATTERNS[key](**sizes[key])


def failing(p: validation.Pattern, labels=None) -> list[str]:
    return [f"{c.label}: model {c.model}, observed {c.observed} ({c.tolerance})"
            for c in p.checks if not c.ok and (labels is None or c.label in labels)]


@pytest.mark.parametrize("key", ["G1", "G1s", "G2", "G4"])
def test_pattern_is_reproduced(key):
    p = pattern(key)
    assert len(p.checks) >= 3
    assert failing(p) == []


def test_g1_model_series_follows_the_first_profile_year_by_year():
    p = pattern("G1")
    national = p.tables["national"].mean()
    seen = observed.observed().first_profile.set_index("month")["gld"]
    assert (national - seen).abs().max() < 1.5
    assert national.is_monotonic_increasing or national.diff().iloc[1:].min() > -0.3


def test_g1_holds_with_the_decade_squeeze_applied():
    """G1s: the same checks pass with council money falling 1.96% a year, and early
    intervention spending falls faster than core funding (crisis is paid first)."""
    p = pattern("G1s")
    plain = pattern("G1")
    assert [c.label for c in p.checks[:len(plain.checks)]] == [c.label for c in plain.checks]
    assert failing(p) == []
    squeezed = p.tables["national"].mean()
    assert (squeezed - observed.observed().first_profile.set_index("month")["gld"]).abs().max(
        ) < 1.5
    # the squeeze costs little by 2018/19, and never helps
    assert -1.5 < squeezed.iloc[-1] - plain.tables["national"].mean().iloc[-1] <= 0.0
    assert "early-intervention spending" in p.checks[-1].label
    assert p.notes and "2018/19" in p.notes[0]


def test_the_squeeze_scenario_encodes_the_decade_cut():
    s = validation.scenario("early_years_first_profile_squeeze")
    plain = validation.scenario("early_years_first_profile")
    trend = s.world.params["core_funding_trend"]
    assert (1 + trend) ** 10 == pytest.approx(0.82, abs=0.001)
    assert (s.mission, s.horizon, s.seed, s.world.preset) == (
        plain.mission, plain.horizon, plain.seed, plain.world.preset)
    assert "IFS" in s.description and "−42%" in s.description


def test_g3_without_the_unit_and_money_the_cut_is_not_reached():
    p = pattern("G3")
    labels = {c.label for c in p.checks if "without" in c.label}
    assert labels
    assert failing(p, labels) == []


def test_g3_the_unit_and_money_cut_two_thirds_and_hold_it():
    p = pattern("G3")
    labels = {c.label for c in p.checks if "with the unit and money" in c.label}
    assert failing(p, labels) == []
    assert len(labels) >= 4


def test_g3_the_cut_holds_only_while_the_money_does():
    p = pattern("G3")
    count = p.tables["count"]
    held = 1.0 - count["rough_sleeping_1998"].loc[60].mean() / 1850.0
    stopped = 1.0 - count["rough_sleeping_1998_money_stops"].loc[60].mean() / 1850.0
    assert held - stopped > 0.3


# --- the observed data file -----------------------------------------------------------------
def _patterns_with(tmp_path, monkeypatch, old: str, new: str) -> None:
    text = resources.data_path("patterns.toml").read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "patterns.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    shipped_path = resources.data_path
    monkeypatch.setattr(resources, "data_path", lambda *parts: (
        tmp_path.joinpath(*parts) if parts == ("patterns.toml",) else shipped_path(*parts)))
    observed.observed.cache_clear()


@pytest.mark.parametrize(("old", "new", "where"), [
    ("gld = [65.2, 67.2,", "gld = [67.2,", "reformed_profile.gld: 3 values, but year has 4"),
    ("g3_path = 0.20", "g3_path = 0.20\ng3_size = 1.0", "tolerance.g3_size: unknown key"),
    ("fit_k = 0.58", 'fit_k = "fast"', "first_profile.fit_k: expected a number"),
    ("sd_month = [36, 48, 60]", "sd_month = [36, 48, 61]",
     "first_profile.sd_month: month 61 is not one of the profile's months"),
    ('observed = "rough_sleeping_1998.observed.csv"', 'observed = "rough.csv"',
     "pattern.G3.observed: no file 'rough.csv' in scenarios/history/"),
    ('patterns = ["G3"]', 'patterns = ["H1"]',
     "fitted[4].patterns[0]: unknown fitted pattern 'H1'"),
    ('scenarios = ["ae_four_hours_2002"]', 'scenarios = ["ae_four_hours"]',
     "held_out.H1.scenarios[0]: unknown scenario 'ae_four_hours'"),
    ("fsm_gap = [13.0, 16.8, 22.0]", "fsm_gap = [16.8, 13.0, 22.0]",
     "held_out.C1.published.fsm_gap: expected 3 values in order"),
    ("correlation_min = 0.8", "correlation_min = 0.8\nrmse_min = 1.0",
     "held_out.C1.bands.rmse_min"),
])
def test_an_invalid_patterns_file_is_one_line_naming_the_file_and_key(tmp_path, monkeypatch,
                                                                      old, new, where):
    _patterns_with(tmp_path, monkeypatch, old, new)
    try:
        with pytest.raises(DataFileError) as caught:
            observed.observed()
    finally:
        observed.observed.cache_clear()
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(tmp_path / "patterns.toml") + ": ")
    assert where in message


def test_the_page_states_every_check_and_the_data(tmp_path):
    patterns = {key: pattern(key) for key in ("G1", "G1s", "G2", "G3", "G4")}
    images = {key: f"images/validation-{key.lower()}.png" for key in patterns}
    text = page_writer.render(patterns, images, 1.0, "missionsim docs validation --quick", 2)
    assert "Generated by `missionsim docs validation --quick`" in text
    for p in patterns.values():
        for c in p.checks:
            assert f"| {c.label} | {c.model} | {c.observed} | {c.tolerance} |" in text
    assert "First profile: 2012/13 51.7%" in text and "June 1998 1,850" in text
    assert "## What was fitted to what" in text and "`elasticity`" in text
    assert "`cohort_total` of the rough-sleeping world is a fit, not a test" in text
    keys = [*validation.PATTERNS, *validation.HELD_OUT]
    assert page_writer.sizes(DocSettings(quick=True)) == dict.fromkeys(keys, 2)
    assert page_writer.sizes(DocSettings()) == page_writer.FULL
    assert list(page_writer.FULL) == keys
    with pytest.raises(ValueError, match="--preset"):
        page_writer.sizes(DocSettings(preset="small"))


def test_every_fitted_pattern_lists_the_parameters_fitted_to_it():
    """The split is data: [[fitted]] in patterns.toml names each parameter, its mission and
    the patterns it was fitted to; the page lists them per pattern."""
    seen = observed.observed()
    assert set(seen.patterns) == set(validation.PATTERNS)
    for key in ("G1", "G1s", "G2", "G3", "G4"):
        assert seen.fitted_to(key), key
    assert {f.parameter for f in seen.fitted_to("G3")} == {"world.cohort_total"}
    assert "elasticity" in {f.parameter for f in seen.fitted_to("G4")}
    # every value missionsim calibrate fitted is declared, against the patterns of its stage
    shipped = calibration.shipped("early_years")
    declared = {f.parameter: f for f in seen.fitted if f.calibrated == "early_years"}
    assert set(declared) == set(shipped.values)
    assert declared["elasticity"].patterns == ("G1s", "G4")
    assert all(declared[n].patterns == ("G2",) for n in calibration.BASELINE_FREE)
    rows = page_writer.fitted_lines()[-1]
    for f in seen.fitted:
        assert f"`{f.mission}` `{f.parameter}`" in rows
    assert "| `rough_sleeping` `world.cohort_total` | G3: the cut by June 2001 | 15,000 |" in rows
