"""Scenario files: shipped files, ``extends`` chains, one-line errors, digests, uncertainties."""

import math
import os
import shutil

import mutation
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from scenario_files import error_of, write

from missionsim.experiments.runner import draw_uncertainties, replicate_seed, run, spec_for
from missionsim.experiments.scenario import (
    MAX_EXTENDS_DEPTH,
    Scenario,
    ScenarioError,
    load_scenario,
    shipped,
)
from missionsim.experiments.scenario_tables import (
    MAX_TITLE_CHARS,
    pairing_problem,
    readable_title,
)
from missionsim.experiments.study import compare
from missionsim.files import merge, read_chain
from missionsim.model.missions import MISSIONS
from missionsim.model.params import PARAMETERS, PRESETS
from missionsim.model.reforms import PATH_SETTINGS, REFORMS

EXAMPLES = int(os.environ.get("MISSIONSIM_PROPERTY_EXAMPLES", 150))
SHIPPED = shipped()


def assert_one_line(message: str, prefix: str) -> None:
    assert "\n" not in message and "\r" not in message, repr(message)
    assert message.startswith(prefix), (prefix, message)


# --- shipped scenarios ------------------------------------------------------------------------
def test_scenarios_are_shipped():
    assert {"baseline", "devolution", "all_reforms", "england_early_years"} <= set(SHIPPED)
    assert list(SHIPPED) == sorted(SHIPPED)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_scenario_validates_and_runs(name):
    path = SHIPPED[name]
    scenario = load_scenario(path)
    assert scenario.name == path.stem == name
    assert scenario.source == str(path)
    assert set(scenario.reforms) <= set(REFORMS)
    # short, but long enough for every reform to start (a later start is refused)
    horizon = max([3, *(s["start"] + 1 for s in scenario.reform_settings().values())])
    out = run(scenario.with_changes(horizon=horizon), seed=1)
    assert out.months["month"].tolist() == list(range(horizon + 1))  # month 0, then each month
    assert (out.months["scenario"] == name).all()
    assert out.run["horizon"] == horizon and out.run["seed"] == 1
    assert math.isfinite(out.run["outcome_end"])


# --- extends ----------------------------------------------------------------------------------
PARENT = """
name = "parent"
description = "the parent"
horizon = 60
replicates = 4
[world]
preset = "small"
[world.params]
silo = 0.5
trust_start = 0.3
[reforms.devolution]
start = 6
intensity = 0.5
[reforms.local_capacity]
[uncertainties.labour_market_tightness]
low = 0.8
high = 1.5
"""


def test_child_overrides_parent_and_tables_merge_key_by_key(tmp_path):
    write(tmp_path / "parent.toml", PARENT)
    child = write(tmp_path / "child.toml", """
extends = "parent.toml"
horizon = 36
[world.params]
silo = 0.9
deprivation_sd = 0.1
[reforms.devolution]
intensity = 1.0
""")
    s = load_scenario(child)
    assert s.horizon == 36 and s.replicates == 4
    assert s.world.preset == "small"
    assert s.world.params == {"silo": 0.9, "trust_start": 0.3, "deprivation_sd": 0.1}
    assert s.reforms["devolution"].start == 6  # kept from the parent's table
    assert s.reforms["devolution"].intensity == 1.0
    assert s.reform_settings() == {
        "devolution": {"start": 6, "end": None, "intensity": 1.0},
        "local_capacity": {"start": 0, "end": None, "intensity": 1.0},
    }
    assert s.uncertainties["labour_market_tightness"].high == 1.5
    assert "extends" not in read_chain(child)


def test_enabled_false_drops_an_inherited_reform(tmp_path):
    write(tmp_path / "parent.toml", PARENT)
    child = write(tmp_path / "child.toml",
                  'extends = "parent.toml"\n[reforms.devolution]\nenabled = false\n')
    s = load_scenario(child)
    assert s.reforms["devolution"].enabled is False
    assert set(s.reform_settings()) == {"local_capacity"}
    plain = write(tmp_path / "plain.toml",
                  'extends = "parent.toml"\n[reforms.devolution]\nintensity = 0.5\n')
    assert load_scenario(plain).reforms["devolution"].enabled is True


def test_name_and_description_are_not_inherited(tmp_path):
    write(tmp_path / "parent.toml", PARENT)
    child = write(tmp_path / "my_child.toml", 'extends = "parent.toml"\n')
    s = load_scenario(child)
    assert s.name == "my_child"
    assert s.description == ""
    named = write(tmp_path / "named.toml",
                  'extends = "parent.toml"\nname = "other"\ndescription = "mine"\n')
    s = load_scenario(named)
    assert (s.name, s.description) == ("other", "mine")


def test_every_shipped_scenario_has_its_own_plain_title():
    titles = {name: load_scenario(path).title for name, path in SHIPPED.items()}
    assert len(set(titles.values())) == len(titles)  # a picker can tell them apart
    for name, title in titles.items():
        assert title != readable_title(name), name  # a title of its own, not the fallback
        assert "_" not in title and "\n" not in title and len(title) <= MAX_TITLE_CHARS


def test_a_title_is_not_inherited_and_falls_back_to_the_readable_name(tmp_path):
    write(tmp_path / "parent.toml", 'title = "The parent"\n' + PARENT)
    child = write(tmp_path / "rough_child_2.toml", 'extends = "parent.toml"\n')
    assert load_scenario(child).title == "Rough child 2"
    titled = write(tmp_path / "titled.toml", 'extends = "parent.toml"\ntitle = "Mine"\n')
    assert load_scenario(titled).title == "Mine"
    assert load_scenario(tmp_path / "parent.toml").title == "The parent"
    assert Scenario.from_mapping({"name": "my_world"}).title == "My world"
    long = Scenario.from_mapping({"name": "n" * 100}).title  # a long name: a cut title
    assert len(long) == MAX_TITLE_CHARS and long.endswith("…")


@pytest.mark.parametrize(("value", "phrase"), [
    ('""', "title: expected a non-empty string"),
    ('"two\\nlines"', "title: expected one line of plain text"),
    (f'"{"x" * 81}"', "title: String should have at most 80 characters"),
    ("3", "title: expected a string, got 3"),
])
def test_a_bad_title_is_one_line_naming_the_file_and_key(tmp_path, value, phrase):
    bad = write(tmp_path / "bad.toml", f"title = {value}\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(bad)
    assert_one_line(str(err.value), str(bad))
    assert phrase in str(err.value)


def test_scenarios_of_different_worlds_or_missions_are_not_paired():
    base = Scenario.from_mapping({"name": "a", "title": "Plain", "world": {"preset": "small"}})
    devolved = base.with_changes(name="b", title="Devolved",
                                 reforms={"devolution": {"intensity": 0.5}})
    assert pairing_problem([base, devolved]) == ""  # the same world: paired
    conditions = base.with_changes(name="c", world={"preset": "small",
                                                     "params": {"silo": 0.5}})
    assert pairing_problem([base, conditions]) == ""  # conditions, not the world's make-up
    workshop = base.with_changes(name="w", title="Workshop", world={"preset": "workshop"})
    message = pairing_problem([base, devolved, workshop])
    assert message.startswith("'Plain' (a) and 'Workshop' (w) run in different worlds")
    assert "small world" in message and "workshop world" in message and "\n" not in message
    bigger = base.with_changes(name="n", world={"preset": "small",
                                                 "params": {"n_localities": 12}})
    assert "n_localities 12" in pairing_problem([base, bigger])
    homeless = base.with_changes(name="h", mission="rough_sleeping")
    assert "pursue different missions (early_years and rough_sleeping)" in pairing_problem(
        [base, homeless])


def test_compare_refuses_unpaired_scenario_files_in_one_line(tmp_path):
    small = write(tmp_path / "small.toml", '[world]\npreset = "small"\n')
    workshop = write(tmp_path / "workshop.toml", '[world]\npreset = "workshop"\n')
    with pytest.raises(ScenarioError) as err:
        compare([small, workshop], replicates=2)
    assert_one_line(str(err.value), "compare: 'Small' (small.toml) and 'Workshop' "
                                    "(workshop.toml) run in different worlds")


def test_relative_extends_resolve_from_each_files_folder(tmp_path, monkeypatch):
    write(tmp_path / "base" / "parent.toml", PARENT)
    write(tmp_path / "one" / "child.toml", 'extends = "../base/parent.toml"\nhorizon = 48\n')
    grandchild = write(tmp_path / "one" / "two" / "grandchild.toml",
                       'extends = "../child.toml"\nseed = 7\n[world.params]\nsilo = 0.1\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    s = load_scenario(os.path.relpath(grandchild, elsewhere))
    assert s.name == "grandchild"
    assert (s.horizon, s.seed, s.replicates) == (48, 7, 4)
    assert s.world.params == {"silo": 0.1, "trust_start": 0.3}
    assert set(s.reform_settings()) == {"devolution", "local_capacity"}


def test_a_chain_of_three_files(tmp_path):
    write(tmp_path / "a.toml", 'mission = "rough_sleeping"\nhorizon = 50\nreplicates = 3\n'
          '[world]\npreset = "small"\n[reforms.devolution]\nstart = 1\n')
    write(tmp_path / "b.toml", 'extends = "a.toml"\nhorizon = 40\n[reforms.devolution]\n'
          'end = 30\n[reforms.experimentation]\nstart = 2\n')
    write(tmp_path / "c.toml", 'extends = "b.toml"\nreplicates = 2\n'
          '[reforms.experimentation]\nintensity = 0.25\n')
    s = load_scenario(tmp_path / "c.toml")
    assert (s.mission, s.horizon, s.replicates, s.world.preset) == (
        "rough_sleeping", 40, 2, "small")
    assert s.reform_settings() == {
        "devolution": {"start": 1, "end": 30, "intensity": 1.0},
        "experimentation": {"start": 2, "end": None, "intensity": 0.25},
    }


def test_merge_is_recursive_and_leaves_its_inputs_alone():
    base = {"a": 1, "t": {"x": 1, "u": {"p": 1}}, "r": {"k": 2}}
    child = {"a": 2, "t": {"u": {"q": 2}}, "r": 5}
    assert merge(base, child) == {"a": 2, "t": {"x": 1, "u": {"p": 1, "q": 2}}, "r": 5}
    assert base == {"a": 1, "t": {"x": 1, "u": {"p": 1}}, "r": {"k": 2}}
    assert child == {"a": 2, "t": {"u": {"q": 2}}, "r": 5}


def test_empty_or_comment_only_file_is_refused(tmp_path):
    for text in ("", "# only a comment\n\n", "\ufeff"):
        path = write(tmp_path / "empty_one.toml", text)
        assert error_of(path) == f"{path}: holds no settings (empty or only comments)"


def test_a_file_with_one_key_takes_the_defaults_for_the_rest(tmp_path):
    path = write(tmp_path / "one_key.toml", 'name = "  one key  "\n')
    s = load_scenario(path)
    assert s.name == "one key"  # stripped
    assert s.source == str(path)
    assert (s.mission, s.world.preset, s.world.params, s.reforms, s.uncertainties) == (
        "early_years", "workshop", {}, {}, {})
    assert (s.horizon, s.replicates, s.seed, s.description) == (120, 10, 2026, "")


# --- bad files: one-line messages ---------------------------------------------------------------
ALL_REFORMS = ", ".join(sorted(REFORMS))
TOP_KEYS = "name, title, description, mission, world, reforms, policy, uncertainties, horizon, " \
    "replicates, seed, equal_cost, extends"
SEE = "unknown parameter; see `missionsim list parameters`"

def bug(name, text, expected, reason):
    """A case once mishandled; ``reason`` says how."""
    del reason
    return pytest.param(text, expected, id=name)


BAD = [  # (id, file text, the message after "FILE: ")
    ("unknown top-level key", 'colour = "red"\n',
     f"colour: unknown key; expected one of {TOP_KEYS}"),
    ("unknown key in a reform", "[reforms.devolution]\nstrat = 3\n",
     "reforms.devolution.strat: unknown key; expected one of start, end, intensity, enabled, "
     "target"),
    ("unknown key in world", "[world]\nfoo = 1\n",
     "world.foo: unknown key; expected one of preset, places, params"),
    ("unknown key in an uncertainty", "[uncertainties.silo]\nlow = 0\nhigh = 1\nmid = 0.5\n",
     "uncertainties.silo.mid: unknown key; expected one of low, high"),
    ("horizon a string", 'horizon = "ten"\n', "horizon: expected a whole number, got 'ten'"),
    ("horizon a bool", "horizon = true\n", "horizon: expected a whole number, got True"),
    ("replicates a float", "replicates = 1.5\n", "replicates: expected a whole number, got 1.5"),
    ("reforms a number", "reforms = 3\n", "reforms: expected a table, got 3"),
    ("params a list", "[world]\nparams = [1]\n", "world.params: expected a table, got [1]"),
    ("param a string", '[world.params]\nsilo = "a"\n',
     "world.params.silo: expected a number or true/false, got 'a'"),
    ("param a table", "[world.params.silo]\nx = 1\n",
     "world.params.silo: expected a number or true/false, got {'x': 1}"),
    ("start a float", "[reforms.devolution]\nstart = 1.0\n",
     "reforms.devolution.start: expected a whole number, got 1.0"),
    ("enabled a string", '[reforms.devolution]\nenabled = "no"\n',
     "reforms.devolution.enabled: expected true or false, got 'no'"),
    ("description a number", "description = 3\n", "description: expected a string, got 3"),
    ("empty name", 'name = ""\n', "name: expected a non-empty name"),
    ("blank name", 'name = "   "\n', "name: expected a non-empty name"),
    ("name with a newline", 'name = "a\\nb"\n',
     "name: expected a name of printable characters on one line, got 'a\\nb'"),
    ("name with a right-to-left override", 'name = "a\\u202eb"\n',
     "name: expected a name of printable characters on one line, got 'a\\u202eb'"),
    ("name too long", f'name = "{"n" * 101}"\n',
     "name: expected a name of at most 100 characters, got 101"),
    ("description with a NUL", 'description = "a\\u0000b"\n',
     "description: expected printable text (line breaks allowed), got control or "
     "direction-changing characters"),
    ("reform starts at the horizon", "horizon = 24\n[reforms.devolution]\nstart = 24\n",
     "reforms.devolution.start: month 24 is at or after the horizon (24 months), so the reform "
     "would never act; expected a month < 24"),
    ("reform starts after the horizon", "[reforms.devolution]\nstart = 1000000000\n",
     "reforms.devolution.start: month 1,000,000,000 is at or after the horizon (120 months), so "
     "the reform would never act; expected a month < 120"),
    ("world too large", "[world.params]\nn_localities = 400\ncharities_per_locality = 40\n"
     "staff_per_1000 = 500\ncohort_total = 5000000\n",
     "world: about 2,516,400 organisations and frontline posts (n_localities 400, "
     "charities_per_locality 40, staff_per_1000 500, cohort_total 5,000,000); expected at most "
     "300,000 (ten times England)"),
    ("world too large at the top of an uncertainty",
     "[uncertainties.staff_per_1000]\nlow = 1.0\nhigh = 500.0\n[world.params]\n"
     "cohort_total = 5000000\n",
     "world: about 2,500,270 organisations and frontline posts (n_localities 30, "
     "charities_per_locality 8, staff_per_1000 500, cohort_total 5,000,000); expected at most "
     "300,000 (ten times England)"),
    ("uncertainty low a bool", "[uncertainties.silo]\nlow = true\nhigh = 1\n",
     "uncertainties.silo.low: expected a number, got True"),
    ("intensity above the reform's maximum", "[reforms.devolution]\nintensity = 1.5\n",
     "reforms.devolution.intensity: expected at most 1 (devolution_max_intensity), got 1.5"),
    ("intensity above every maximum", "[reforms.local_capacity]\nintensity = 11\n",
     "reforms.local_capacity.intensity: expected a value ≤ 10, got 11.0"),
    ("intensity below 0", "[reforms.devolution]\nintensity = -0.5\n",
     "reforms.devolution.intensity: expected a value ≥ 0, got -0.5"),
    ("horizon 0", "horizon = 0\n", "horizon: expected a value ≥ 1, got 0"),
    ("horizon too long", "horizon = 601\n", "horizon: expected a value ≤ 600, got 601"),
    ("replicates 0", "replicates = 0\n", "replicates: expected a value ≥ 1, got 0"),
    ("negative seed", "seed = -1\n", "seed: expected a value ≥ 0, got -1"),
    ("seed beyond 63 bits", f"seed = {2**63}\n",
     f"seed: expected a value ≤ {2**63 - 1}, got {2**63}"),
    ("end 0", "[reforms.devolution]\nend = 0\n",
     "reforms.devolution.end: expected a value ≥ 1, got 0"),
    ("param out of range", "[world.params]\nsilo = 1.5\n",
     "world.params.silo: expected a value in [0, 1] (index 0–1), got 1.5"),
    ("param not finite", "[world.params]\nsilo = inf\n",
     "world.params.silo: expected a finite value in [0, 1] (index 0–1), got inf"),
    ("int param infinite", "[world.params]\nn_localities = inf\n",
     "world.params.n_localities: expected a finite value in [1, 400] (places), got inf"),
    ("int param fractional", "[world.params]\nn_localities = 2.5\n",
     "world.params.n_localities: expected a whole number in [1, 400], got 2.5"),
    ("uncertainty outside the parameter", "[uncertainties.silo]\nlow = 0.0\nhigh = 2.0\n",
     "uncertainties.silo: expected low and high within [0, 1] (index 0–1), got [0, 2]"),
    ("uncertainty low > high", "[uncertainties.silo]\nlow = 0.5\nhigh = 0.2\n",
     "uncertainties.silo: high = 0.2: expected a finite number ≥ low (0.5)"),
    ("uncertainty without high", "[uncertainties.silo]\nlow = 0.1\n",
     "uncertainties.silo.high: required key is missing"),
    ("unknown reform", "[reforms.magic]\n",
     f"reforms.magic: unknown reform; expected one of {ALL_REFORMS}"),
    ("unknown parameter", "[world.params]\nnope = 1\n", f"world.params.nope: {SEE}"),
    ("unknown uncertainty", "[uncertainties.nope]\nlow = 0\nhigh = 1\n",
     f"uncertainties.nope: {SEE}"),
    ("unknown preset", '[world]\npreset = "mars"\n',
     f"world.preset: 'mars' is not a preset; expected one of {', '.join(sorted(PRESETS))}"),
    ("unknown mission", 'mission = "moon"\n',
     f"mission: 'moon' is not a mission; expected one of {', '.join(sorted(MISSIONS))} or a "
     "mission file (.toml)"),
    ("end before start", "[reforms.devolution]\nstart = 10\nend = 5\n",
     "reforms.devolution: end = 5: expected a month after start (10)"),
    ("end equal to start", "[reforms.devolution]\nstart = 10\nend = 10\n",
     "reforms.devolution: end = 10: expected a month after start (10)"),
    ("extends a number", "extends = 3\n",
     "extends: expected the path of another scenario file, got 3"),
    ("extends empty", 'extends = ""\n',
     "extends: expected the path of another scenario file, got ''"),
    ("extends a list", 'extends = ["a.toml"]\n',
     "extends: expected the path of another scenario file, got ['a.toml']"),
    ("extends a missing file", 'extends = "missing.toml"\n',
     "extends: 'missing.toml' ({dir}/missing.toml): no such file"),
    ("extends a folder", 'extends = "."\n', "extends: '.' ({dir}): is a folder, expected a "
     ".toml file"),
    ("extends a device", 'extends = "/dev/zero"\n', "extends: '/dev/zero' (/dev/zero): is a "
     "character device, expected a regular .toml file"),
    # known bugs (see the reasons)
    bug("world a string", 'world = "x"\n', "world: expected a table, got 'x'",
        "describe_error (scenario.py:279-280): 'Input should be a valid dictionary' is matched "
        "before the longer '... or instance of' key, so the message reads 'expected a table "
        "or instance of World' (a class name)"),
    bug("reform a number", "[reforms]\ndevolution = 3\n",
        "reforms.devolution: expected a table, got 3",
        "scenario.py:279-280: 'expected a table or instance of ReformSpec'"),
    bug("key named like a union member", "[reforms.devolution]\nnone = 1\n",
        "reforms.devolution.none: unknown key; expected one of start, end, intensity, enabled, "
        "target",
        "describe_error (scenario.py:259) drops a last key named bool/int/float/str/none as "
        "if it were a union member: the path reads 'reforms.devolution'"),
    bug("top-level key named int", "int = 1\n", f"int: unknown key; expected one of {TOP_KEYS}",
        "scenario.py:259/269: the path becomes empty: 'FILE: : unknown key'"),
    bug("empty key", '"" = 1\n', f'"": unknown key; expected one of {TOP_KEYS}',
        "scenario.py:269: an empty key gives 'FILE: : unknown key' (no key path)"),
    bug("key starting with function-", '"function-x" = 1\n',
        f"function-x: unknown key; expected one of {TOP_KEYS}",
        "scenario.py:256 drops user keys starting with 'function-' from the path"),
    bug("source set in a file", 'source = "elsewhere.toml"\n',
        f"source: unknown key; expected one of {TOP_KEYS}",
        "a file may set `source` (a Scenario field; from_mapping's setdefault at scenario.py:179 "
        "lets the file's value win) though the unknown-key hint (scenario.py:312) omits it: the "
        "scenario then misreports its file"),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(*case[1:], id=case[0])
                                                 if type(case) is tuple else case
                                                 for case in BAD])
def test_bad_file_gives_one_line_naming_file_key_and_expectation(tmp_path, text, expected):
    path = write(tmp_path / "bad.toml", text)
    message = error_of(path)
    assert_one_line(message, f"{path}: ")
    assert message == f"{path}: " + expected.replace("{dir}", str(tmp_path))


@pytest.mark.parametrize(("text", "key", "phrase"), [
    ("this is not toml\n", "not valid TOML (", "line 1"),
    ("horizon = \n", "not valid TOML (", "line 1"),
    ('[world]\npreset = "small"\n[world]\n', "not valid TOML (", "line 3"),
    ("[reforms.devolution]\nintensity = nan\n", "reforms.devolution.intensity: ",
     "got nan"),
    ("[uncertainties.silo]\nlow = nan\nhigh = 0.2\n", "uncertainties.silo: ", "finite"),
    ("[world.params]\nsilo = true\n", "world.params.silo: ", "expected a number"),
    ("horizon = 1979-05-27\n", "horizon: ", "expected a whole number"),
    ("[world.params]\nsilo = 07:32:00\n", "world.params.silo: ",
     "expected a number or true/false"),
], ids=["not toml", "missing value", "table twice", "nan intensity", "nan low",
        "bool for a number", "date for horizon", "time for a param"])
def test_bad_file_key_and_phrase(tmp_path, text, key, phrase):
    path = write(tmp_path / "bad.toml", text)
    message = error_of(path)
    assert_one_line(message, f"{path}: {key}")
    assert phrase in message


def test_cycle_of_extends(tmp_path):
    a = write(tmp_path / "a.toml", 'extends = "b.toml"\n')
    b = write(tmp_path / "b.toml", 'extends = "a.toml"\nhorizon = 3\n')
    assert error_of(a) == f"{a}: extends: cycle of files (a.toml → b.toml → a.toml)"
    assert error_of(b) == f"{b}: extends: cycle of files (b.toml → a.toml → b.toml)"
    c = write(tmp_path / "c.toml", 'extends = "a.toml"\n')
    assert error_of(c) == f"{c}: extends: cycle of files (c.toml → a.toml → b.toml → a.toml)"


def test_self_extends(tmp_path):
    s = write(tmp_path / "self.toml", 'extends = "self.toml"\n')
    assert error_of(s) == f"{s}: extends: cycle of files (self.toml → self.toml)"
    via_dot = write(tmp_path / "dot.toml", 'extends = "./dot.toml"\n')
    assert error_of(via_dot) == f"{via_dot}: extends: cycle of files (dot.toml → dot.toml)"


def test_cycle_message_names_the_file_as_given(tmp_path, monkeypatch):
    write(tmp_path / "a.toml", 'extends = "b.toml"\n')
    write(tmp_path / "b.toml", 'extends = "a.toml"\n')
    monkeypatch.chdir(tmp_path)
    assert error_of("a.toml").startswith("a.toml: extends: cycle of files")


def test_extends_chain_depth_is_limited(tmp_path):
    n = MAX_EXTENDS_DEPTH
    write(tmp_path / "f0.toml", "horizon = 5\n")
    for i in range(1, n + 1):
        write(tmp_path / f"f{i}.toml", f'extends = "f{i - 1}.toml"\n')
    assert load_scenario(tmp_path / f"f{n - 1}.toml").horizon == 5  # 32 files: fine
    message = error_of(tmp_path / f"f{n}.toml")  # 33 files
    assert_one_line(message, str(tmp_path / "f"))
    assert f"extends: chain longer than {MAX_EXTENDS_DEPTH} files" in message


def test_error_in_a_parent_file_names_the_child_its_key_and_the_parent(tmp_path):
    parent = write(tmp_path / "parent.toml", "horizon = \n")
    child = write(tmp_path / "child.toml", 'extends = "parent.toml"\n')
    message = error_of(child)
    assert_one_line(message, f"{child}: extends: 'parent.toml' ({parent}): not valid TOML (")


def test_binary_file(tmp_path):
    path = tmp_path / "binary.toml"
    path.write_bytes(b"\xff\xfe\x00\x01horizon = 3\x80")
    assert error_of(path) == f"{path}: not UTF-8 text, expected a TOML file"


def test_directory_and_missing_file(tmp_path):
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    assert error_of(folder) == f"{folder}: is a folder, expected a .toml file"
    assert error_of(tmp_path) == f"{tmp_path}: is a folder, expected a .toml file"
    missing = tmp_path / "missing.toml"
    assert error_of(missing) == f"{missing}: no such file"
    assert error_of(str(missing)) == f"{missing}: no such file"


KNOWN_CRASHES = [
    ("huge int intensity", f"[reforms.devolution]\nintensity = 1{'0' * 400}\n",
     "reforms.devolution.intensity: ", "ReformSpec._int_is_float (scenario.py:85): float(value) "
     "raises OverflowError, which pydantic does not turn into a validation error"),
    ("huge int uncertainty", f"[uncertainties.silo]\nlow = 0\nhigh = 1{'0' * 400}\n",
     "uncertainties.silo.high: ", "Uncertainty._int_is_float (scenario.py:107): OverflowError"),
    ("huge int param", f"[world.params]\nsilo = 1{'0' * 400}\n", "world.params.silo: ",
     "_check_names (scenario.py:235-236) catches only ValueError; Parameter.check "
     "(params.py:83, float(value)) raises OverflowError"),
    ("huge int int-param", f"[world.params]\nn_localities = 1{'0' * 400}\n",
     "world.params.n_localities: ", "params.py:80 float(value) raises OverflowError"),
    ("extends a too-long name", f'extends = "{"x" * 300}.toml"\n', "extends: ",
     "read_chain (scenario.py:367): Path.exists() raises OSError ENAMETOOLONG"),
    ("newline in a reform name", '[reforms."a\\nb"]\n', "reforms.", "scenario.py:228 prints "
     "the raw key: the message spans two lines"),
    ("newline in a parameter name", '[world.params]\n"a\\nb" = 1\n', "world.params.",
     "scenario.py:232 prints the raw key"),
    ("newline in an unknown key", '"a\\nb" = 1\n', "", "describe_error (scenario.py:257-269) "
     "joins raw keys into the path"),
    ("newline in extends", 'extends = "a\\nb.toml"\n', "extends: ",
     "read_chain (scenario.py:368) prints the raw path"),
]


@pytest.mark.parametrize(("text", "key"), [
    pytest.param(text, key, id=name) for name, text, key, _reason in KNOWN_CRASHES])
def test_hostile_values_still_give_one_line(tmp_path, text, key):
    path = write(tmp_path / "bad.toml", text)
    message = error_of(path)
    assert_one_line(message, f"{path}: {key}")


# --- property: any mutation gives a Scenario or a one-line ScenarioError ----------------------
UNION_MEMBERS = {"bool", "int", "float", "str", "none"}
KNOWN_KEYS = sorted({"name", "description", "mission", "world", "reforms", "uncertainties",
                     "horizon", "replicates", "seed", "extends", "source", "preset", "params",
                     "start", "end", "intensity", "enabled", "low", "high", *REFORMS,
                     *list(PARAMETERS)[:12], "labour_market_tightness", "funding_shock_month",
                     "policy", *PATH_SETTINGS})
# Any key at all: empty, control characters, union member names, 'function-' prefixes.
random_keys = st.one_of(st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
                        st.sampled_from(sorted(UNION_MEMBERS) + ["function-x", ""]))
keys = st.one_of(st.sampled_from(KNOWN_KEYS), random_keys)
scalars = st.one_of(
    st.integers(-(2**63), 2**63 - 1),  # TOML integers are 64-bit
    st.integers(-3, 700),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-1.0, 2.0),
    st.booleans(),
    st.text(max_size=15),
    st.sampled_from(sorted(REFORMS) + sorted(PRESETS) + ["early_years", "rough_sleeping"]),
    st.dates(), st.datetimes(), st.times(),
)
toml_values = st.recursive(
    scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                     st.dictionaries(keys, inner, max_size=3)),
    max_leaves=8)


def _tables(data, path=()):
    """Paths of every table (dict) in ``data``, the root included."""
    yield path
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _tables(value, (*path, key))


def _at(data, path):
    for key in path:
        data = data[key]
    return data


def _deep_copy(value):
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


def _base(name: str) -> dict:
    data = read_chain(SHIPPED[name])
    return merge(data, {"world": {"preset": "small", "params": {"silo": 0.5, "n_localities": 6}},
                        "uncertainties": {"labour_market_tightness": {"low": 0.8, "high": 1.5},
                                          "funding_shock_month": {"low": 12, "high": 30}},
                        "reforms": {"local_capacity": {"start": 3, "end": 40}}})


BASES = {name: _base(name) for name in ("devolution", "mission_ready", "baseline")}
BASES["paths"] = merge(_base("baseline"), {  # intensity and policy paths to mutate
    "reforms": {"local_capacity": {"intensity": [[0, 0.5], [12, 1.0], [30, 0.2]]}},
    "policy": {"punitive_accountability": [[0, 0.6], [6, 0.9]], "settlement_years": 2}})


@st.composite
def mutated(draw):
    data = _deep_copy(BASES[draw(st.sampled_from(sorted(BASES)))])
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(list(_tables(data))))
        table = _at(data, path)
        op = draw(st.sampled_from(["delete", "insert", "replace"]))
        if op != "insert" and table:
            key = draw(st.sampled_from(sorted(table)))
            if op == "delete":
                del table[key]
            else:
                table[key] = draw(toml_values)
        else:
            table[draw(keys)] = draw(toml_values)
    return data


def check_outcome(build, *files: str) -> Scenario | None:
    """Build a scenario: it must succeed, or fail with a one-line ScenarioError that starts with
    one of ``files`` (or names a folder an ``extends`` points to) and then a key path."""
    try:
        scenario = build()
    except ScenarioError as exc:
        message = str(exc)
        assert "\n" not in message and "\r" not in message, repr(message)
        if not message.endswith(": is a folder, expected a .toml file"):
            assert message.startswith(tuple(f"{f}: " for f in files)), message
            head = message.split(": ", 1)[0]
            assert not message.startswith(": ", len(head) + 2), f"no key path: {message!r}"
        event("ScenarioError")
        return None
    event("valid scenario")
    assert isinstance(scenario, Scenario)
    # what a valid scenario is used for must work too
    assert len(scenario.digest()) == 16
    scenario.summary()
    spec = spec_for(scenario, replicate=1)
    assert set(spec.reforms) == set(scenario.reform_settings())
    return scenario


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=mutated())
def test_any_mutated_mapping_gives_a_scenario_or_a_one_line_error(data):
    check_outcome(lambda: Scenario.from_mapping(data, source="mut.toml"), "mut.toml")


@pytest.fixture(scope="module")
def text_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mutated").resolve()
    shutil.copy(SHIPPED["baseline"], folder / "baseline.toml")
    return folder


TEXTS = {name: SHIPPED[name].read_bytes() for name in ("devolution", "mission_ready")}
TEXTS["extended"] = TEXTS["devolution"] + (
    b'\nend = 30\n[world.params]\nsilo = 0.5\n[uncertainties.labour_market_tightness]\n'
    b'low = 0.8\nhigh = 1.5\n')


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(name=st.sampled_from(sorted(TEXTS)), changes=mutation.edits)
def test_any_edited_file_gives_a_scenario_or_a_one_line_error(text_folder, name, changes):
    path = text_folder / "mut.toml"
    path.write_bytes(mutation.apply(TEXTS[name], changes))
    # an error names mut.toml or the file it extends
    check_outcome(lambda: load_scenario(path), str(path), str(text_folder / "baseline.toml"))


# --- digest ----------------------------------------------------------------------------------
def test_digest_is_the_same_for_the_same_content_through_different_chains(tmp_path):
    flat = write(tmp_path / "flat.toml", """
name = "flat"
horizon = 48
[world]
preset = "small"
[world.params]
silo = 0.5
[reforms.devolution]
start = 6
intensity = 0.5
""")
    write(tmp_path / "p.toml", 'name = "p"\ndescription = "x"\nhorizon = 48\n'
          '[world]\npreset = "small"\n[reforms.devolution]\nstart = 6\n'
          "[reforms.experimentation]\n")
    chained = write(tmp_path / "chained.toml", 'extends = "p.toml"\nreplicates = 3\n'
                    "[world.params]\nsilo = 0.5\n[reforms.devolution]\nintensity = 0.5\n"
                    "[reforms.experimentation]\nenabled = false\n")
    a, b = load_scenario(flat), load_scenario(chained)
    assert a.name != b.name
    assert a.digest() == b.digest()
    assert a.content() == b.content()


def test_digest_follows_results_not_labels():
    base = Scenario.from_mapping({"name": "a", "reforms": {"devolution": {"intensity": 0.5}}})
    same = base.with_changes(name="b", description="other words", replicates=77)
    assert same.digest() == base.digest()
    stronger = base.with_changes(reforms={"devolution": {"intensity": 0.6}})
    assert stronger.digest() != base.digest()
    later = base.with_changes(reforms={"devolution": {"intensity": 0.5, "start": 1}})
    assert later.digest() != base.digest()
    assert base.with_changes(horizon=60).digest() != base.digest()
    assert base.with_changes(mission="rough_sleeping").digest() != base.digest()


# --- uncertainties: common random numbers --------------------------------------------------
UNCERTAIN = {"labour_market_tightness": {"low": 0.5, "high": 2.0},
             "funding_shock_month": {"low": 6, "high": 60}}


def test_uncertainty_draws_are_common_across_scenarios():
    a = Scenario.from_mapping({"name": "a", "uncertainties": UNCERTAIN})
    b = Scenario.from_mapping({
        "name": "b", "reforms": {"devolution": {}},
        "world": {"preset": "small", "params": {"silo": 0.2}},
        "uncertainties": {"labour_market_tightness": UNCERTAIN["labour_market_tightness"],
                          "demand_shock": {"low": 0.0, "high": 1.0}}})
    for r in range(20):
        da, db = draw_uncertainties(a, 11, r), draw_uncertainties(b, 11, r)
        assert da["labour_market_tightness"] == db["labour_market_tightness"]
        assert spec_for(a, r, root=11).seed == spec_for(b, r, root=11).seed == replicate_seed(11, r)


def test_uncertainty_draws_lie_in_range_differ_by_replicate_and_keep_types():
    s = Scenario.from_mapping({"name": "a", "uncertainties": UNCERTAIN})
    draws = [draw_uncertainties(s, 2026, r) for r in range(200)]
    tight = [d["labour_market_tightness"] for d in draws]
    month = [d["funding_shock_month"] for d in draws]
    assert all(0.5 <= v <= 2.0 and isinstance(v, float) for v in tight)
    assert all(6 <= v <= 60 and type(v) is int for v in month)
    assert len(set(tight)) == len(tight)  # every replicate differs
    assert len(set(month)) > 20
    assert min(tight) < 0.6 and max(tight) > 1.9  # spread over the range
    assert draw_uncertainties(s, 2026, 3) == draws[3]  # reproducible
    assert draw_uncertainties(s, 2027, 3) != draws[3]  # depends on the root
    spec = spec_for(s, 3)
    assert spec.params["labour_market_tightness"] == tight[3]


def test_a_point_range_draws_its_value():
    s = Scenario.from_mapping({"uncertainties": {"silo": {"low": 0.3, "high": 0.3}}})
    assert {draw_uncertainties(s, 1, r)["silo"] for r in range(5)} == {0.3}


def test_toml_values_of_every_kind_are_accepted_where_they_fit(tmp_path):
    path = write(tmp_path / "kinds.toml", """
horizon = 24
[world.params]
silo = 1            # an int for a float parameter
settlement_years = 3.0   # a whole float for an int parameter
[reforms.devolution]
intensity = 1       # an int intensity
[uncertainties.funding_shock_month]
low = 1
high = 2
""")
    s = load_scenario(path)
    assert s.reforms["devolution"].intensity == 1.0
    assert isinstance(s.reforms["devolution"].intensity, float)
    assert s.uncertainties["funding_shock_month"].low == 1.0
