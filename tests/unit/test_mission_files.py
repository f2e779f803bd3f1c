"""Mission files: the shipped missions load from files; bad files get one line; mutated files
never raise anything but that one line."""

from __future__ import annotations

import json
import os
import re

import mutation
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from missionsim.errors import ScenarioError
from missionsim.experiments.scenario import load_scenario
from missionsim.model.missionfile import FIGURES
from missionsim.model.missions import MISSIONS, Mission, get_mission, load_mission, shipped_missions

EXAMPLES = int(os.environ.get("MISSIONSIM_PROPERTY_EXAMPLES", 150))
SHIPPED = shipped_missions()
ROUGH = SHIPPED["rough_sleeping"].read_text(encoding="utf-8")


def write(folder, text, name="m.toml"):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_shipped_mission_is_a_file_with_a_source_for_every_figure():
    assert set(SHIPPED) == set(MISSIONS)
    assert {"early_years", "early_years_first_profile", "rough_sleeping"} <= set(MISSIONS)
    for name, mission in MISSIONS.items():
        assert mission.file.endswith(f"{name}.toml")
        missing = [f for f in FIGURES if not mission.sources.get(f, "").strip()]
        assert not missing, (name, missing)
        assert all(mission.sources.get(f"world.{k}") for k in mission.world), name


def test_a_mission_file_round_trips_through_its_record():
    for mission in MISSIONS.values():
        again = Mission.from_record(json.loads(json.dumps(mission.record())))
        assert again == mission and again.content() == mission.content()


def test_calibrated_figures_come_from_the_calibration_file():
    fitted = json.loads((SHIPPED["early_years"].parent.parent / "calibrated" / "early_years.json")
                        .read_text(encoding="utf-8"))["values"]
    m = MISSIONS["early_years"]
    for name in ("elasticity", "momentum", "spread_sd", "noise"):
        assert getattr(m, name) == fitted[name]
    assert "calibrated/early_years.json" in m.sources["elasticity"]


def test_a_copy_with_its_own_name_runs_as_the_shipped_mission_does(tmp_path):
    path = write(tmp_path, ROUGH.replace("title =", 'name = "rough_copy"\ntitle ='))
    copy = load_mission(path)
    assert copy.name == "rough_copy"
    assert copy.content() | {"name": "x"} == MISSIONS["rough_sleeping"].content() | {"name": "x"}


def test_a_scenario_names_a_mission_file_relative_to_itself(tmp_path):
    write(tmp_path, ROUGH.replace("title =", 'name = "rough_here"\ntitle ='), "here.toml")
    scn = write(tmp_path, 'mission = "here.toml"\nhorizon = 3\n[world]\npreset = "small"\n',
                "scn.toml")
    scenario = load_scenario(scn)
    assert scenario.mission_record().name == "rough_here"
    assert scenario.mission_name() == "rough_here"
    assert scenario.summary().startswith("rough_here (here.toml) on small: no reforms")
    assert scenario.content()["mission"]["baseline"] == 1850.0
    # editing the mission file changes the scenario's digest
    before = scenario.digest()
    write(tmp_path, ROUGH.replace("title =", 'name = "rough_here"\ntitle =')
          .replace("baseline = 1850.0", "baseline = 1900.0"), "here.toml")
    assert load_scenario(scn).digest() != before


def test_a_shipped_name_cannot_be_taken_by_a_different_mission(tmp_path):
    path = write(tmp_path, ROUGH.replace("title =", 'name = "early_years"\ntitle ='))
    with pytest.raises(ScenarioError, match="is a shipped mission's"):
        get_mission(str(path))


BAD = [
    ("unknown key", ('colour = "red"\n', ""), r"colour: unknown key; expected one of"),
    ("missing figure", ("", "baseline = 1850.0\n"), r"baseline: required key is missing"),
    ("text for a number", ("", ("baseline = 1850.0", 'baseline = "lots"')),
     r"baseline: expected a number"),
    ("direction", ("", ('direction = "lower"', 'direction = "down"')),
     r"direction: .*'raise' or 'lower'"),
    ("aggregate", ("", ('aggregate = "sum"', 'aggregate = "median"')),
     r"aggregate: .*'mean' or 'sum'"),
    ("deadline beyond the longest run", ("", ("deadline = 45", "deadline = 9000")),
     r"deadline: expected a value ≤ 600"),
    ("best on the wrong side", ("", ("best = 150.0", "best = 2000.0")),
     r"best = 2000: expected a value below the baseline"),
    ("target beyond best", ("", ("target = 617.0", "target = 100.0")),
     r"target = 100: expected a value between the baseline"),
    ("gameability above 1", ("", ("gameability = 1.0", "gameability = 1.5")),
     r"gameability = 1.5: expected a value in \[0, 1\]"),
    ("negative response", ("", ("response_months = 8.0", "response_months = -2.0")),
     r"response_months = -2: expected a value ≥ 0"),
    ("figure without a source", ("", ('noise = "assumption"\n', "")),
     r"sources.noise: missing; every figure needs a source"),
    ("source for nothing", ('', ('[sources]\n', '[sources]\ncolour = "x"\n')),
     r"sources.colour: no such figure in the file"),
    ("unknown world parameter", ("", ("n_localities = 24", "n_places = 24")),
     r"world.n_places: unknown parameter"),
    ("world value out of range", ("", ("universal_share = 0.2", "universal_share = 7.0")),
     r"world.universal_share: expected"),
    ("trend not a path", ('trend = 3\n', ""), r"trend: expected a list"),
    ("trend months backwards", ('trend = [[12, 1.0], [6, 2.0]]\n', ""),
     r"trend.*not after month 12"),
    ("unknown calibration", ("", ("elasticity = 1.3", 'elasticity = { calibrated = "nope" }')),
     r"elasticity: calibration 'nope' is not a shipped calibration"),
    ("figure not fitted by the calibration",
     ("", ("response_months = 8.0", 'response_months = { calibrated = "early_years" }')),
     r"response_months: calibration 'early_years' did not fit response_months"),
    ("displacement without a unit",
     ('[displacement]\nshare = 0.5\nto = "hidden"\ncase_cost = 100.0\n', ""),
     r"displacement.unit: required key is missing"),
    ("displacement share above 1",
     ('[displacement]\nshare = 2.0\nto = "hidden"\ncase_cost = 1.0\nunit = "person"\n', ""),
     r"displacement.share: expected a value ≤ 1"),
    ("displacement per on a count",
     ('[displacement]\nshare = 0.5\nto = "hidden"\ncase_cost = 1.0\nunit = "person"\n'
      'per = 100.0\n', ""), r"displacement.per: expected the population"),
    ("not TOML", ("= = =\n", ""), r"not valid TOML"),
]


def _bad_text(head: str, change) -> str:
    text = ROUGH
    if isinstance(change, tuple):
        assert change[0] in text, change
        text = text.replace(change[0], change[1], 1)
    elif change:
        text = re.sub(rf"^{re.escape(change)}", "", text, count=1, flags=re.M)
    # keys before the first table; a [table] given in head goes at the end
    if head.startswith("["):
        return text + "\n" + head
    first = text.index("\n[")
    return text[:first] + "\n" + head + text[first:]


@pytest.mark.parametrize(("what", "edit", "expected"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_mission_file_gets_one_line_naming_file_and_key(tmp_path, what, edit, expected):
    text = _bad_text(*edit)
    if what == "figure without a source":
        text = text.replace('noise = "assumption"\n', "")
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_mission(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: "), message
    assert re.search(expected, message), message


def test_validate_reads_mission_files(tmp_path, capsys):
    from missionsim.cli import main

    good = write(tmp_path, ROUGH.replace("title =", 'name = "rough_ok"\ntitle ='), "ok.toml")
    bad = write(tmp_path, ROUGH.replace("gameability = 1.0", "gameability = 2.0"), "bad.toml")
    assert main(["validate", str(good)]) == 0
    assert "mission 'rough_ok'" in capsys.readouterr().out
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{bad}: gameability")


# --- mutated files: a mission or one line, never a traceback --------------------------------
@pytest.fixture(scope="module")
def mutation_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("mutated-missions").resolve()


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(name=st.sampled_from(sorted(SHIPPED)), changes=mutation.edits)
def test_any_edited_mission_file_gives_a_mission_or_a_one_line_error(mutation_folder, name,
                                                                     changes):
    path = mutation_folder / "mut.toml"
    path.write_bytes(mutation.apply(SHIPPED[name].read_bytes(), changes))
    try:
        mission = load_mission(path)
    except ScenarioError as exc:
        message = str(exc)
        assert "\n" not in message and "\r" not in message, repr(message)
        assert message.startswith(f"{path}: "), message
        event("one-line error")
        return
    event("valid mission")
    assert isinstance(mission, Mission)
    assert mission.direction in (1, -1)
    mission.content()
    mission.trajectory(mission.deadline)
