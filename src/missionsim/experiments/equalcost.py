"""Options at equal cost: scale each option's intensities until its public cost meets a budget.

An options appraisal compares options that cost the same. ``compare --equal-cost £Xm`` (and
the scenario setting ``equal_cost``) gives every option other than the baseline the same
public cost: the present value, over the horizon, of the new public money its reforms need
(:func:`missionsim.experiments.costs.run_costs`, Green Book discounting). A package scales as
a whole: every reform in it by the same factor. An intensity that follows a path is scaled
by multiplying every value of the path (each capped at the reform's largest intensity), so
its shape in time is kept.

How the factor is found. Cost grows in proportion to intensity for reforms costed per council
or for the whole programme; for those costed per organisation or per post it also follows the
world's state (charities open, posts funded), which the reform itself moves. So each option is
run over the study's own replicates and seeds at a trial factor, the factor is corrected by
the ratio of budget to cost, and this repeats until every option is within
``tolerance`` of the budget (usually one or two rounds). The study then runs with those very
factors, seeds and replicates, so its costs are the last round's, exactly.

An option that cannot reach the budget at its reforms' declared largest intensities
(``<reform>_max_intensity``) runs at those intensities and is reported as *capped*, with the
most it can cost: it cannot absorb that much money. A budget no option can reach is refused
in one line. Without a budget (``budget=None``) the largest budget every option can reach is
used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from missionsim.errors import ScenarioError
from missionsim.experiments.costs import GREEN_BOOK_RATE, run_costs
from missionsim.experiments.options import RunOptions
from missionsim.experiments.runner import spec_for
from missionsim.experiments.scenario import Scenario
from missionsim.experiments.study import execute
from missionsim.limits import MAX_BUDGET
from missionsim.model.paths import is_path
from missionsim.model.reforms.policy import highest

TOLERANCE = 0.005
"""Largest relative gap between an option's cost and the budget (half of the 1% promised)."""
MAX_ROUNDS = 8
"""Rounds of correction before giving up (cost is close to proportional: two usually do)."""


@dataclass
class EqualCost:
    """Options scaled to one budget.

    Attributes:
        budget: The public cost every option meets (£m, present value over the horizon).
        scenarios: Name to scenario with its intensities scaled (others pass through).
        scale: Name to the factor applied to its intensities.
        cost: Name to the public cost reached (£m PV), mean over the replicates.
        capped: Options that cannot reach the budget: they run at their largest intensities.
        rate: The discount rate a year used for present values.
    """

    budget: float
    scenarios: dict[str, Scenario]
    scale: dict[str, float] = field(default_factory=dict)
    cost: dict[str, float] = field(default_factory=dict)
    capped: list[str] = field(default_factory=list)
    rate: float = GREEN_BOOK_RATE

    def manifest(self) -> dict[str, Any]:
        """How a study's manifest records the scaling."""
        return {"budget": self.budget, "rate": self.rate, "scale": dict(self.scale),
                "cost": dict(self.cost), "capped": list(self.capped)}


def largest_scale(scenario: Scenario) -> float:
    """The largest factor every reform of ``scenario`` can be scaled by.

    That is the least, over its reforms, of the declared ``<reform>_max_intensity`` over the
    reform's intensity (a path's largest value).
    """
    tops = [scenario.max_intensity(name) / highest(settings["intensity"])
            for name, settings in scenario.reform_settings().items()
            if highest(settings["intensity"]) > 0]
    return min(tops) if tops else 0.0


def scaled(scenario: Scenario, factor: float) -> Scenario:
    """``scenario`` with every reform's intensity (each value of a path) times ``factor``."""
    reforms = {}
    for name, spec in scenario.reforms.items():
        settings = spec.model_dump()
        top = scenario.max_intensity(name)  # no rounding past the top
        if is_path(spec.intensity):
            settings["intensity"] = [[m, min(top, v * factor)] for m, v in spec.intensity]
        else:
            settings["intensity"] = min(top, spec.intensity * factor)
        reforms[name] = settings
    return scenario.with_changes(reforms=reforms)


def public_costs(scenarios: Mapping[str, Scenario], replicates: int, seed: int,
                 rate: float, options: RunOptions) -> dict[str, float]:
    """Mean public cost (£m PV) of each scenario over ``replicates`` paired replicates."""
    specs = [spec_for(s, r, root=seed) for r in range(replicates) for s in scenarios.values()]
    results = execute(specs, {"kind": "equal-cost probe"}, options)
    costs = run_costs(results.months, rate)["public"].groupby(level="scenario").mean()
    return {name: float(costs[s.name]) for name, s in scenarios.items()}


def equal_cost(scenarios: Mapping[str, Scenario], budget: float | None, *, replicates: int,
               seed: int, rate: float = GREEN_BOOK_RATE, options: RunOptions | None = None,
               baseline: str | None = None, tolerance: float = TOLERANCE) -> EqualCost:
    """Scale every option but the baseline to the same public cost.

    Args:
        scenarios: Name to scenario; the baseline and scenarios without reforms pass through.
        budget: Public cost each option must meet (£m PV over the horizon); ``None``: the
            largest budget every option can reach.
        replicates: The study's replicates (the probes run the same ones).
        seed: The study's root seed.
        rate: Discount rate a year.
        options: How to run the probes (their results are kept in memory, never stored).
        baseline: Name of the scenario that is not scaled.
        tolerance: Largest relative gap between cost and budget.

    Raises:
        ScenarioError: One line: a budget that is not a positive amount, an option without
            reforms or without cost, or a budget no option can reach.
    """
    if budget is not None and not (isinstance(budget, int | float) and 0 < budget <= MAX_BUDGET):
        raise ScenarioError(f"equal cost = {budget!r}: expected a positive amount in £m")
    probe = (options or RunOptions()).but(out=None, resume=False, progress=False,
                                          on_result=None)
    options_ = {n: s for n, s in scenarios.items() if n != baseline and s.reform_settings()}
    passing = {n: s for n, s in scenarios.items() if n not in options_}
    if not options_:
        raise ScenarioError("equal cost: no option has reforms to scale")
    top = {n: largest_scale(s) for n, s in options_.items()}
    most = public_costs({n: scaled(s, top[n]) for n, s in options_.items()}, replicates, seed,
                        rate, probe)
    free = [n for n, c in most.items() if not c > 0]
    if free:
        raise ScenarioError(f"equal cost: option {free[0]!r} has no public cost to scale")
    if budget is None:
        budget = min(most.values())
    capped = [n for n, c in most.items() if c < budget * (1 - tolerance)]
    if len(capped) == len(most):
        top_name = max(most, key=most.get)
        raise ScenarioError(
            f"equal cost £{budget:,.2f}m: no option can reach it; the dearest, {top_name!r}, "
            f"costs at most £{most[top_name]:,.2f}m (present value over "
            f"{options_[top_name].horizon} months at its largest intensity); expected a budget "
            f"of at most £{most[top_name]:,.2f}m")
    scale = {n: top[n] if n in capped else top[n] * budget / most[n] for n in options_}
    # runs are re-done only for options still off the budget: at their top (the capped ones,
    # and one that meets the budget exactly there) the cost is already known
    cost = dict(most)
    todo = [n for n in options_ if scale[n] != top[n]]
    off: dict[str, float] = {}
    for _ in range(MAX_ROUNDS):
        if todo:
            cost.update(public_costs({n: scaled(options_[n], scale[n]) for n in todo},
                                     replicates, seed, rate, probe))
        off = {n: cost[n] / budget - 1 for n in options_ if n not in capped}
        todo = [n for n, v in off.items() if abs(v) > tolerance]
        if not todo:
            break
        for n in todo:
            scale[n] = min(top[n], scale[n] * budget / cost[n])
    else:
        worst = max(off, key=lambda n: abs(off[n]))
        raise ScenarioError(f"equal cost £{budget:,.2f}m: option {worst!r} stays "
                            f"{off[worst]:+.1%} from the budget after {MAX_ROUNDS} rounds")
    out = {**passing, **{n: scaled(s, scale[n]) for n, s in options_.items()}}
    return EqualCost(budget=float(budget), scenarios={n: out[n] for n in scenarios},
                     scale=scale, cost=cost, capped=capped, rate=rate)
