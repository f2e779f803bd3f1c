"""The EMA workbench connector against the real ema_workbench: the model's inputs follow the
declarations, experiments run missionsim's own runs (seeds and all), and PRIM works on them."""

from __future__ import annotations

import math
import pickle
import subprocess
import sys

import numpy as np
import pytest

import missionsim as ms
from missionsim.connectors.ema import DEFAULT_OUTCOMES, ScenarioFunction, ema_model
from missionsim.experiments.runner import replicate_seed
from missionsim.experiments.scenario import load_scenario, shipped
from missionsim.experiments.scenario_tables import ReformSpec
from missionsim.limits import MAX_INTENSITY
from missionsim.model.missions import MISSIONS
from missionsim.model.params import PARAMETERS, uncertainties
from missionsim.model.reforms import REFORMS

ema = pytest.importorskip("ema_workbench")
prim = pytest.importorskip("ema_workbench.analysis.prim")

DEADLINE = MISSIONS["early_years"].deadline
HORIZON = DEADLINE + 6  # past the deadline, so that deadline and end values differ
LAST_MONTH = HORIZON - 1  # months are numbered from 0
N_EXPERIMENTS = 10
UNCERTAINTY_RNG = 11  # seeds of the Latin hypercube samplers, so the design is repeatable
LEVER_RNG = 12
PRIM_QUANTILE = 0.6  # cases of interest: the best 40% of outcomes at the deadline
SERIES = ["outcome"]


def small(name: str) -> ms.Scenario:
    """A shipped scenario on the 10-place world, a little past the early-years deadline."""
    return load_scenario(shipped()[name]).with_changes(world={"preset": "small"},
                                                       horizon=HORIZON)


@pytest.fixture(scope="module")
def scenario() -> ms.Scenario:
    return small("devolution")


@pytest.fixture(scope="module")
def model(scenario):
    return ema_model(scenario, time_series=SERIES)


def experiment(model):
    """Latin hypercubes over the uncertainties and the levers, paired row by row."""
    with ema.SequentialEvaluator(model) as evaluator:
        return evaluator.perform_experiments(
            scenarios=N_EXPERIMENTS, policies=N_EXPERIMENTS, combine="cycle",
            uncertainty_sampling_kwargs={"rng": UNCERTAINTY_RNG},
            lever_sampling_kwargs={"rng": LEVER_RNG})


@pytest.fixture(scope="module")
def results(model):
    return experiment(model)


# --- the model's inputs and outputs ---------------------------------------------------------
def test_uncertainties_follow_the_parameter_declarations(model):
    declared = uncertainties()
    assert [u.name for u in model.uncertainties] == [p.name for p in declared]
    for p in declared:
        u = model.uncertainties[p.name]
        assert isinstance(u, ema.IntegerParameter) == (p.kind is int)
        assert u.lower_bound == p.low
        if p.unit == "month":  # shock months end in the last month of the run
            assert p.high > LAST_MONTH and u.upper_bound == LAST_MONTH
        else:
            assert u.upper_bound == p.high


def test_levers_follow_the_reform_declarations(model):
    assert [lever.name for lever in model.levers] == [
        f"{r}_{s}" for r in REFORMS for s in ("intensity", "start")]
    for reform in REFORMS:
        intensity = model.levers[f"{reform}_intensity"]
        start = model.levers[f"{reform}_start"]
        assert type(intensity) is ema.RealParameter
        top = PARAMETERS[f"{reform}_max_intensity"].default
        assert (intensity.lower_bound, intensity.upper_bound) == (0.0, top)
        assert type(start) is ema.IntegerParameter
        assert (start.lower_bound, start.upper_bound) == (0, LAST_MONTH)
        assert start.upper_bound < HORIZON
    # the bounds are exactly what a scenario file accepts
    ReformSpec(start=0, intensity=0.0)
    ReformSpec(start=LAST_MONTH, intensity=MAX_INTENSITY)
    just_outside = 1e-9
    for bad in ({"intensity": MAX_INTENSITY + just_outside}, {"intensity": -just_outside},
                {"start": -1}):
        with pytest.raises(ValueError):
            ReformSpec(**bad)


def test_outcomes_constants_and_name(model, scenario):
    assert model.name == "devolution"
    assert [o.name for o in model.outcomes] == [*DEFAULT_OUTCOMES, *SERIES]
    kinds = {o.name: o.kind for o in model.outcomes}
    assert kinds["outcome_deadline"] == kinds["target_met"] == ema.ScalarOutcome.MAXIMIZE
    assert kinds["reform_cost_total"] == kinds["spend_total_end"] == ema.ScalarOutcome.MINIMIZE
    assert isinstance(model.outcomes["outcome"], ema.TimeSeriesOutcome)
    assert {c.name: c.value for c in model.constants} == {"replicate": 0,
                                                          "root_seed": scenario.seed}


# --- experiments ------------------------------------------------------------------------------
def test_outcomes_have_the_expected_shape_and_are_finite(results, model):
    experiments, outcomes = results
    assert len(experiments) == N_EXPERIMENTS
    for p in [*model.uncertainties, *model.levers]:
        assert experiments[p.name].between(p.lower_bound, p.upper_bound).all(), p.name
    assert set(outcomes) == {*DEFAULT_OUTCOMES, *SERIES}
    for name in DEFAULT_OUTCOMES:
        assert outcomes[name].shape == (N_EXPERIMENTS,)
        assert np.isfinite(outcomes[name].astype(float)).all()
    assert outcomes["target_met"].dtype == bool
    series = outcomes["outcome"]
    assert series.shape == (N_EXPERIMENTS, HORIZON + 1)  # months 0 to the horizon
    assert np.isfinite(series).all()
    np.testing.assert_array_equal(series[:, DEADLINE], outcomes["outcome_deadline"])
    np.testing.assert_array_equal(series[:, -1], outcomes["outcome_end"])
    # the inputs matter: outcomes differ between experiments, and reforms cost money
    assert len(np.unique(outcomes["outcome_deadline"])) == N_EXPERIMENTS
    assert (outcomes["reform_cost_total"] > 0).all()


def test_identical_inputs_give_identical_outcomes(results, model):
    experiments, outcomes = results
    again_experiments, again = experiment(model)
    inputs = [p.name for p in [*model.uncertainties, *model.levers]]
    assert again_experiments[inputs].equals(experiments[inputs])  # (sample names are counters)
    for name, values in outcomes.items():
        np.testing.assert_array_equal(again[name], values, err_msg=name)


def test_an_experiment_is_the_missionsim_run_of_its_inputs(results, model, scenario):
    """Row by row, the outcome is what ms.run gives the same settings as a scenario file."""
    experiments, outcomes = results
    for i in (0, N_EXPERIMENTS - 1):
        row = experiments.iloc[i]
        same = scenario.with_changes(
            world={"preset": "small",
                   "params": {u.name: row[u.name].item() for u in model.uncertainties}},
            reforms={r: {"start": int(row[f"{r}_start"]),
                         "intensity": float(row[f"{r}_intensity"])} for r in REFORMS})
        run = ms.run(same, replicate=0)
        assert run.run["seed"] == replicate_seed(scenario.seed, 0)
        assert outcomes["outcome_deadline"][i] == run.run["outcome_deadline"]
        assert outcomes["outcome_end"][i] == run.run["outcome_end"]
        assert outcomes["target_met"][i] == run.run["target_met"]
        assert outcomes["reform_cost_total"][i] == run.run["reform_cost_total"]
        assert outcomes["spend_total_end"][i] == run.run["spend_total"]
        np.testing.assert_array_equal(outcomes["outcome"][i], run.months["outcome"])


def test_prim_finds_boxes_of_good_outcomes(results, model):
    experiments, outcomes = results
    inputs = [p.name for p in [*model.uncertainties, *model.levers]]
    x = experiments[inputs]
    threshold = np.quantile(outcomes["outcome_deadline"], PRIM_QUANTILE)
    y = outcomes["outcome_deadline"] > threshold
    assert 0 < y.sum() < len(y)
    search = prim.Prim(x, y)
    box = search.find_box()
    assert box is not None and len(search.boxes) == 1
    assert 0.0 <= box.coverage <= 1.0 and 0.0 <= box.density <= 1.0
    assert box.density >= y.mean()  # a box is at least as dense as the whole sample
    trajectory = box.peeling_trajectory
    for column in ("coverage", "density", "mass"):
        assert trajectory[column].between(0.0, 1.0).all(), column
    for name, (low, high) in box.box_lim.items():  # limits stay within each input's range
        p = model.uncertainties[name] if name in model.uncertainties else model.levers[name]
        assert p.lower_bound <= low <= high <= p.upper_bound, name


# --- seeds, replicates and defaults ------------------------------------------------------------
def test_replicates_give_the_mean_over_missionsim_replicates(scenario):
    n = 2
    model = ema_model(scenario, outcomes=["outcome_end", "target_met"], reforms=[],
                      uncertainties=["labour_market_tightness"], replicates=n)
    assert isinstance(model, ema.ReplicatorModel)
    assert [lever.name for lever in model.levers] == []
    with ema.SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(
            scenarios=n, uncertainty_sampling_kwargs={"rng": UNCERTAINTY_RNG})
    for i in range(n):
        tightness = experiments["labour_market_tightness"].iloc[i]
        runs = [ms.run(scenario.with_changes(world={
            "preset": "small", "params": {"labour_market_tightness": float(tightness)}}),
            replicate=r).run for r in range(n)]
        assert math.isclose(outcomes["outcome_end"][i],
                            np.mean([run["outcome_end"] for run in runs]))
        assert outcomes["target_met"][i] == np.mean([run["target_met"] for run in runs])


def test_inputs_left_out_keep_the_scenario_and_switches_turn_reforms_off(scenario):
    model = ema_model(scenario, switches=True)
    enabled = model.levers["devolution_enabled"]
    assert isinstance(enabled, ema.BooleanParameter)
    assert [c.value for c in enabled.categories] == [False, True]
    function = model.function
    assert function()["outcome_end"] == ms.run(scenario).run["outcome_end"]
    baseline = small("baseline")
    off = function(devolution_enabled=False)["outcome_end"]
    assert off == ms.run(baseline).run["outcome_end"] != function()["outcome_end"]
    # a reform the scenario does not use stays off until a lever sets it
    on = function(local_capacity_enabled=True, local_capacity_start=DEADLINE // 2)
    assert on["reform_cost_total"] > function()["reform_cost_total"]
    another_replicate = function(replicate=1)
    assert another_replicate["outcome_end"] == ms.run(scenario, replicate=1).run["outcome_end"]


def test_the_scenario_uncertainty_table_sets_ranges(scenario):
    ranged = scenario.with_changes(uncertainties={
        "programme_success_share": {"low": 0.1, "high": 0.3},
        "trust_start": {"low": 0.2, "high": 0.4},
        "demand_shock_month": {"low": 12, "high": 100},
        "response_lag": {"low": 2.0, "high": 2.0}})
    model = ema_model(ranged)
    bounds = {u.name: (u.lower_bound, u.upper_bound) for u in model.uncertainties}
    assert bounds["programme_success_share"] == (0.1, 0.3)
    assert bounds["trust_start"] == (0.2, 0.4)  # not a declared uncertainty, but drawn here
    assert bounds["demand_shock_month"] == (12, LAST_MONTH)
    assert "response_lag" not in bounds  # a range of one value is a constant
    assert {c.name: c.value for c in model.constants}["response_lag"] == 2.0


def test_a_shipped_name_a_path_and_a_mapping_give_the_same_model():
    by_name = ema_model("baseline")
    by_path = ema_model(shipped()["baseline"])
    by_mapping = ema_model(load_scenario(shipped()["baseline"]).model_dump(exclude={"source"}))
    assert by_name.function == by_path.function
    assert by_name.function.scenario.content() == by_mapping.function.scenario.content()
    assert by_name.levers["devolution_start"].upper_bound == by_name.function.scenario.horizon - 1


def test_the_model_pickles_for_parallel_evaluators(model):
    copy = pickle.loads(pickle.dumps(model))
    assert copy.function == model.function
    assert [u.name for u in copy.uncertainties] == [u.name for u in model.uncertainties]


# --- errors -----------------------------------------------------------------------------------
def test_bad_arguments_are_one_line_errors(scenario):
    short = scenario.with_changes(horizon=DEADLINE - 1)
    assert "target_met" not in [o.name for o in ema_model(short).outcomes]
    with pytest.raises(ValueError, match="reach the deadline"):
        ema_model(short, outcomes=["outcome_deadline"])
    with pytest.raises(ValueError, match="'outcome_later' is unknown"):
        ema_model(scenario, outcomes=["outcome_later"])
    with pytest.raises(ValueError, match="not a reporter"):
        ema_model(scenario, time_series=["nothing"])
    with pytest.raises(ValueError, match="not a reform"):
        ema_model(scenario, reforms=["abolition"])
    with pytest.raises(ValueError, match="not a parameter"):
        ema_model(scenario, uncertainties=["weather"])
    with pytest.raises(ValueError, match="identifier"):
        ema_model(scenario, name="two words")
    with pytest.raises(ValueError, match="replicates"):
        ema_model(scenario, replicates=0)
    function = ScenarioFunction(scenario)
    with pytest.raises(ValueError, match="'devolution_end' is unknown"):
        function(devolution_end=LAST_MONTH)
    with pytest.raises(ValueError, match="'devolution_start' = 2.5: expected a whole month"):
        function(devolution_start=2.5)
    with pytest.raises(ValueError, match="intensity"):
        function(devolution_intensity=2.0)
    with pytest.raises(ValueError, match="labour_market_tightness"):
        function(labour_market_tightness=PARAMETERS["labour_market_tightness"].high * 2)


def test_ema_workbench_is_imported_only_when_used(monkeypatch, scenario):
    code = ("import sys, missionsim.connectors.ema; "
            "assert 'ema_workbench' not in sys.modules, 'imported eagerly'")
    subprocess.run([sys.executable, "-c", code], check=True)
    monkeypatch.setitem(sys.modules, "ema_workbench", None)  # as if it were not installed
    with pytest.raises(ImportError, match=r"pip install 'missionsim\[ema\]'") as error:
        ema_model(scenario)
    assert "\n" not in str(error.value)
