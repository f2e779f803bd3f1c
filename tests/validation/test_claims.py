"""Claims to evidence, in reduced form: every claim is tested, every test runs and is judged.

The full-size page is ``docs/claims.md`` (``missionsim docs claims``); here the same catalogue
(``missionsim/data/claims.toml``) runs with few replicates on the small world so that it fits
in a CI budget. The tests check the machinery and the consistency of what it reports, not
particular results.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import script_module

from missionsim import resources
from missionsim.analysis import claims
from missionsim.analysis.claims import catalogue as claim_catalogue
from missionsim.analysis.datafiles import DataFileError
from missionsim.analysis.stats import paired_effect
from missionsim.cli import main
from missionsim.experiments.options import RunOptions
from missionsim.experiments.scenario import shipped
from missionsim.model.params import PARAMETERS
from missionsim.model.reforms import REFORMS
from missionsim.writeup import claims as page_writer
from missionsim.writeup.docs import DIGEST

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "make-claims"
MODEL_DOC = ROOT / "docs" / "model.md"
CLAIMS_DOC = ROOT / "docs" / "claims.md"
REDUCED = {"replicates": 3, "horizon": 40, "preset": "small"}


@pytest.fixture(scope="module")
def study() -> claims.ClaimStudy:
    return claims.run(options=RunOptions(workers=2), **REDUCED)


@pytest.fixture(scope="module")
def table(study) -> pd.DataFrame:
    return claims.evaluate(study)


@pytest.fixture(scope="module")
def page(table, study) -> str:
    return page_writer.render(table, study, "missionsim docs claims --replicates 3 --preset "
                              "small --horizon 40")


# --- the registry ---------------------------------------------------------------------------
def test_every_design_claim_has_a_subclaim():
    assert len(claims.CLAIMS) == 6
    covered = {s.claim for s in claims.SUBCLAIMS}
    assert covered == set(claims.CLAIMS)


def test_subclaim_ids_are_unique_and_prefixed_by_their_claim():
    ids = [s.id for s in claims.SUBCLAIMS]
    assert len(ids) == len(set(ids))
    for s in claims.SUBCLAIMS:
        assert re.fullmatch(rf"{s.claim}\.\d+", s.id), s.id
        assert s.direction in (1, -1), s.id
        assert s.treatment != s.control, s.id
        assert s.treatment in claims.ARMS and s.control in claims.ARMS, s.id
        assert s.measure in claims.MEASURES and s.at in claims.TIMINGS, s.id
        assert s.sections and all(k in claims.SECTIONS for k in s.sections), s.id


def test_mechanism_sections_exist_in_the_model_description():
    headings = re.findall(r"^#{2,4} (\d+(?:\.\d+)*) (.+)$",
                          MODEL_DOC.read_text(encoding="utf-8"), re.M)
    titles = dict(headings)
    for key, title in claims.SECTIONS.items():
        assert key in titles, f"docs/model.md has no section {key}"
        assert titles[key].startswith(title), f"section {key} is now {titles[key]!r}"


def test_arms_are_valid_scenarios_built_from_shipped_files():
    files = shipped()
    for arm in claims.ARMS.values():
        assert arm.base in files
        scenario = arm.scenario()
        assert scenario.name == arm.name
        assert set(arm.params) <= set(PARAMETERS)
        assert set(arm.reforms) <= set(REFORMS)
        for name, value in arm.params.items():
            assert scenario.world.params[name] == value


def test_arms_of_a_comparison_differ():
    for s in claims.SUBCLAIMS:
        treatment, control = (a.scenario() for a in s.arms())
        assert treatment.digest() != control.digest(), s.id
        assert treatment.mission == control.mission, s.id


def test_an_arm_follows_the_study_world_unless_pinned():
    free = claims.ARMS["devolution_low_capacity"].scenario(preset="small", horizon=12)
    assert free.world.preset == "small"
    assert free.world.params["capacity_mean"] == 0.3
    assert free.horizon == 36  # never shorter than the early-years deadline
    assert "devolution" in free.reform_settings()
    pinned = claims.ARMS["rough_sleeping_1998"].scenario(preset="small")
    assert pinned.world.preset == "england"


def test_an_arm_adds_reforms_and_parameters_to_its_file():
    arm = claims.Arm("packaged", "devolution", "devolution with capacity",
                     params={"capacity_mean": 0.6},
                     reforms={"local_capacity": {"start": 12, "intensity": 0.5}})
    scenario = arm.scenario()
    settings = scenario.reform_settings()
    assert settings["local_capacity"] == {"start": 12, "end": None, "intensity": 0.5}
    assert settings["devolution"]["intensity"] == 1.0
    assert scenario.world.params["capacity_mean"] == 0.6
    assert "`local_capacity` (start 12, intensity 0.5)" in arm.describe()
    with pytest.raises(KeyError):
        claims.Arm("nowhere", "no_such_file", "missing").scenario()


def test_every_arm_is_used_and_each_runs_once():
    used = {n for s in claims.SUBCLAIMS for n in (s.treatment, s.control)}
    assert used == set(claims.ARMS)
    groups = claims.scenarios_for(claims.SUBCLAIMS, preset="small", horizon=40)
    names = [sc.name for group in groups.values() for sc in group]
    assert sorted(names) == sorted(claims.ARMS)
    for mission, group in groups.items():
        assert {sc.mission for sc in group} == {mission}


def test_subclaims_selects_by_id_and_rejects_unknown_ids():
    assert [s.id for s in claims.subclaims(["C3.2", "C1.1"])] == ["C1.1", "C3.2"]
    with pytest.raises(KeyError, match="C9.9"):
        claims.subclaims(["C1.1", "C9.9"])


# --- the verdict rule -----------------------------------------------------------------------
@pytest.mark.parametrize(("lo", "hi", "direction", "expected"), [
    (0.1, 0.5, 1, claims.SUPPORTED),
    (-0.5, -0.1, 1, claims.CONTRADICTED),
    (-0.1, 0.5, 1, claims.NOT_SHOWN),
    (-0.5, -0.1, -1, claims.SUPPORTED),
    (0.1, 0.5, -1, claims.CONTRADICTED),
    (-0.5, 0.1, -1, claims.NOT_SHOWN),
    (0.0, 0.0, 1, claims.NOT_SHOWN),
    (0.0, 0.3, 1, claims.NOT_SHOWN),
    (math.nan, math.nan, 1, claims.NOT_SHOWN),
])
def test_verdict_rule(lo, hi, direction, expected):
    assert claims.verdict(lo, hi, direction) == expected


def test_verdict_rejects_a_direction_that_is_not_a_sign():
    with pytest.raises(ValueError):
        claims.verdict(0.1, 0.2, 0)


# --- the reduced run ------------------------------------------------------------------------
def test_every_subclaim_runs_and_has_an_effect(table):
    assert list(table["id"]) == [s.id for s in claims.SUBCLAIMS]
    assert (table["n"] == REDUCED["replicates"]).all()
    for _, r in table.iterrows():
        assert np.isfinite([r["effect"], r["lo"], r["hi"]]).all(), r["id"]
        assert r["lo"] <= r["effect"] <= r["hi"], r["id"]
        assert r["verdict"] in claims.VERDICTS


def test_verdicts_follow_the_rule_and_the_predicted_direction(table):
    for _, r in table.iterrows():
        d = r["direction"]
        if r["verdict"] == claims.SUPPORTED:
            assert d * r["lo"] > 0 and d * r["hi"] > 0, r["id"]
        elif r["verdict"] == claims.CONTRADICTED:
            assert d * r["lo"] < 0 and d * r["hi"] < 0, r["id"]
        else:
            assert r["lo"] <= 0 <= r["hi"], r["id"]


def test_effects_are_the_paired_differences_of_the_runs(study, table):
    """Recompute a few effects from the month table, independently of claims.values."""
    for sid in ("C1.2", "C3.2", "C5.1"):
        sub = next(s for s in claims.SUBCLAIMS if s.id == sid)
        measure = claims.MEASURES[sub.measure]
        results = next(r for r in study.results.values()
                       if sub.treatment in set(r.runs["scenario"]))
        m = results.months
        if sub.at == "end":
            month = int(results.runs["horizon"].min())
        else:
            month = {"early_years": 36, "rough_sleeping": 45}[results.runs["mission"].iloc[0]]
        at = m[m["month"] == month].set_index(["scenario", "replicate"])[sub.measure]
        t = at.loc[sub.treatment].sort_index().to_numpy() * measure.scale
        c = at.loc[sub.control].sort_index().to_numpy() * measure.scale
        expected = paired_effect(t, c)
        row = table.set_index("id").loc[sid]
        assert (row["effect"], row["lo"], row["hi"]) == pytest.approx(expected)


def test_arms_share_seeds(study):
    for results in study.results.values():
        seeds = results.runs.groupby("replicate")["seed"].nunique()
        assert (seeds == 1).all()
        assert results.runs["scenario"].nunique() * study.replicates == len(results.runs)


def test_timings_read_the_right_months(study):
    results = study.results["early_years"]
    end = int(results.runs["horizon"].min())
    assert end == REDUCED["horizon"]
    m = results.months
    base = m[m["scenario"] == "baseline"]
    last_year = claims.values(results, "baseline", "staff_morale", "last_year")
    expected = base[base["month"] > end - 12].groupby("replicate")["staff_morale"].mean()
    pd.testing.assert_series_equal(last_year, expected, check_names=False)
    whole = claims.values(results, "baseline", "department_focus", "whole_run")
    assert whole.to_numpy() == pytest.approx(
        base[base["month"] >= 1].groupby("replicate")["department_focus"].mean().to_numpy())
    gap = claims.values(results, "baseline", "deprived_gap", "deadline")
    at = base[base["month"] == 36].set_index("replicate")
    assert gap.to_numpy() == pytest.approx(
        (at["outcome_most_deprived"] - at["outcome"]).to_numpy())
    with pytest.raises(KeyError):
        claims.values(results, "baseline", "outcome", "someday")


def test_counts_add_up(table):
    tally = claims.counts(table)
    assert list(tally) == list(claims.VERDICTS)
    assert sum(tally.values()) == len(claims.SUBCLAIMS)


# --- the page -------------------------------------------------------------------------------
def test_page_lists_every_claim_and_subclaim_with_its_verdict(page, table):
    for key in claims.CLAIMS:
        assert f"## {key} " in page
    for _, r in table.iterrows():
        line = next((ln for ln in page.splitlines() if ln.startswith(f"| {r['id']} |")), None)
        assert line is not None, f"{r['id']} has no row"
        assert page_writer.effect_with_interval(r) in line
        assert r["verdict"] in line
        assert ("| built in |" if r["built_in"] else "| emergent |") in line
    tally = claims.counts(table)
    assert (f"{len(table)} sub-claims: "
            + ", ".join(f"{tally[v]} {v}" for v in claims.VERDICTS)) in page
    emergent = table[~table["built_in"]]
    assert f"| all, emergent | | {len(emergent)} | {claims.counts(emergent)[claims.SUPPORTED]} |" \
        in page
    for sid in table.loc[table["verdict"] != claims.SUPPORTED, "id"]:
        assert f"- {sid} (" in page, f"{sid} is missing from the list of claims not supported"


def test_page_states_its_size_and_rule(page, study):
    assert "--replicates 3" in page and "--horizon 40" in page and "--preset small" in page
    assert f"root seed {study.seed}" in page
    assert claims.VERDICT_RULE in page
    assert study.version in page


def test_committed_page_is_in_step_with_the_registry():
    text = CLAIMS_DOC.read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| (C\d\.\d+) \|", text, re.M))
    assert rows == {s.id for s in claims.SUBCLAIMS}, (
        "docs/claims.md is out of date: run missionsim docs claims")


# --- the catalogue file -------------------------------------------------------------------
def _catalogue_with(tmp_path, monkeypatch, old: str, new: str) -> None:
    """Point the catalogue at a copy of ``claims.toml`` with one change."""
    text = claim_catalogue.read_catalogue().path.read_text(encoding="utf-8")
    assert old in text
    (tmp_path / "claims.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    shipped_path = resources.data_path
    monkeypatch.setattr(resources, "data_path", lambda *parts: (
        tmp_path.joinpath(*parts) if parts == ("claims.toml",) else shipped_path(*parts)))
    claim_catalogue.read_catalogue.cache_clear()


@pytest.mark.parametrize(("old", "new", "where"), [
    ('measure = "outcome"', 'measure = "outcom"', "subclaims[0].measure: unknown measure"),
    ('treatment = "no_charities"', 'treatment = "nowhere"',
     "subclaims[0].treatment: unknown arm"),
    ('sections = ["5", "7.6", "7.7"]', 'sections = ["5", "9.9"]',
     "subclaims[0].sections: unknown section '9.9'"),
    ("direction = -1", "direction = 2", "subclaims[0].direction: expected 1 or -1"),
    ('id = "C1.1"', 'id = "C9.1"', "subclaims[0].id: unknown claim 'C9'"),
    ('label = "the current system"', 'label = "the current system"\ncolour = "red"',
     "arms.baseline.colour: unknown key"),
    ("params = { charities_per_locality = 0 }", "params = { no_such_parameter = 0 }",
     "arms.no_charities.params.no_such_parameter: unknown parameter"),
    ('[measures.reach]\nlabel = "share of need reached"', '[measures.reach]\nlabel = 3',
     "measures.reach.label: expected a string"),
])
def test_an_invalid_catalogue_is_one_line_naming_the_file_and_key(tmp_path, monkeypatch, old,
                                                                  new, where):
    _catalogue_with(tmp_path, monkeypatch, old, new)
    try:
        with pytest.raises(DataFileError) as caught:
            claim_catalogue.read_catalogue()
    finally:
        claim_catalogue.read_catalogue.cache_clear()
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(tmp_path / "claims.toml") + ": ")
    assert where in message


def test_the_effect_cell_keeps_its_format():
    row = {"effect": 0.45, "lo": 0.3, "hi": 0.6, "unit": "pp", "measure": "outcome"}
    assert page_writer.effect_with_interval(row) == "+0.45 [+0.30, +0.60] pp"
    assert page_writer.effect_with_interval({**row, "lo": math.nan}) == "+0.45 [no CI] pp"
    assert page_writer.effect_with_interval({**row, "effect": math.nan}) == "–"
    people = {"effect": -120.4, "lo": -200.0, "hi": -40.6, "unit": "people",
              "measure": "outcome"}
    assert page_writer.effect_with_interval(people) == "-120 [-200, -41] people"


# --- the command ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def script():
    """The shim as a module, so that most checks run in this process."""
    return script_module.load(SCRIPT, "make_claims")


def test_script_help():
    result = subprocess.run([sys.executable, str(SCRIPT), "--help"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for option in ("--replicates", "--horizon", "--preset", "--workers", "--only", "--seed"):
        assert option in result.stdout


def test_script_lists_the_catalogue_without_running(script, capsys):
    assert script.main(["--list"]) == 0
    listed = capsys.readouterr().out
    for s in claims.SUBCLAIMS:
        assert f"{s.id} " in listed


def test_script_means_missionsim_docs_claims(script):
    args = script.parser().parse_args(["--replicates", "2", "--seed", "7", "--only", "C1.2",
                                       "C6.1", "--workers", "1"])
    assert script.arguments(args) == [
        "docs", "claims", "--root", str(ROOT), "--replicates", "2", "--workers", "1",
        "--set", "seed=7", "--set", "only=C1.2,C6.1"]


def test_script_rejects_bad_arguments(script, capsys):
    with pytest.raises(SystemExit) as exit_info:
        script.main(["--replicates", "zero"])
    assert exit_info.value.code == 2
    assert script.main(["--only", "C9.9", "--list"]) == 2
    assert "C9.9" in capsys.readouterr().err


def test_missionsim_docs_claims_writes_a_stamped_page(tmp_path, capsys):
    (tmp_path / "docs").mkdir()
    common = ["docs", "claims", "--root", str(tmp_path), "--replicates", "2", "--horizon", "36",
              "--preset", "small", "--workers", "1", "--set", "only=C1.2,C6.1"]
    assert main(common) == 0
    text = (tmp_path / "docs" / "claims.md").read_text(encoding="utf-8")
    assert DIGEST.match(text.splitlines()[0])
    assert "| C1.2 |" in text and "| C6.1 |" in text and "| C3.1 |" not in text
    assert "--replicates 2" in text and "--set only=C1.2,C6.1" in text
    assert main([*common, "--check"]) == 0
    assert main([*common[:-1], "only=C9.9"]) == 2
    assert "C9.9" in capsys.readouterr().err
    assert main(["docs", "claims", "--root", str(tmp_path), "--set", "colour=red"]) == 2
