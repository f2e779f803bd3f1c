"""Advice files and flags: every bad value is one line naming the file and key (or the flag)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from missionsim.analysis.advise import load_settings, make_plan, targeting_available
from missionsim.analysis.advise.settings import OBJECTIVES
from missionsim.cli import main
from missionsim.errors import ScenarioError
from missionsim.limits import MAX_FUTURES

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = """\
name = "small_base"
horizon = 36
replicates = 1
seed = 3
[world]
preset = "small"
"""
GOOD = """\
budget = 5.0
[search]
reforms = ["local_capacity", "devolution"]
intensities = [0.5, 1.0]
starts = [0, 12]
population = 4
generations = 2
[futures]
count = 2
"""


def write_files(tmp_path: Path, advice: str, scenario: str = SCENARIO) -> Path:
    (tmp_path / "base.toml").write_text(scenario, encoding="utf-8")
    path = tmp_path / "advice.toml"
    path.write_text('scenario = "base.toml"\n' + textwrap.dedent(advice), encoding="utf-8")
    return path


def problem_of(path: Path) -> str:
    with pytest.raises(ScenarioError) as info:
        make_plan(load_settings(path))
    message = str(info.value)
    assert "\n" not in message and "\r" not in message, repr(message)
    return message


def test_the_good_file_makes_a_plan(tmp_path):
    plan = make_plan(load_settings(write_files(tmp_path, GOOD)))
    assert plan.budget == 5.0 and plan.scenario.horizon == 36 and plan.seed == 3
    assert [g.reform for g in plan.space.genes] == ["local_capacity", "devolution"]
    assert plan.space.genes[1].intensities == (0.5, 1.0)
    assert plan.objectives == OBJECTIVES and plan.futures == 2
    assert plan.space.size() == (1 + 2 * 2) ** 2


BAD = [
    # (what is changed in the good file, the key named, a phrase of what was expected)
    ("budget = -5.0", "budget", "expected an amount in £m"),
    ('budget = "lots"', "budget", "expected an amount in £m"),
    ("budget = true", "budget", "expected"),
    ("budgett = 5", "budgett", "unknown key; expected one of name, description, scenario"),
    ("horizon = 24", "horizon", "expected a horizon of at least 36 months"),
    ("horizon = 0", "horizon", "expected a value ≥ 1"),
    ("seed = -1", "seed", "expected a value ≥ 0"),
    ("discount_rate = 0.9", "discount_rate", "expected a value ≤ 0.5"),
    ('objectives = ["speed"]', "objectives[0]", "'speed' is not an objective"),
    ('objectives = ["cost", "cost"]', "objectives[1]", "listed twice"),
    ("objectives = []", "objectives", "at least 1 item"),
    ('measure = "median"', "measure", "expected one of mean, p10, got 'median'"),
    ("[search]\npopulation = 1", "search.population", "expected a value ≥ 2, got 1"),
    ('[search]\npopulation = "ten"', "search.population", "expected a whole number"),
    ("[search]\ngenerations = 0", "search.generations", "expected a value ≥ 1"),
    ("[search]\nmax_reforms = 0", "search.max_reforms", "expected a value ≥ 1"),
    ("[search]\nspeed = 2", "search.speed", "unknown key; expected one of reforms"),
    ('[search]\nreforms = ["devolutoin"]', "search.reforms[0]", "'devolutoin' is not a reform"),
    ('[search]\nreforms = ["devolution", "devolution"]', "search.reforms[1]", "listed twice"),
    ("[search]\nreforms = []", "search.reforms", "at least 1 item"),
    ("[search]\nintensities = [0.0]", "search.intensities[0]", "expected intensities in (0,"),
    ("[search]\nintensities = [1.0, 1.0]", "search.intensities[1]", "listed twice"),
    ('[search]\nreforms = ["devolution"]\nintensities = [1.5]', "search.intensities",
     "no value is within devolution's largest intensity (1"),
    ("[search.reform_intensities]\nlocal_capacity = [4.0]",
     "search.reform_intensities.local_capacity[0]", "above local_capacity's largest intensity"),
    ("[search.reform_intensities]\nmission_leadership = [1.0]",
     "search.reform_intensities.mission_leadership", "not a reform the search may include"),
    ("[search]\nstarts = [0, 40]", "search.starts[1]", "expected a start month in [0, 35]"),
    ("[search]\nstarts = [12, 12]", "search.starts[1]", "listed twice"),
    ('[search]\ntargets = ["everywhere"]', "search.targets[0]", "expected \"all\""),
    ('[search]\ntargets = ["all", "all"]', "search.targets[1]", "listed twice"),
    ('[search]\ntargets = ["all", { capacity_below = 2 }]', "search.targets[1]",
     "capacity_below: expected a capacity between 0 and 1"),
    ('[search]\ntargets = [{ deprivation_deciles = [11] }]', "search.targets[0]",
     "deprivation_deciles: expected a list of whole numbers from 1"),
    ('[search]\ntargets = [3]', "search.targets[0]", "expected \"all\" or a table"),
    ('[search]\nreforms = ["long_term_funding"]\ntargets = ["all", { capacity_below = 0.5 }]',
     "search.targets[1]", "none of search.reforms can be targeted"),
    ("[futures]\ncount = 0", "futures.count", "expected a value ≥ 1"),
    (f"[futures]\ncount = {MAX_FUTURES + 1}", "futures.count", f"≤ {MAX_FUTURES}"),
    ('[futures]\nfactors = "some"', "futures.factors", "expected one of all, assumptions"),
    ('[futures]\nfactors = ["nonsense"]', "futures.factors[0]",
     "is not a declared assumption or uncertainty"),
    ("[search]\npopulation = 1000\ngenerations = 1000", "search.population",
     "expected at most 1,000,000"),
]


@pytest.mark.parametrize(("change", "key", "expected"), BAD, ids=[b[1] + ":" + b[0][:20]
                                                                  for b in BAD])
def test_each_bad_value_is_one_line_naming_file_and_key(tmp_path, change, key, expected):
    text = _changed(GOOD, change)
    path = write_files(tmp_path, text)
    message = problem_of(path)
    assert message.startswith(f"{path}: {key}: "), message
    assert expected in message, message


def _changed(good: str, change: str) -> str:
    """The good file with ``change``'s keys replacing its own (in the same table)."""
    table, _, body = change.rpartition("\n") if change.startswith("[") else ("", "", change)
    if table:
        lines = change.split("\n")
        table, keys = lines[0], lines[1:]
    else:
        keys = [change]
    names = {k.split("=")[0].strip() for k in keys}
    out, current = [], ""
    for line in good.splitlines():
        if line.startswith("["):
            current = line
        if current == table and line.split("=")[0].strip() in names:
            continue
        out.append(line)
    if table and table in out:
        at = out.index(table) + 1
        out[at:at] = keys
    elif table:
        out += [table, *keys]
    else:
        out = keys + out
    return "\n".join(out) + "\n"


def test_a_missing_budget_and_a_missing_scenario_are_named(tmp_path):
    path = write_files(tmp_path, GOOD.replace("budget = 5.0\n", ""))
    assert problem_of(path).startswith(f"{path}: budget: required")
    lone = tmp_path / "lone.toml"
    lone.write_text(GOOD, encoding="utf-8")
    assert problem_of(lone).startswith(f"{lone}: scenario: expected the scenario")


def test_a_reform_already_in_the_scenario_is_refused(tmp_path):
    path = write_files(tmp_path, GOOD, SCENARIO + "[reforms.devolution]\nstart = 0\n")
    assert "search.reforms[1]: devolution is already in the scenario" in problem_of(path)


def test_an_unreadable_file_is_one_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("budget = = 5\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_settings(path)
    assert str(info.value).startswith(f"{path}: not valid TOML")


def test_targeting_options_follow_the_scenario_schema(tmp_path):
    text = GOOD.replace("[futures]", "targets = [\"all\", { deprivation_deciles = [8, 9, 10] }]"
                        "\n[futures]")
    path = write_files(tmp_path, text)
    if targeting_available():
        plan = make_plan(load_settings(path))
        assert plan.space.targets[1] == {"deprivation_deciles": [8, 9, 10]}
    else:
        assert problem_of(path) == (f"{path}: search.targets[1]: place targeting is not "
                                    "available in this version of missionsim; expected \"all\"")


FLAGS = [
    (["--budget", "lots"], "--budget: expected an amount in £m"),
    (["--population", "1"], "--population: expected a value ≥ 2, got 1"),
    (["--reforms", "local_capacity,devolutoin"], "--reforms: 'devolutoin' is not a reform"),
    (["--intensities", "0.5,x"], "--intensities = '0.5,x': expected numbers separated by "
                                 "commas"),
    (["--starts", "0,99"], "--starts: month 99; expected a start month in [0, 35]"),
    (["--objectives", "speed"], "--objectives: 'speed' is not an objective"),
    (["--measure", "median"], "--measure: expected one of mean, p10"),
    (["--futures", "0"], "--futures: expected a value ≥ 1"),
    (["--factors", "nonsense"], "--factors: 'nonsense' is not a declared assumption"),
    (["--horizon", "24"], "--horizon: 24 months end before the mission's deadline"),
]


@pytest.mark.parametrize(("flags", "expected"), FLAGS, ids=[f[0][0] for f in FLAGS])
def test_flags_override_the_file_and_are_named_in_errors(tmp_path, capsys, flags, expected):
    path = write_files(tmp_path, GOOD)
    status = main(["advise", "--settings", str(path), "--out", str(tmp_path / "out"),
                   "--no-progress", *flags])
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert err == f"missionsim: error: {expected}" or err.startswith(
        f"missionsim: error: {expected}"), err
    assert "\n" not in err
    assert not (tmp_path / "out" / "store").exists()


def test_flags_win_over_the_file(tmp_path):
    path = write_files(tmp_path, GOOD)
    settings = load_settings(path, {"population": 6, "budget": "£7.5m", "factors":
                                    "uncertainties"}, {"population": "--population"})
    plan = make_plan(settings)
    assert settings.search.population == 6 and plan.budget == 7.5
    assert settings.search.generations == 2  # the file's, untouched
    assert set(plan.factors) <= {"labour_market_tightness", "programme_success_share",
                                 "funding_shock", "funding_shock_month", "demand_shock",
                                 "demand_shock_month", "response_lag"}


def test_the_shipped_example_is_valid():
    plan = make_plan(load_settings(ROOT / "advise" / "early_years.toml"))
    assert plan.budget > 0 and plan.scenario.horizon >= plan.deadline
    assert len(plan.space.genes) == 9


def test_scenario_params_are_held_not_varied(tmp_path):
    scenario = SCENARIO + "[world.params]\nlabour_market_tightness = 2.0\n"
    plan = make_plan(load_settings(write_files(tmp_path, GOOD, scenario)))
    assert "labour_market_tightness" in plan.held
    assert "labour_market_tightness" not in plan.factors
