"""Time paths: reform intensities and [policy] settings that change over a run.

Parsing and evaluation of paths, the reform lifecycle under a path, the model's ``policy``
argument, and scenario files: each bad input gives one line naming the file and the key.
"""

import json

import numpy as np
import pandas as pd
import pytest
from scenario_files import error_of, write

from missionsim import MissionModel
from missionsim.connectors.ema_run import _reform_settings
from missionsim.experiments.equalcost import largest_scale, scaled
from missionsim.experiments.results import Results
from missionsim.experiments.runner import execute_run, spec_for
from missionsim.experiments.scenario import Scenario, load_scenario, shipped
from missionsim.experiments.sweeps.design import apply_point
from missionsim.experiments.sweeps.spec import Sweep
from missionsim.model import paths
from missionsim.model.params import PARAMETERS
from missionsim.model.reforms import PATH_SETTINGS, Levers, check_policy, make_reform
from missionsim.model.reforms.levers import PATH_SETTINGS as BASE_PATH_SETTINGS
from missionsim.ui.live import Settings

BASE = '[world]\npreset = "small"\n'


# --- paths ------------------------------------------------------------------------------------
def test_a_path_is_straight_between_points_and_flat_outside():
    path = paths.check_path([[12, 0.3], [24, 1], [96, 0.5]], "x")
    assert path == ((12, 0.3), (24, 1.0), (96, 0.5))
    assert paths.value_at(path, 0) == 0.3  # before the first point: its value
    assert paths.value_at(path, 18) == pytest.approx(0.65)
    assert paths.value_at(path, 60) == pytest.approx(0.75)
    assert paths.value_at(path, 500) == 0.5  # after the last point: its value
    assert paths.top(path) == 1.0
    assert paths.as_lists(path) == [[12, 0.3], [24, 1.0], [96, 0.5]]


def test_numpy_numbers_are_accepted_in_paths_and_settings():
    path = paths.check_path([[np.int64(0), np.float64(0.5)]], "x")
    assert path == ((0, 0.5),) and type(path[0][1]) is float
    reform = make_reform("devolution", {"start": np.int64(2), "intensity": np.float64(0.5)})
    assert reform.intensity == 0.5 and type(reform.intensity) is float
    assert make_reform("devolution", np.float32(0.25)).intensity == 0.25


def test_path_settings_are_declared_once_with_a_lever_each():
    assert PATH_SETTINGS is BASE_PATH_SETTINGS
    levers = Levers.from_params({name: PARAMETERS[name].default for name in PATH_SETTINGS})
    for name, attribute in PATH_SETTINGS.items():
        assert name in PARAMETERS and hasattr(levers, attribute)


# --- the reform lifecycle under a path ----------------------------------------------------------
def test_a_reform_with_a_path_is_active_while_its_intensity_is_above_zero():
    reform = make_reform("devolution", {"start": 6, "end": 40,
                                        "intensity": [[0, 0.5], [10, 0.5], [11, 0],
                                                      [19, 0], [20, 0.8]]})
    active = [m for m in range(50) if reform.is_active(m)]
    assert active == [*range(6, 11), *range(20, 40)]
    assert reform.intensity_at(15) == 0.0 and reform.intensity_at(30) == 0.8
    assert reform.settings()["intensity"] == [[0, 0.5], [10, 0.5], [11, 0.0], [19, 0.0],
                                              [20, 0.8]]
    assert make_reform("devolution", reform).intensity == reform.intensity


def test_begin_and_finish_fire_when_a_path_falls_to_zero_and_rises_again():
    model = MissionModel(preset="small", rng=1, reforms={"mission_leadership": {
        "intensity": [[0, 1], [4, 1], [5, 0], [8, 0], [9, 0.5]]}})
    units = []
    for _ in range(12):
        model.step()
        units.append(model.mission_unit is not None)
    assert units == [True] * 5 + [False] * 4 + [True] * 3


def test_the_mission_unit_follows_the_reform_strength_each_month():
    model = MissionModel(preset="small", rng=1,
                         reforms={"mission_leadership": {"intensity": [[0, 0.4], [6, 1.2]]}})
    reform = model.reforms[0]
    seen = []
    for _ in range(8):
        model.step()
        seen.append(model.mission_unit.intensity)
        assert model.mission_unit.intensity == reform.strength(model)
    assert seen[0] == pytest.approx(0.4) and seen[-1] == reform.strength(model) > 1.0
    assert seen == sorted(seen) and len(set(seen)) == 7  # it rises with the path, then holds


def test_the_largest_value_of_a_path_is_held_to_the_reform_maximum():
    with pytest.raises(ValueError) as info:
        MissionModel(preset="small", reforms={"devolution": {"intensity": [[0, 0.5],
                                                                           [9, 1.5]]}})
    assert str(info.value) == ("reforms['devolution'].intensity's largest value = 1.5: expected "
                               "at most 1 (devolution_max_intensity)")


@pytest.mark.parametrize(("intensity", "message"), [
    ([[0, 0.5], [0, 1]], "reforms['devolution'].intensity[1]: month 0 is not after month 0; "
                         "expected strictly increasing months"),
    ([[0, -1]], "reforms['devolution'].intensity[0]: value -1; expected a number in [0, 10]"),
    ("high", "reforms['devolution'].intensity = 'high': expected a number in [0, 10] or a list "
             "of [month, value] points"),
])
def test_bad_intensities_in_python_give_one_line(intensity, message):
    with pytest.raises(ValueError) as info:
        make_reform("devolution", {"intensity": intensity})
    assert str(info.value) == message


# --- the model's policy argument ---------------------------------------------------------------
def test_policy_levers_follow_the_path_month_by_month():
    model = MissionModel(preset="small", rng=2, policy={
        "punitive_accountability": [[0, 0.2], [24, 0.8]], "settlement_years": [[0, 1], [10, 4]]})
    assert model.p["punitive_accountability"] == 0.2  # month 0 is built at the first value
    seen = []
    for _ in range(25):
        model.step()
        seen.append((model.levers.punitive, model.levers.settlement_years))
    assert seen[12][0] == pytest.approx(0.5) and seen[24][0] == pytest.approx(0.8)
    assert [s for _, s in seen[:11]] == [1, 1, 2, 2, 2, 2, 3, 3, 3, 4, 4]  # rounded years
    assert all(type(s) is int for _, s in seen)


def test_reforms_adjust_the_levers_a_policy_path_sets():
    model = MissionModel(preset="small", rng=2, policy={"punitive_accountability": 0.8},
                         reforms={"learning_accountability": 0.5})
    model.step()
    assert model.levers.punitive == pytest.approx(0.8 * 0.5)


@pytest.mark.parametrize(("policy", "message"), [
    ({"funding": 0.5}, "policy.funding: not a policy setting that can follow a path; expected "
                       "one of punitive_accountability, silo, competitive_share, "
                       "settlement_years"),
    ({"silo": [[0, 0.5], [12, 1.5]]}, "policy.silo[1]: value 1.5; expected a number in [0, 1]"),
    ({"silo": 2}, "policy.silo = 2: expected a number in [0, 1] (index 0–1) or a list of "
                  "[month, value] points"),
    ({"settlement_years": [[0, 0]]},
     "policy.settlement_years[0]: value 0; expected a number in [1, 10]"),
    ({"silo": True}, "policy.silo = True: expected a number in [0, 1] (index 0–1) or a list of "
                     "[month, value] points"),
    ([("silo", 1)], "policy = [('silo', 1)]: expected a mapping of policy settings to numbers "
                    "or paths"),
])
def test_bad_policy_arguments_give_one_line(policy, message):
    with pytest.raises(ValueError) as info:
        MissionModel(preset="small", policy=policy)
    assert str(info.value) == message


def test_a_policy_setting_given_also_as_a_parameter_is_refused():
    with pytest.raises(ValueError, match=r"^policy\.silo: also set as a parameter; set it in "
                                         r"one place$"):
        MissionModel(preset="small", params={"silo": 0.5}, policy={"silo": [[0, 0.5]]})
    with pytest.raises(ValueError, match=r"^policy\.silo: also set"):
        MissionModel(preset="small", silo=0.5, policy={"silo": 0.5})


def test_check_policy_makes_a_number_a_constant_path():
    assert check_policy({"silo": np.float64(0.25)}) == {"silo": ((0, 0.25),)}


# --- scenario files --------------------------------------------------------------------------
PATH_FILE = """
horizon = 120
[reforms.local_capacity]
start = 6
intensity = [[0, 0.3], [24, 1], [96, 0.5]]
[policy]
punitive_accountability = [[0, 0.6], [24, 0.9], [96, 0.4]]
settlement_years = 3
""" + BASE


def test_a_scenario_file_takes_paths_for_intensity_and_policy(tmp_path):
    scenario = load_scenario(write(tmp_path / "s.toml", PATH_FILE))
    assert scenario.reform_settings()["local_capacity"]["intensity"] == [
        [0, 0.3], [24, 1.0], [96, 0.5]]
    assert scenario.policy_paths() == {"punitive_accountability": ((0, 0.6), (24, 0.9),
                                                                   (96, 0.4)),
                                       "settlement_years": ((0, 3.0),)}
    assert scenario.summary() == ("early_years on small: local_capacity (×0.3→1→0.5, months 6+); "
                                  "punitive_accountability 0.6→0.9→0.4; settlement_years 3")
    content = scenario.content()
    assert content["reforms"]["local_capacity"]["intensity"] == [[0, 0.3], [24, 1.0], [96, 0.5]]
    assert content["policy"]["punitive_accountability"] == [[0, 0.6], [24, 0.9], [96, 0.4]]
    json.dumps(content)  # plain data
    assert scenario.with_changes(horizon=60).policy == scenario.policy


def test_paths_change_the_digest_and_no_policy_leaves_the_content_as_before(tmp_path):
    fixed = Scenario.from_mapping({"reforms": {"devolution": {"intensity": 0.5}}})
    path = fixed.with_changes(reforms={"devolution": {"intensity": [[0, 0.5], [24, 1]]}})
    policy = fixed.with_changes(policy={"silo": [[0, 0.7], [24, 0.4]]})
    later = fixed.with_changes(policy={"silo": [[0, 0.7], [36, 0.4]]})
    assert len({fixed.digest(), path.digest(), policy.digest(), later.digest()}) == 4
    assert set(fixed.content()) == {"mission", "preset", "params", "reforms", "uncertainties",
                                    "horizon"}
    for scenario in shipped().values():
        assert "policy" not in load_scenario(scenario).content() or load_scenario(
            scenario).policy


def test_a_360_month_scenario_validates_and_a_small_run_of_it_runs(tmp_path):
    scenario = load_scenario(write(tmp_path / "long.toml", """
horizon = 360
[reforms.local_capacity]
intensity = [[0, 0.5], [120, 1], [240, 0.2]]
[policy]
punitive_accountability = [[0, 0.6], [180, 0.3]]
""" + BASE))
    assert scenario.horizon == 360
    output = execute_run(spec_for(scenario, 0))
    months = output.months
    assert list(months["month"]) == list(range(361))
    assert months[["outcome", "reform_cost"]].notna().all().all()
    cost = months.set_index("month")["reform_cost"]
    assert cost[121] > cost[61] > cost[1] > 0 and cost[360] < cost[121]


BAD = [
    ("intensity not a list", '[reforms.devolution]\nintensity = "rising"\n',
     "reforms.devolution.intensity: expected a number or a path (a list of month–value pairs), "
     "got 'rising'"),
    ("empty path", "[reforms.devolution]\nintensity = []\n",
     "reforms.devolution.intensity = []: expected a list of [month, value] points"),
    ("a point not a pair", "[reforms.devolution]\nintensity = [[0, 0.5, 1]]\n",
     "reforms.devolution.intensity[0] = [0, 0.5, 1]: expected [month, value]"),
    ("a bare number in the list", "[reforms.devolution]\nintensity = [0, 0.5]\n",
     "reforms.devolution.intensity[0] = 0: expected [month, value]"),
    ("months not increasing", "[reforms.devolution]\nintensity = [[12, 0.5], [6, 1.0]]\n",
     "reforms.devolution.intensity[1]: month 6 is not after month 12; expected strictly "
     "increasing months"),
    ("a month not whole", "[reforms.devolution]\nintensity = [[1.5, 0.5]]\n",
     "reforms.devolution.intensity[0]: month 1.5; expected a whole month in [0, 600]"),
    ("a month beyond every horizon", "[reforms.devolution]\nintensity = [[700, 0.5]]\n",
     "reforms.devolution.intensity[0]: month 700; expected a whole month in [0, 600]"),
    ("a value above the reform's maximum",
     "[reforms.devolution]\nintensity = [[0, 0.5], [24, 1.5]]\n",
     "reforms.devolution.intensity: expected at most 1 (devolution_max_intensity), got 1.5 "
     "(the path's largest value)"),
    ("a value above every maximum", "[reforms.local_capacity]\nintensity = [[0, 11]]\n",
     "reforms.local_capacity.intensity[0]: value 11; expected a number in [0, 10]"),
    ("a negative value", "[reforms.devolution]\nintensity = [[0, 0.5], [24, -0.5]]\n",
     "reforms.devolution.intensity[1]: value -0.5; expected a number in [0, 10]"),
    ("a text value", '[reforms.devolution]\nintensity = [[0, "full"]]\n',
     "reforms.devolution.intensity[0]: value 'full'; expected a number in [0, 10]"),
    ("too many points", "[reforms.devolution]\nintensity = ["
     + ", ".join(f"[{m}, 0.5]" for m in range(601)) + "]\n",
     "reforms.devolution.intensity: 601 points; expected at most 600"),
    ("a bad path on a switched-off reform",
     "[reforms.devolution]\nenabled = false\nintensity = [[3, 0.5], [2, 0.5]]\n",
     "reforms.devolution.intensity[1]: month 2 is not after month 3; expected strictly "
     "increasing months"),
    ("a start at the horizon with a path",
     "horizon = 24\n[reforms.devolution]\nstart = 24\nintensity = [[0, 0.5]]\n",
     "reforms.devolution.start: month 24 is at or after the horizon (24 months), so the reform "
     "would never act; expected a month < 24"),
    ("a bad policy key", "[policy]\nfunding = 0.5\n",
     "policy.funding: not a policy setting that can follow a path; expected one of "
     "punitive_accountability, silo, competitive_share, settlement_years"),
    ("a parameter that is not a policy setting", "[policy]\nlabour_tightness = 1\n",
     "policy.labour_tightness: not a policy setting that can follow a path; expected one of "
     "punitive_accountability, silo, competitive_share, settlement_years"),
    ("a policy value outside the bounds",
     "[policy]\npunitive_accountability = [[0, 0.5], [12, 1.5]]\n",
     "policy.punitive_accountability[1]: value 1.5; expected a number in [0, 1]"),
    ("a policy number outside the bounds", "[policy]\nsilo = 2\n",
     "policy.silo = 2: expected a number in [0, 1] (index 0–1) or a list of [month, value] "
     "points"),
    ("whole years below the bounds", "[policy]\nsettlement_years = [[0, 1], [24, 0]]\n",
     "policy.settlement_years[1]: value 0; expected a number in [1, 10]"),
    ("a policy value as text", '[policy]\nsilo = "low"\n',
     "policy.silo = 'low': expected a number in [0, 1] (index 0–1) or a list of [month, value] "
     "points"),
    ("policy not a table", "policy = 3\n", "policy: expected a table, got 3"),
    ("a policy path months not increasing", "[policy]\nsilo = [[5, 0.5], [5, 0.6]]\n",
     "policy.silo[1]: month 5 is not after month 5; expected strictly increasing months"),
    ("policy and world.params set one parameter",
     "[world.params]\nsilo = 0.5\n[policy]\nsilo = [[0, 0.5], [24, 0.2]]\n",
     "policy.silo: also set as a parameter; set it in one place"),
    ("policy and an uncertainty set one parameter",
     "[uncertainties.silo]\nlow = 0.2\nhigh = 0.8\n[policy]\nsilo = 0.5\n",
     "policy.silo: also set as a parameter; set it in one place"),
    ("a quoted bad key stays on one line", '[policy]\n"a\\nb" = 0.5\n',
     'policy."a\\nb": not a policy setting that can follow a path; expected one of '
     "punitive_accountability, silo, competitive_share, settlement_years"),
]


@pytest.mark.parametrize(("text", "message"), [pytest.param(t, m, id=i) for i, t, m in BAD])
def test_bad_paths_in_a_scenario_file_give_one_line_naming_file_and_key(tmp_path, text,
                                                                        message):
    path = write(tmp_path / "bad.toml", text + BASE)
    got = error_of(path)
    assert "\n" not in got
    assert got == f"{path}: {message}"


# --- what reads intensities: results, equal cost, sweeps, EMA, the app -------------------------
def test_results_show_a_path_as_its_mean_over_the_run(tmp_path):
    scenario = load_scenario(write(tmp_path / "s.toml", """
horizon = 12
[reforms.local_capacity]
intensity = [[0, 0], [12, 1.2]]
[policy]
punitive_accountability = [[0, 0.2], [6, 0.8]]
""" + BASE))
    output = execute_run(spec_for(scenario, 0))
    results = Results(months=output.months, runs=pd.DataFrame([output.run]),
                      places=output.places)
    settings = results.settings().iloc[0]
    assert settings["local_capacity.intensity"] == pytest.approx(np.mean(np.arange(12) / 10))
    expected = np.mean([0.2 + 0.1 * min(m, 6) for m in range(12)])
    assert settings["punitive_accountability"] == pytest.approx(expected)
    assert json.loads(output.run["policy"]) == {"punitive_accountability": [[0, 0.2], [6, 0.8]]}


def test_equal_cost_scales_every_value_of_a_path_capped_at_the_maximum():
    scenario = Scenario.from_mapping({"reforms": {
        "local_capacity": {"intensity": [[0, 0.5], [24, 1.5], [48, 0]]},
        "devolution": {"intensity": 0.5}}})
    assert largest_scale(scenario) == pytest.approx(2.0)  # devolution: 1 / 0.5; capacity: 3 / 1.5
    doubled = scaled(scenario, 2.0)
    assert doubled.reform_settings()["local_capacity"]["intensity"] == [[0, 1.0], [24, 3.0],
                                                                       [48, 0.0]]
    assert doubled.reform_settings()["devolution"]["intensity"] == 1.0
    capped = scaled(scenario, 3.0)
    assert capped.reform_settings()["local_capacity"]["intensity"] == [[0, 1.5], [24, 3.0],
                                                                      [48, 0.0]]


def test_a_swept_intensity_replaces_the_path_and_other_factors_keep_it(tmp_path):
    base = load_scenario(write(tmp_path / "s.toml", PATH_FILE))
    sweep = Sweep.model_validate({"scenario": base, "design": "factorial",
                                  "factors": {"local_capacity.start": {"values": [0, 12]}}})
    _, reforms = apply_point(sweep, {"local_capacity.start": 12})
    assert reforms["local_capacity"]["intensity"] == [[0, 0.3], [24, 1.0], [96, 0.5]]
    _, reforms = apply_point(sweep, {"local_capacity.intensity": 0.7})
    assert reforms["local_capacity"]["intensity"] == 0.7
    params, _ = apply_point(sweep, {"punitive_accountability": 0.3})
    spec = spec_for(base, 0, params=params)
    assert "punitive_accountability" not in spec.policy  # the swept number replaces the path
    assert spec.policy["settlement_years"] == [[0, 3.0]]
    assert spec_for(base, 0).policy["punitive_accountability"] == [[0, 0.6], [24, 0.9],
                                                                   [96, 0.4]]


def test_the_ema_connector_keeps_a_path_and_a_lever_number_replaces_it():
    path = [[0, 0.3], [24, 1.0]]
    current = {"start": 0, "end": None, "intensity": path}
    assert _reform_settings("local_capacity", current, {"start": 6})["intensity"] == path
    assert _reform_settings("local_capacity", current, {"enabled": True})["intensity"] == path
    assert _reform_settings("local_capacity", current, {"intensity": 0.5})["intensity"] == 0.5


def test_the_app_shows_a_path_at_month_0_and_keeps_it_until_the_slider_moves(tmp_path,
                                                                             monkeypatch):
    scenario = load_scenario(write(tmp_path / "s.toml", PATH_FILE))
    monkeypatch.setattr("missionsim.ui.live.base_scenario", lambda choice: scenario)
    settings = Settings.start("file")
    row = next(r for r in settings.reforms if r[0] == "local_capacity")
    assert row[2] == pytest.approx(0.3)
    assert settings.scenario().content() == scenario.content()
    moved = settings.with_reform("local_capacity", intensity=0.8).scenario()
    assert moved.reform_settings()["local_capacity"]["intensity"] == 0.8
    assert moved.policy == scenario.policy
