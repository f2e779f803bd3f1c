"""Sweep files, designs, runs (missionsim.experiments.sweeps) and their sensitivity analysis
(missionsim.analysis.sensitivity)."""

from __future__ import annotations

import itertools
import math
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from missionsim.analysis.sensitivity import sensitivity
from missionsim.experiments.options import RunOptions
from missionsim.experiments.results import Results
from missionsim.experiments.runner import replicate_seed
from missionsim.experiments.scenario import ScenarioError
from missionsim.experiments.sweeps import (
    Sweep,
    design_points,
    load_sweep,
    run_sweep,
    specs,
)
from missionsim.model.params import PARAMETERS, uncertainties

SWEEPS = Path(__file__).resolve().parents[2] / "sweeps"
SERIAL = RunOptions(workers=1)
SMALL = {"name": "toy", "world": {"preset": "small"}, "horizon": 24}
N_PLACES = 10  # localities of the small preset
LOCAL_CAPACITY_COST = 0.25 * N_PLACES / 12.0  # £m a month at full intensity (small preset)
DEVOLUTION_COST = 0.05 * N_PLACES / 12.0


def make(factors, design="lhs", scenario=None, **keys) -> Sweep:
    data = {"name": "t", "scenario": dict(scenario or SMALL), "design": design,
            "factors": factors, **keys}
    return Sweep.from_mapping(data, source="t.toml")


def write(tmp_path: Path, text: str, name: str = "bad.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


# --- designs ---------------------------------------------------------------------------------
def test_factorial_design_is_the_product_of_levels_in_order():
    sweep = make({"devolution.start": {"values": [0, 12, 23]},
                  "punitive_accountability": {"values": [0.2, 0.9]},
                  "settlement_years": {"low": 1, "high": 3}}, design="factorial")
    points = design_points(sweep)
    expected = list(itertools.product([0, 12, 23], [0.2, 0.9], [1, 3]))
    assert sweep.n_points == len(points) == 3 * 2 * 2
    assert [tuple(row) for row in points.itertuples(index=False)] == expected
    assert list(points.columns) == ["devolution.start", "punitive_accountability",
                                    "settlement_years"]
    assert points["devolution.start"].dtype == np.int64
    assert points.index.name == "point"


def test_a_start_at_or_after_the_horizon_is_refused_naming_the_factor_and_point():
    with pytest.raises(ScenarioError) as info:
        make({"devolution.start": {"values": [0, 24]}}, design="factorial")
    assert str(info.value) == (
        't.toml: factors."devolution.start": point 1 sets devolution start = 24, at or after the '
        "horizon (24 months), so the reform would never act; expected a month < 24")


def test_a_world_factor_beyond_the_size_limit_is_refused_naming_the_point():
    with pytest.raises(ScenarioError) as info:
        make({"staff_per_1000": {"values": [50.0, 500.0]}, "cohort_total": {"values": [
            38_500, 5_000_000]}}, design="factorial")
    message = str(info.value)
    assert message.startswith("t.toml: factors: point 3: world: about 2,500,")
    assert message.endswith("expected at most 300,000 (ten times England)")


def test_lhs_puts_one_point_in_each_stratum_of_every_factor_within_bounds():
    bounds = {"punitive_accountability": (0.2, 0.9), "labour_market_tightness": (0.5, 2.0),
              "devolution.intensity": (0.0, 1.0)}
    n = 25
    sweep = make({k: {"low": lo, "high": hi} for k, (lo, hi) in bounds.items()}, samples=n)
    points = design_points(sweep)
    assert len(points) == sweep.n_points == n
    for name, (lo, hi) in bounds.items():
        x = points[name].to_numpy()
        assert ((x >= lo) & (x <= hi)).all()
        strata = np.floor((x - lo) / (hi - lo) * n).astype(int)
        assert sorted(strata) == list(range(n)), name


def test_morris_design_has_r_trajectories_of_k_plus_one_points_one_factor_per_step():
    factors = {"punitive_accountability": {"low": 0.2, "high": 0.9},
               "devolution.intensity": {"low": 0.0, "high": 1.0},
               "response_lag": {"low": 0.5, "high": 2.0}}
    r, k = 6, 3
    sweep = make(factors, design="morris", samples=r, levels=4)
    points = design_points(sweep).to_numpy()
    assert len(points) == sweep.n_points == r * (k + 1)
    for t in range(r):
        block = points[t * (k + 1):(t + 1) * (k + 1)]
        changed = [np.flatnonzero(~np.isclose(a, b)) for a, b in zip(block, block[1:],
                                                                     strict=False)]
        assert all(len(c) == 1 for c in changed)
        assert sorted(int(c[0]) for c in changed) == list(range(k))  # each factor moves once
    grid = np.linspace(0.2, 0.9, 4)
    assert all(np.isclose(grid, v).any() for v in points[:, 0])  # the 4-level grid


@pytest.mark.parametrize(("second_order", "per_base"), [(False, 3 + 2), (True, 2 * 3 + 2)])
def test_sobol_design_has_n_times_k_plus_two_points(second_order, per_base):
    factors = {"punitive_accountability": {"low": 0.2, "high": 0.9},
               "devolution.intensity": {"low": 0.0, "high": 1.0},
               "response_lag": {"low": 0.5, "high": 2.0}}
    sweep = make(factors, design="sobol", samples=16, second_order=second_order)
    points = design_points(sweep)
    assert len(points) == sweep.n_points == 16 * per_base
    assert points["response_lag"].between(0.5, 2.0).all()


def test_same_sweep_gives_the_same_design_and_runs_and_another_seed_another_design(tmp_path):
    text = """
        name = "same"
        scenario = { world = { preset = "small" }, horizon = 12 }
        design = "lhs"
        samples = 8
        replicates = 2
        seed = 7
        [factors.punitive_accountability]
        low = 0.2
        high = 0.9
        [factors."devolution.start"]
        low = 0
        high = 12
    """
    a, b = load_sweep(write(tmp_path, text, "a.toml")), load_sweep(write(tmp_path, text,
                                                                         "b.toml"))
    pd.testing.assert_frame_equal(design_points(a), design_points(b))
    assert specs(a) == specs(b)
    other = load_sweep(write(tmp_path, text.replace("seed = 7", "seed = 8"), "c.toml"))
    assert not np.allclose(design_points(other)["punitive_accountability"],
                           design_points(a)["punitive_accountability"])
    assert specs(other)[0].seed == replicate_seed(8, 0) != specs(a)[0].seed


def test_whole_number_factors_are_rounded_and_stay_in_range():
    sweep = make({"settlement_years": {"low": 1, "high": 5},
                  "devolution.start": {"low": 0, "high": 24},
                  "devolution.end": {"low": 30, "high": 60}}, samples=20)
    points = design_points(sweep)
    for name, (lo, hi) in {"settlement_years": (1, 5), "devolution.start": (0, 24),
                           "devolution.end": (30, 60)}.items():
        assert points[name].dtype == np.int64
        assert points[name].between(lo, hi).all()
    assert set(points["settlement_years"]) == {1, 2, 3, 4, 5}
    for spec in specs(sweep):
        assert type(spec.params["settlement_years"]) is int
        assert type(spec.reforms["devolution"]["start"]) is int
        assert type(spec.reforms["devolution"]["end"]) is int


def test_runs_share_seeds_across_points_and_reform_factors_add_or_change_reforms():
    base = {**SMALL, "reforms": {"devolution": {"start": 12, "intensity": 0.5}}}
    sweep = make({"devolution.intensity": {"values": [0.25, 1.0]},
                  "local_capacity.intensity": {"values": [0.5]}},
                 design="factorial", scenario=base, replicates=3, seed=11)
    runs = specs(sweep)
    assert len(runs) == 2 * 3
    assert len({s.run_id for s in runs}) == len(runs)
    assert runs[4].run_id == "toy/p00001/r0001"
    for r in range(3):
        assert {s.seed for s in runs if s.replicate == r} == {replicate_seed(11, r)}
    first = runs[0]
    assert first.reforms["devolution"] == {"start": 12, "end": None, "intensity": 0.25}
    assert first.reforms["local_capacity"] == {"start": 0, "end": None, "intensity": 0.5}
    assert first.factors == {"devolution.intensity": 0.25, "local_capacity.intensity": 0.5}


def test_shipped_sweeps_load_and_morris_screens_every_uncertainty():
    files = sorted(SWEEPS.glob("*.toml"))
    assert {f.name for f in files} >= {"morris_uncertainties.toml", "sobol_leading.toml",
                                       "lhs_reform_intensity.toml", "factorial_timing.toml"}
    sweeps = {f.stem: load_sweep(f) for f in files}
    assert {s.design for s in sweeps.values()} == {"factorial", "lhs", "morris", "sobol"}
    morris = sweeps["morris_uncertainties"]
    assert morris.design == "morris"
    assert set(morris.factors) == {p.name for p in uncertainties()}
    assert morris.scenario.name == "baseline"
    assert 3 <= len(sweeps["sobol_leading"].factors) <= 4
    assert all(n.endswith(".intensity") for n in sweeps["lhs_reform_intensity"].factors)
    assert all(n.endswith(".start") for n in sweeps["factorial_timing"].factors)


def test_a_summary_names_a_few_factors_and_counts_the_rest():
    """A summary is one readable line: every name of a short list, the first six of a long
    one and how many more (the robustness study screens over 180)."""
    names = [p.name for p in PARAMETERS.values()
             if isinstance(p.default, float) and p.low < p.high][:40]
    short = make({n: {"low": PARAMETERS[n].low, "high": PARAMETERS[n].high} for n in names[:8]},
                 samples=4)
    assert all(n in short.summary() for n in names[:8])
    long = make({n: {"low": PARAMETERS[n].low, "high": PARAMETERS[n].high} for n in names},
                samples=4)
    line = long.summary()
    assert "over 40 factor(s) (" in line and "and 34 more)" in line
    assert [n for n in names if f"{n}," in line or f"{n} and" in line] == names[:6]


# --- bad files -------------------------------------------------------------------------------
GOOD = """
    scenario = { world = { preset = "small" }, horizon = 24, reforms = { devolution = { start = 0, end = 12 } } }
    design = "lhs"
    samples = 4
    [factors.punitive_accountability]
    low = 0.2
    high = 0.9
"""  # noqa: E501

BAD = [
    ("unknown key", ("samples = 4", "samples = 4\nsample = 3"),
     "sample: unknown key; expected one of name, description, scenario, design, samples"),
    ("unknown factor key", ("low = 0.2", "lo = 0.2"),
     "factors.punitive_accountability.lo: unknown key; expected one of low, high, values"),
    ("low above high", ("high = 0.9", "high = 0.1"),
     "factors.punitive_accountability.high: expected a finite number > low (0.2), got 0.1"),
    ("unknown factor", ("factors.punitive_accountability", "factors.punitive_acountability"),
     "factors.punitive_acountability: unknown factor; expected a parameter"),
    ("unknown reform", ("factors.punitive_accountability", 'factors."teleport.intensity"'),
     "factors.\"teleport.intensity\": unknown reform 'teleport'; expected one of"),
    ("unknown reform setting", ("factors.punitive_accountability", 'factors."devolution.size"'),
     "factors.\"devolution.size\": unknown reform setting 'size'; expected start, end, "
     "intensity"),
    ("outside the parameter's range", ("high = 0.9", "high = 1.5"),
     "factors.punitive_accountability: expected low and high within [0, 1] (index 0–1), "
     "got [0.2, 1.5]"),
    ("values only in lhs", ("low = 0.2\nhigh = 0.9", "values = [0.2, 0.5]"),
     "factors.punitive_accountability: design 'lhs' needs low and high (values are the levels "
     "of factorial designs)"),
    ("bound too large for a float", ("high = 0.9", f"high = 1{'0' * 400}"),
     "factors.punitive_accountability.high: expected a number, got 1000"),
    ("bad design", ('design = "lhs"', 'design = "grid"'),
     "design: expected one of factorial, lhs, morris, sobol, got 'grid'"),
    ("reform end not after start",
     ("factors.punitive_accountability", 'factors."devolution.start"'),
     "factors.\"devolution.start\": point "),
    ("sobol samples not a power of two",
     ('design = "lhs"\nsamples = 4', 'design = "sobol"\nsamples = 6'),
     "samples: design 'sobol' needs a power of two (base sample size N), got 6"),
    ("samples of the wrong type", ("samples = 4", 'samples = "4"'),
     "samples: expected a whole number, got '4'"),
    ("missing samples", ("samples = 4", ""),
     "samples: required for design 'lhs' (the number of points)"),
    ("unknown metric", ("samples = 4", 'samples = 4\noutput = { metric = "happiness" }'),
     "output.metric: unknown reporter 'happiness'; expected one of outcome,"),
    ("month after the horizon", ("samples = 4", "samples = 4\noutput = { month = 36 }"),
     "output.month: expected a month in [0, 24] (the scenario's horizon), got 36"),
    ("bad inline scenario", ("horizon = 24", 'horizon = "24"'),
     "scenario.horizon: expected a whole number, got '24'"),
    ("missing scenario file", ('scenario = { world = { preset = "small" }, horizon = 24, '
                               'reforms = { devolution = { start = 0, end = 12 } } }',
                               'scenario = "nowhere.toml"'),
     "scenario: no such file "),
]


@pytest.mark.parametrize(("edit", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_sweep_files_give_one_line_messages(tmp_path, edit, message):
    old, new = edit
    text = textwrap.dedent(GOOD)
    assert old in text
    text = text.replace(old, new)
    if "devolution.start" in new:  # the base reform ends at month 12; start sweeps to 20
        text = text.replace("low = 0.2", "low = 0").replace("high = 0.9", "high = 20")
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_sweep(path)
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith(f"{path}: {message}"), text


def test_reform_start_meeting_end_names_the_factor_and_point(tmp_path):
    path = write(tmp_path, """
        scenario = { world = { preset = "small" }, horizon = 24, reforms = { devolution = { end = 12 } } }
        design = "factorial"
        [factors."devolution.start"]
        values = [0, 6, 12]
    """)  # noqa: E501
    with pytest.raises(ScenarioError) as info:
        load_sweep(path)
    assert str(info.value) == (f"{path}: factors.\"devolution.start\": point 2 sets devolution "
                               "start = 12 and end = 12; expected end after start")


def test_the_good_file_loads_with_defaults(tmp_path):
    sweep = load_sweep(write(tmp_path, GOOD, "good.toml"))
    assert sweep.name == "good"
    assert sweep.replicates == 1
    assert sweep.seed == 2026  # the scenario's seed
    assert sweep.output.metric == "outcome"
    assert sweep.output.month == 24  # the deadline (36) is after the horizon (24)
    assert sweep.scenario.name == "good"


# --- runs and analysis -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def morris_results():
    """A toy Morris screening: a costed reform's intensity, a parameter that matters and one
    that provably has no effect (when extra mission money flows is moot when there is none)."""
    sweep = make({"local_capacity.intensity": {"low": 0.0, "high": 1.0},
                  "extra_money_start": {"low": 0, "high": 18},
                  "punitive_accountability": {"low": 0.2, "high": 0.9}},
                 design="morris", samples=4, seed=3, scenario={**SMALL, "horizon": 18},
                 output={"metric": "outcome", "month": 18})
    assert PARAMETERS["extra_mission_money"].default == 0.0
    return sweep, run_sweep(sweep, SERIAL)


def test_morris_ranks_factors_that_matter_above_one_without_effect(morris_results):
    sweep, results = morris_results
    assert len(results.runs) == 4 * (3 + 1)
    table = sensitivity(results, sweep)
    assert table.attrs["method"] == "morris"
    assert table.attrs["metric"] == "outcome" and table.attrs["month"] == 18
    assert list(table.columns) == ["factor", "mu", "mu_star", "sigma", "mu_star_conf", "rank"]
    row = table.set_index("factor")
    assert row.loc["extra_money_start", "mu_star"] == 0.0
    assert row.loc["extra_money_start", "rank"] == 3
    assert row.loc["local_capacity.intensity", "mu_star"] > 0.0
    assert row.loc["punitive_accountability", "mu_star"] > 0.0
    assert table["mu_star"].is_monotonic_decreasing


def test_morris_on_reform_cost_recovers_the_cost_per_unit_of_intensity(morris_results):
    sweep, results = morris_results
    table = sensitivity(results, sweep, metric="reform_cost", month=12).set_index("factor")
    # reform_cost = 0.25 £m a year × 10 places / 12 × intensity; the elementary effect is the
    # change per unit of the factor's range (here 1), the same in every trajectory
    assert table.loc["local_capacity.intensity", "mu_star"] == pytest.approx(LOCAL_CAPACITY_COST)
    assert table.loc["local_capacity.intensity", "sigma"] == pytest.approx(0.0, abs=1e-12)
    assert table.loc["local_capacity.intensity", "rank"] == 1
    assert table.loc["punitive_accountability", "mu_star"] == 0.0
    assert table.loc["extra_money_start", "mu_star"] == 0.0


def test_sensitivity_refuses_results_of_another_design(morris_results):
    sweep, results = morris_results
    other = make(dict(sweep.factors), design="morris", samples=4, seed=4,
                 scenario={**SMALL, "horizon": 18})
    with pytest.raises(ValueError, match="come from another version of sweep 't'"):
        sensitivity(results, other)
    bare = Results(results.months, results.runs, results.places, {})  # e.g. hand-assembled
    with pytest.raises(ValueError, match="other values in these results"):
        sensitivity(bare, other)
    pd.testing.assert_frame_equal(sensitivity(bare, sweep), sensitivity(results, sweep))
    partial = Results(results.months[results.months["point"] != 5], results.runs,
                      results.places, results.manifest)
    with pytest.raises(ValueError, match="lack 1 of 16 design points"):
        sensitivity(partial, sweep)
    with pytest.raises(ValueError, match="metric = 'happiness'"):
        sensitivity(results, sweep, metric="happiness")


def test_sobol_indices_attribute_reform_cost_to_the_intensity_alone():
    sweep = make({"local_capacity.intensity": {"low": 0.0, "high": 1.0},
                  "punitive_accountability": {"low": 0.2, "high": 0.9}},
                 design="sobol", samples=4, second_order=True,
                 scenario={**SMALL, "horizon": 1}, output={"metric": "reform_cost"})
    results = run_sweep(sweep, SERIAL)
    assert len(results.runs) == 4 * (2 * 2 + 2)
    table = sensitivity(results, sweep)
    assert table.attrs["method"] == "sobol" and table.attrs["month"] == 1
    assert list(table.columns) == ["factor", "S1", "S1_conf", "ST", "ST_conf", "rank"]
    row = table.set_index("factor")
    assert row.loc["punitive_accountability", "ST"] == 0.0
    assert row.loc["punitive_accountability", "S1"] == pytest.approx(0.0, abs=1e-12)
    assert row.loc["local_capacity.intensity", "ST"] > 0.5
    assert row.loc["local_capacity.intensity", "rank"] == 1
    assert [(d["factor"], d["other"]) for d in table.attrs["S2"]] == [
        ("local_capacity.intensity", "punitive_accountability")]


def test_lhs_sensitivity_gives_regression_and_rank_correlation():
    sweep = make({"punitive_accountability": {"low": 0.2, "high": 0.9},
                  "local_capacity.intensity": {"low": 0.0, "high": 1.0}},
                 samples=10, scenario={**SMALL, "horizon": 1},
                 output={"metric": "reform_cost"})
    table = sensitivity(run_sweep(sweep, SERIAL), sweep)
    assert table.attrs["method"] == "src-prcc"
    assert "not shares of variance" in table.attrs["note"]
    assert table.attrs["r2"] == pytest.approx(1.0)
    row = table.set_index("factor")
    assert row.loc["local_capacity.intensity", "rank"] == 1
    assert row.loc["local_capacity.intensity", "src"] == pytest.approx(1.0)
    assert row.loc["local_capacity.intensity", "prcc"] == pytest.approx(1.0)
    assert row.loc["punitive_accountability", "src"] == pytest.approx(0.0, abs=1e-9)
    # y is a function of the intensity alone, so once its rank is controlled for nothing is
    # left to correlate with: the partial correlation is undefined
    assert np.isnan(row.loc["punitive_accountability", "prcc"])
    assert row.loc["punitive_accountability", "rank"] == 2


@pytest.fixture(scope="module")
def timing_sweep() -> Sweep:
    return make({"devolution.start": {"values": [0, 3]},
                 "local_capacity.intensity": {"values": [0.5, 1.0]}},
                design="factorial", replicates=2, seed=5, scenario={**SMALL, "horizon": 6},
                output={"metric": "reform_cost", "month": 1})


@pytest.fixture(scope="module")
def timing_results(timing_sweep) -> Results:
    return run_sweep(timing_sweep, SERIAL)


def test_reform_settings_of_a_sweep_reach_the_model_and_the_settings_table(timing_results):
    settings = timing_results.settings()
    assert len(settings) == 4 * 2
    assert (settings["devolution.start"] == settings["factor:devolution.start"]).all()
    assert (settings["local_capacity.intensity"]
            == settings["factor:local_capacity.intensity"]).all()
    assert (settings["devolution.intensity"] == 1.0).all()
    assert (settings.groupby("replicate")["seed"].nunique() == 1).all()
    # the month-1 reform cost is the cost of month 0: devolution only when it starts at 0
    month1 = timing_results.months[timing_results.months["month"] == 1].set_index("run_id")
    for row in settings.to_dict("records"):
        expected = (LOCAL_CAPACITY_COST * row["local_capacity.intensity"]
                    + DEVOLUTION_COST * (row["devolution.start"] == 0))
        assert month1.loc[row["run_id"], "reform_cost"] == pytest.approx(expected)


def test_stored_sweep_reads_back_identical_to_the_run_in_memory(tmp_path, timing_sweep,
                                                                timing_results):
    stored = run_sweep(timing_sweep, RunOptions(out=tmp_path / "out", workers=2))
    loaded = Results.load(tmp_path / "out")
    for a in (stored, loaded):
        pd.testing.assert_frame_equal(a.months, timing_results.months)
        pd.testing.assert_frame_equal(a.runs, timing_results.runs)
        pd.testing.assert_frame_equal(a.places, timing_results.places)
    manifest = loaded.manifest
    assert manifest["kind"] == "sweep" and manifest["design"] == "factorial"
    assert manifest["baseline"] == "toy" and manifest["replicates"] == 2
    assert manifest["root_seed"] == 5 and manifest["planned"] == 8
    assert manifest["points"][3] == {"point": 3, "devolution.start": 3,
                                     "local_capacity.intensity": 1.0}
    assert manifest["output"] == {"metric": "reform_cost", "month": 1}
    assert list(manifest["scenarios"]) == ["toy"]
    pd.testing.assert_frame_equal(sensitivity(loaded, timing_sweep),
                                  sensitivity(timing_results, timing_sweep))
    resumed = run_sweep(timing_sweep, RunOptions(out=tmp_path / "out", resume=True, workers=1))
    pd.testing.assert_frame_equal(resumed.months, timing_results.months)
    assert math.isclose(sensitivity(resumed, timing_sweep).attrs["r2"], 1.0)
