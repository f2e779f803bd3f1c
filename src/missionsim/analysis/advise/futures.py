"""The common ensemble of futures every candidate package is evaluated over.

A **future** is one draw of everything the advice does not control, and one seed:

- the declared assumptions (how mechanisms and reforms work, their strengths and costs) and
  the uncertainties (shocks, labour-market tightness, response lags), each over its plausible
  range: the ranges the robustness analysis varies
  (:func:`~missionsim.analysis.robustness.plan.factor_table`), or the range the scenario gives
  an uncertainty in its ``[uncertainties]`` table;
- the seed of the world and its shocks.

The draws are a Latin hypercube over those factors, drawn by the sweep machinery
(:mod:`missionsim.experiments.sweeps`, design ``lhs``) from the advice's root seed, so every
value is checked against its parameter as a sweep's are. Future ``k`` runs as design point
``k`` and replicate ``k`` (:func:`~missionsim.experiments.runner.spec_for`): its seed is
:func:`~missionsim.experiments.runner.replicate_seed` of the root seed and ``k``. Every
candidate meets future ``k`` with the same parameter values and the same seed (common random
numbers), so differences between candidates in a future come from the packages alone.

Factors the scenario sets in ``[world.params]`` are held at its values: they state what the
advice takes as known (:attr:`~missionsim.analysis.advise.plan.Plan.held`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from missionsim.analysis.advise.plan import Plan
from missionsim.analysis.robustness.plan import factor_table
from missionsim.experiments.runner import RunSpec, draw_uncertainties, replicate_seed, spec_for
from missionsim.experiments.scenario import Scenario
from missionsim.experiments.sweeps import Sweep, apply_point, design_points
from missionsim.experiments.sweeps.design import plain

SEED = "seed"
"""Column of the futures table holding each future's model seed."""


@dataclass(frozen=True)
class Ensemble:
    """The futures of an advice.

    Attributes:
        table: One row per future (index ``future``): its ``seed`` and the value of every
            input that varies between futures (the factors drawn, and the scenario's own
            uncertainty draws).
        params: Each future's parameter overrides (what :func:`spec_for` takes).
        ranges: Each factor drawn, with its ``low`` and ``high``.
        root: The root seed.
        sample_seed: The seed of the Latin hypercube (``None`` when no factor is drawn).
    """

    table: pd.DataFrame
    params: tuple[dict[str, Any], ...]
    ranges: dict[str, dict[str, float]]
    root: int
    sample_seed: int | None

    def __len__(self) -> int:
        return len(self.params)

    def spec(self, candidate: Scenario, future: int) -> RunSpec:
        """The run of ``candidate`` in ``future`` (point and replicate ``future``)."""
        return spec_for(candidate, future, root=self.root, point=future,
                        params=self.params[future])

    def inputs(self) -> pd.DataFrame:
        """The inputs that vary between futures (the table without the seeds)."""
        return self.table.drop(columns=[SEED])


def ranges(plan: Plan) -> dict[str, dict[str, float]]:
    """Each factor's range: the scenario's for an uncertainty it draws, else the plausible one.

    Factors whose range is a single value are left out (they do not vary).
    """
    table = factor_table(plan.factors) if plan.factors else None
    out: dict[str, dict[str, float]] = {}
    for name in plan.factors:
        drawn = plan.scenario.uncertainties.get(name)
        low, high = ((drawn.low, drawn.high) if drawn is not None
                     else (table.loc[name, "low"], table.loc[name, "high"]))
        if high > low:
            out[name] = {"low": float(low), "high": float(high)}
    return out


def draw(plan: Plan) -> Ensemble:
    """Draw the ensemble of ``plan.futures`` futures from ``plan.seed``.

    Raises:
        ScenarioError: A drawn value the scenario does not allow (one line naming the factor
            and the future).
    """
    base = plan.scenario
    count = plan.futures
    factors = ranges(plan)
    sample_seed = None
    if factors:
        sweep = Sweep.from_mapping(
            {"name": f"{base.name}-futures", "scenario": base, "design": "lhs",
             "samples": count, "replicates": 1, "seed": plan.seed, "factors": factors},
            source="<advice futures>")
        points = design_points(sweep)
        sample_seed = sweep.sample_seed
        params = []
        for k, values in enumerate(points.to_dict("records")):
            drawn, _ = apply_point(sweep, {n: plain(v) for n, v in values.items()}, k)
            params.append(drawn)
    else:
        params = [{} for _ in range(count)]
    rows = []
    for k in range(count):
        row: dict[str, Any] = {"future": k, SEED: replicate_seed(plan.seed, k)}
        own = draw_uncertainties(base, plan.seed, k)
        row.update({n: v for n, v in own.items() if n not in factors})
        row.update(params[k])
        rows.append(row)
    table = pd.DataFrame(rows).set_index("future")
    return Ensemble(table=table, params=tuple(params), ranges=factors, root=plan.seed,
                    sample_seed=sample_seed)
