"""Robustness measures of each candidate over the futures, and the robust preferred option.

Each evaluation (a candidate in a future) gives five **objectives**:

``deadline``
    the national outcome at the mission's deadline (its indicator's unit);
``horizon``
    the national outcome at the horizon, the last month simulated;
``most_deprived``
    the outcome in the most deprived tenth of places at the horizon (the reporter
    ``outcome_most_deprived``, as the comparison report measures it);
``p_target``
    whether the target was met at the deadline (1 or 0; over the futures, P(target met));
``cost``
    the public cost: the new public money the package needs, in present value over the
    horizon (:func:`missionsim.experiments.costs.run_costs`, Green Book discounting).

Outcomes are read in the mission's direction (a fall counts as better in a mission to lower
its indicator), and cost lower is better. For each candidate and objective, over the futures:

- **mean**: the mean value;
- **p10**: the value at the worst tenth of futures: the 10th percentile in the direction of
  better (for cost, and for an outcome to lower, the 90th percentile of the values), NumPy's
  default (linear) percentile;
- **regret**: the largest, over the futures, of the shortfall from the best candidate in that
  future (minimax regret, Savage), the best being taken over every candidate evaluated within
  the budget (over all evaluated when none is); 0 for a candidate best in every future;
- **satisficing**: the share of futures in which the objective meets its mark: the mission's
  target for the three outcomes, the target met for ``p_target`` (so its satisficing share
  is P(target met)), and the budget for cost.

The **robust preferred option** (:func:`preferred`) is, among the Pareto set, the candidate
with the highest share of futures meeting the target (P(target met)), ties broken by the
smallest maximum regret on the outcome at the deadline, then by the lower mean cost, then by
the candidate's name.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from missionsim.analysis.advise.settings import OBJECTIVES

OUTCOMES = ("deadline", "horizon", "most_deprived")
"""Objectives that are outcomes (in the mission indicator's unit)."""
STATISTICS = ("mean", "p10", "regret", "satisficing")
"""The robustness measures of each objective."""
WORST_SHARE = 10
"""The percentile of futures ``p10`` reads, counted from the worst."""


def wide(evaluations: pd.DataFrame, objective: str) -> pd.DataFrame:
    """One objective's values: candidates as rows, futures as columns (``target_met`` 0/1)."""
    column = "target_met" if objective == "p_target" else objective
    table = evaluations.pivot(index="candidate", columns="future", values=column)
    return table.astype(float)


def better(values: pd.DataFrame, objective: str, direction: int) -> pd.DataFrame:
    """Values turned so that larger is better (outcomes × direction, cost negated)."""
    if objective in OUTCOMES:
        return values * direction
    return -values if objective == "cost" else values


def meets(values: pd.DataFrame, objective: str, direction: int, target: float,
          budget: float) -> pd.DataFrame:
    """Whether each value meets its mark (target, target met, or budget)."""
    if objective in OUTCOMES:
        return (values - target) * direction >= 0
    if objective == "cost":
        return values <= budget
    return values >= 1.0


def worst_tenth(values: pd.DataFrame, objective: str, direction: int) -> pd.Series:
    """The value at the worst tenth of futures, in the objective's own unit."""
    sign = direction if objective in OUTCOMES else (-1 if objective == "cost" else 1)
    turned = values.to_numpy() * sign
    worst = np.percentile(turned, WORST_SHARE, axis=1) * sign + 0.0  # + 0.0: no -0.0
    return pd.Series(worst, index=values.index)


def regret(values: pd.DataFrame, objective: str, direction: int,
           reference: Sequence[str] | None = None) -> pd.Series:
    """Each candidate's largest shortfall, over the futures, from the best in each future.

    Args:
        values: :func:`wide` values of one objective.
        objective: Its name.
        direction: The mission's direction.
        reference: The candidates the best is taken over (default: all).
    """
    turned = better(values, objective, direction)
    pool = turned if reference is None else turned.loc[list(reference)]
    best = pool.max(axis=0)
    return (best - turned).max(axis=1).clip(lower=0.0)


def measures(evaluations: pd.DataFrame, direction: int, target: float, budget: float,
             reference: Sequence[str] | None = None) -> pd.DataFrame:
    """Every robustness measure of every objective, one row per candidate.

    Columns ``<objective>_<statistic>`` for each of :data:`OBJECTIVES` and
    :data:`STATISTICS` (see the module docstring), index ``candidate``.
    """
    out = {}
    for objective in OBJECTIVES:
        values = wide(evaluations, objective)
        out[f"{objective}_mean"] = values.mean(axis=1)
        out[f"{objective}_p10"] = worst_tenth(values, objective, direction)
        out[f"{objective}_regret"] = regret(values, objective, direction, reference)
        out[f"{objective}_satisficing"] = meets(values, objective, direction, target,
                                                budget).mean(axis=1)
    return pd.DataFrame(out)


def scores(evaluations: pd.DataFrame, objectives: Sequence[str], measure: str,
           direction: int) -> pd.DataFrame:
    """What the search maximises of each objective (``mean`` or ``p10``), larger is better.

    A candidate's scores depend on its own evaluations only, so they do not change as the
    search evaluates others.
    """
    out = {}
    for objective in objectives:
        values = wide(evaluations, objective)
        turned = better(values, objective, direction)
        out[objective] = (turned.mean(axis=1) if measure == "mean" else
                          pd.Series(np.percentile(turned.to_numpy(), WORST_SHARE, axis=1),
                                    index=values.index))
    return pd.DataFrame(out)


def pareto(scores_: pd.DataFrame) -> list[str]:
    """The candidates no other candidate beats on every score (pymoo's non-dominated sort)."""
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    if scores_.empty:
        return []
    front = NonDominatedSorting().do(-scores_.to_numpy(dtype=float),
                                     only_non_dominated_front=True)
    return [scores_.index[i] for i in sorted(front)]


def preferred(table: pd.DataFrame) -> str | None:
    """The robust preferred option of ``table`` (rows: candidates; see the module docstring).

    ``table`` needs ``p_target_satisficing``, ``deadline_regret`` and ``cost_mean``.
    """
    if table.empty:
        return None
    order = table.assign(_name=table.index).sort_values(
        ["p_target_satisficing", "deadline_regret", "cost_mean", "_name"],
        ascending=[False, True, True, True], kind="stable")
    return str(order.index[0])
