"""Reforms read their strengths from declared parameters: a scenario can set them, a sweep can
vary them, and the effect follows (paired over several seeds, with a margin)."""

from __future__ import annotations

import numpy as np

from missionsim.experiments.options import RunOptions
from missionsim.experiments.scenario import Scenario
from missionsim.experiments.study import compare

SEEDS = 6
MONTHS = 24


def mean_reach(params: dict) -> dict[str, np.ndarray]:
    base = Scenario.from_mapping({"name": "base", "horizon": MONTHS, "replicates": SEEDS,
                                  "world": {"preset": "small", "params": params}}, "<test>")
    mobilised = base.with_changes(name="mobilised",
                                  reforms={"citizen_mobilisation": {"start": 0}})
    results = compare([base, mobilised], options=RunOptions(workers=1))
    last = results.months[results.months["month"] == MONTHS]
    wide = last.pivot_table(index="replicate", columns="scenario", values="reach")
    return {"gain": (wide["mobilised"] - wide["base"]).to_numpy()}


def test_a_reform_strength_set_in_a_scenario_changes_its_effect():
    default = mean_reach({})["gain"]
    none = mean_reach({"mobilisation_reach_gain": 0.0})["gain"]
    double = mean_reach({"mobilisation_reach_gain": 0.16})["gain"]
    # paired over the same seeds: the reach gain grows with the declared strength, in every
    # replicate and on average by a clear margin
    assert np.all(double > default) and np.all(default > none)
    assert double.mean() - default.mean() > 0.5 * (default.mean() - none.mean())
