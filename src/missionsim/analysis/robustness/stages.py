"""Both stages analysed at one month: the :class:`Analysis` the write-up reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from missionsim import __version__
from missionsim.analysis.robustness.effects import (
    leading_uncertainties,
    morris_indices,
    paired_outcomes,
    point_table,
    sobol_indices,
)
from missionsim.analysis.robustness.plan import BASELINE, MARGIN, OUTCOME, Plan
from missionsim.analysis.robustness.ranking import (
    first_by,
    package_beats,
    rank_flips,
    ranking,
    regret,
)
from missionsim.experiments.results import Results
from missionsim.experiments.sweeps import Sweep
from missionsim.model.missions import MISSIONS


@dataclass
class Stage:
    """One stage (Morris or Sobol) at one month.

    Attributes:
        design: ``morris`` or ``sobol``.
        sweeps: Scenario name to sweep.
        points: :func:`point_table`.
        indices: :func:`morris_indices` or :func:`sobol_indices`.
        ranking: :func:`ranking`.
        by_group: :func:`first_by` of every factor (Morris: by grid level; Sobol: by third
            of the range), concatenated.
        outcomes: :func:`paired_outcomes`.
    """

    design: str
    sweeps: dict[str, Sweep]
    points: pd.DataFrame
    indices: pd.DataFrame
    ranking: pd.DataFrame
    by_group: pd.DataFrame
    outcomes: pd.DataFrame

    @property
    def factors(self) -> list[str]:
        """The factors of the stage's design."""
        return list(next(iter(self.sweeps.values())).factors)

    @property
    def sweep(self) -> Sweep:
        """The baseline's sweep (every scenario's has the same design)."""
        return next(iter(self.sweeps.values()))


@dataclass
class Analysis:
    """Everything the write-up needs, at one month.

    Attributes:
        plan: The plan.
        mission: The mission's name.
        month: The month analysed.
        deadline: The mission's deadline.
        seed: The root seed.
        ranges: Each screened uncertainty's range.
        outputs: The outputs analysed: the reforms' and packages' effects, the margin and the
            baseline outcome.
        morris: The screening stage.
        leading: The leading uncertainties (varied by the Sobol stage).
        scores: Every uncertainty's importance score for the ranking.
        sobol: The Sobol stage.
        flips: :func:`rank_flips` by factor.
        moves: :func:`rank_flips` changes of best reform.
        choice: The reform most often best in the screening.
        regret: :func:`regret` of ``choice`` in each stage (``morris``, ``sobol``).
        packages: :func:`package_beats` of each package in the screening.
        info: Version, date, runtime, workers and the like.
    """

    plan: Plan
    mission: str
    month: int
    deadline: int
    seed: int
    ranges: dict[str, tuple[float, float]]
    outputs: list[str]
    morris: Stage
    leading: list[str]
    scores: pd.Series
    sobol: Stage
    flips: pd.DataFrame
    moves: pd.DataFrame
    choice: str
    regret: dict[str, dict[str, float]]
    packages: dict[str, dict[str, float]]
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def reforms(self) -> list[str]:
        """The reforms ranked."""
        return list(self.plan.reforms)


def analyse_stage(design: str, sweeps: dict[str, Sweep], results: Mapping[str, Results],
                  plan: Plan, month: int, direction: int, outputs: Sequence[str],
                  ranges: Mapping[str, tuple[float, float]]) -> Stage:
    """One stage's paired effects, indices, ranking and first-ranked shares at ``month``."""
    outcomes = paired_outcomes(results, sweeps, month)
    sweep = next(iter(sweeps.values()))
    points = point_table(outcomes, sweep, plan.reforms, plan.packages, direction)
    if design == "morris":
        indices = morris_indices(points, sweep, outputs)
        groups = [first_by(points, f, plan.reforms) for f in sweep.factors]
    else:
        indices = sobol_indices(points, sweep, outputs)
        groups = [first_by(points, f, plan.reforms, bounds=ranges[f]) for f in sweep.factors]
    return Stage(design, sweeps, points, indices, ranking(points, plan.reforms, direction),
                 pd.concat(groups, ignore_index=True), outcomes)


def analyse(plan: Plan, morris: tuple[dict[str, Sweep], Mapping[str, Results]],
            sobol: tuple[dict[str, Sweep], Mapping[str, Results]], month: int | None = None,
            leading: Sequence[str] | None = None) -> Analysis:
    """Analyse both stages' results at one month.

    Args:
        plan: The plan.
        morris: The screening sweeps and their results.
        sobol: The Sobol sweeps and their results.
        month: The month analysed (default: the Morris sweeps' output month).
        leading: The leading uncertainties (default: the Sobol sweeps' factors).

    Returns:
        The :class:`Analysis`.
    """
    m_sweeps, m_results = morris
    s_sweeps, s_results = sobol
    base = m_sweeps[BASELINE]
    mission = MISSIONS[base.scenario.mission]
    month = base.output.month if month is None else int(month)
    direction = mission.direction
    outputs = [*plan.reforms, *plan.packages, MARGIN, OUTCOME]
    ranges = {n: (f.low, f.high) for n, f in base.factors.items()}
    m_stage = analyse_stage("morris", m_sweeps, m_results, plan, month, direction, outputs,
                            ranges)
    _, scores = leading_uncertainties(m_stage.indices, [*plan.reforms, MARGIN], plan.leading)
    lead = list(s_sweeps[BASELINE].factors) if leading is None else list(leading)
    s_stage = analyse_stage("sobol", s_sweeps, s_results, plan, month, direction, outputs,
                            ranges)
    flips, moves = rank_flips(m_stage.points, base)
    choice = str(m_stage.ranking["reform"].iloc[0])
    return Analysis(
        plan=plan, mission=mission.name, month=month, deadline=mission.deadline,
        seed=int(base.seed), ranges=ranges, outputs=outputs, morris=m_stage, leading=lead,
        scores=scores, sobol=s_stage, flips=flips, moves=moves, choice=choice,
        regret={st.design: regret(st.points, plan.reforms, choice, direction, st.outcomes)
                for st in (m_stage, s_stage)},
        packages={p: package_beats(m_stage.points, plan.reforms, p, direction)
                  for p in plan.packages},
        info={"version": __version__,
              "date": datetime.now(UTC).strftime("%Y-%m-%d"),
              "direction": direction, "unit": mission.unit,
              "mission_values": {k: getattr(mission, k) for k in ("momentum", "spread_sd",
                                                                  "noise")}})


