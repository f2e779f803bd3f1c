"""What an advice returns and writes: the Pareto set, the preferred option, every evaluation.

:class:`Advice` carries the settings, the futures, every evaluation (candidate × future), one
row per candidate with its robustness measures, the Pareto set and the robust preferred
option. Scenario discovery and the options appraisal read it: :meth:`Advice.misses` gives, for
one package, the inputs of each future and whether the package missed the target there;
:meth:`Advice.outcomes` gives its outcomes future by future; :meth:`Advice.scenario` rebuilds
its scenario to run again.

:meth:`Advice.write` writes, beside the results stores (``OUT/store/gNNN``):

``pareto.csv``
    the Pareto set: each package in words, its reforms, every objective's mean, p10, regret
    and satisficing share, its cost, and which is the preferred option;
``candidates.csv``
    the same for every candidate evaluated, with whether it is within the budget and on the
    Pareto set;
``evaluations.parquet``
    one row per candidate × future: the five objectives;
``futures.csv``
    the inputs of each future (its seed and every factor drawn);
``advice.json``
    the settings, the plan (space, futures, held factors), seeds, versions, the search's
    history and counts, the Pareto set and the preferred option.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from missionsim.analysis.advise.evaluate import generation_store, with_package
from missionsim.analysis.advise.measures import OUTCOMES, STATISTICS
from missionsim.analysis.advise.plan import Plan
from missionsim.analysis.advise.settings import OBJECTIVES, AdviseSettings
from missionsim.analysis.advise.space import Package
from missionsim.experiments.results import Results
from missionsim.experiments.scenario import Scenario
from missionsim.experiments.store import write_atomic

RULE = ("the Pareto candidate with the highest share of futures meeting the target "
        "(P(target met)); ties broken by the smallest maximum regret on the outcome at the "
        "deadline, then by the lower mean cost")
"""The robust preferred option's rule, in words."""

FILES = ("pareto.csv", "candidates.csv", "evaluations.parquet", "futures.csv", "advice.json")
"""Files :meth:`Advice.write` writes."""


@dataclass
class Advice:
    """The result of :func:`~missionsim.analysis.advise.advise`.

    Attributes:
        settings: The settings.
        plan: The plan: the scenario at the advice's horizon, the budget, the space, the
            factors drawn and held, the root seed.
        futures: One row per future (index ``future``): its ``seed`` and every input drawn.
        evaluations: One row per candidate × future: ``candidate``, ``future``, ``seed``,
            ``deadline``, ``horizon``, ``most_deprived``, ``target_met``, ``cost``.
        candidates: One row per candidate (index ``candidate``): ``package`` (words),
            ``reforms`` (JSON of its scenario tables), ``n_reforms``, ``generation`` (first
            proposed), ``feasible`` (mean cost within the budget, and within
            ``max_reforms``), ``pareto``, ``preferred``, and ``<objective>_<measure>`` for
            every objective and measure (:mod:`~missionsim.analysis.advise.measures`).
        pareto: The rows of ``candidates`` on the Pareto set.
        preferred: The robust preferred option (a candidate's name; :data:`RULE`).
        packages: Candidate name to its package.
        ranges: Each factor the futures draw, with its ``low`` and ``high``.
        history: One record per generation of the search.
        info: Seeds, versions, counts (evaluations run and reused) and timing.
        out: The output folder (``None``: nothing written).
    """

    settings: AdviseSettings
    plan: Plan
    futures: pd.DataFrame
    evaluations: pd.DataFrame
    candidates: pd.DataFrame
    pareto: pd.DataFrame
    preferred: str | None
    packages: dict[str, Package] = field(default_factory=dict)
    ranges: dict[str, dict[str, float]] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    out: Path | None = None

    # --- one candidate ---------------------------------------------------------------------
    def _name(self, candidate: str | None) -> str:
        name = self.preferred if candidate is None else candidate
        if name not in self.packages:
            raise KeyError(f"candidate {name!r} was not evaluated; expected one of "
                           f"{', '.join(list(self.packages)[:10])}, …")
        return name

    def words(self, candidate: str | None = None) -> str:
        """A candidate's package in words (default: the preferred option's)."""
        return str(self.candidates.loc[self._name(candidate), "package"])

    def scenario(self, candidate: str | None = None) -> Scenario:
        """A candidate's scenario (default: the preferred option's), to run or compare."""
        name = self._name(candidate)
        return with_package(self.plan, name, self.packages[name])

    def outcomes(self, candidate: str | None = None) -> pd.DataFrame:
        """A candidate's objectives in each future (index ``future``), with ``missed``.

        ``missed`` is true where the target was not met at the deadline.
        """
        name = self._name(candidate)
        own = self.evaluations[self.evaluations["candidate"] == name]
        table = own.drop(columns=["candidate"]).set_index("future").sort_index()
        table["missed"] = ~table["target_met"].astype(bool)
        return table

    def misses(self, candidate: str | None = None) -> pd.DataFrame:
        """For scenario discovery: each future's inputs and whether the candidate missed.

        Returns:
            Index ``future``; one column per input that varies between futures (the factors
            drawn and the scenario's own uncertainty draws) and ``missed`` (bool: the target
            was not met at the deadline).
        """
        inputs = self.futures.drop(columns=["seed"])
        return inputs.join(self.outcomes(candidate)[["missed"]])

    def results(self, candidate: str | None = None) -> Results:
        """A candidate's runs in every future, read from its generation's results store.

        The tables (months, runs, places at the deadline and the end) are those of
        :class:`~missionsim.experiments.results.Results`, for the runs of this candidate
        (point and replicate ``k``: future ``k``).

        Raises:
            ValueError: The advice kept its runs in memory only (no output folder).
        """
        name = self._name(candidate)
        if self.out is None:
            raise ValueError("advice.results(): the advice ran without an output folder, so "
                             "its runs were not kept; run it with options=RunOptions(out=...)")
        generation = int(self.candidates.loc[name, "generation"])
        stored = Results.load(generation_store(self.out, generation))
        pick = {kind: getattr(stored, kind)[getattr(stored, kind)["scenario"] == name]
                .reset_index(drop=True) for kind in ("months", "runs", "places")}
        manifest = {**stored.manifest, "scenarios": {name: stored.manifest["scenarios"][name]}}
        return Results(manifest=manifest, **pick)

    # --- files -----------------------------------------------------------------------------
    def record(self) -> dict[str, Any]:
        """Everything ``advice.json`` holds."""
        plan = self.plan
        space = plan.space
        return {
            "status": "complete",
            "name": self.settings.name,
            "description": self.settings.description,
            "settings": self.settings.model_dump(exclude={"given", "labels"}),
            "scenario": {"name": plan.scenario.name, **plan.scenario.manifest_entry()},
            "budget": plan.budget,
            "horizon": plan.scenario.horizon,
            "mission": {"name": plan.scenario.mission_name(), "target": plan.target,
                        "deadline": plan.deadline, "direction": plan.direction},
            "space": {"reforms": {g.reform: {"intensities": list(g.intensities),
                                             "starts": list(g.starts),
                                             "targets": list(space.options(g))}
                                  for g in space.genes},
                      "targets": list(space.targets), "max_reforms": space.max_reforms,
                      "packages": space.size()},
            "futures": {"count": len(self.futures), "ranges": self.ranges,
                        "held": list(plan.held)},
            "rule": RULE,
            "identity": plan.identity(),
            **self.info,
            "history": self.history,
            "pareto": list(self.pareto.index),
            "preferred": self.preferred,
        }

    def write(self, folder: str | Path | None = None) -> list[Path]:
        """Write :data:`FILES` into ``folder`` (default: the output folder); return them."""
        where = Path(folder if folder is not None else self.out)
        where.mkdir(parents=True, exist_ok=True)
        written = []
        for name, write in (
                ("pareto.csv", lambda p: self.pareto.to_csv(p)),
                ("candidates.csv", lambda p: self.candidates.to_csv(p)),
                ("evaluations.parquet", lambda p: self.evaluations.to_parquet(p, index=False)),
                ("futures.csv", lambda p: self.futures.to_csv(p)),
                ("advice.json", lambda p: p.write_text(
                    json.dumps(self.record(), indent=1, default=_plain) + "\n",
                    encoding="utf-8"))):
            write_atomic(where / name, write)
            written.append(where / name)
        return written


def candidate_table(plan: Plan, packages: dict[str, Package], generations: dict[str, int],
                    measures: pd.DataFrame, feasible: pd.Series, front: list[str],
                    preferred: str | None) -> pd.DataFrame:
    """One row per candidate: the package, its place in the search and its measures."""
    space = plan.space
    rows = []
    for name, package in packages.items():
        rows.append({"candidate": name, "package": space.words(package),
                     "reforms": json.dumps(space.reforms(package), sort_keys=True),
                     "n_reforms": len(package), "generation": generations[name],
                     "feasible": bool(feasible[name]), "pareto": name in front,
                     "preferred": name == preferred})
    table = pd.DataFrame(rows).set_index("candidate")
    columns = [f"{o}_{s}" for o in OBJECTIVES for s in STATISTICS]
    return table.join(measures[columns])


def units(plan: Plan) -> dict[str, str]:
    """Each objective's unit, for tables."""
    unit = plan.scenario.mission_record().unit
    return {**{o: unit for o in OUTCOMES}, "p_target": "share", "cost": "£m PV"}


def _plain(value: Any) -> Any:
    """JSON for NumPy scalars and other values ``json`` does not know."""
    if hasattr(value, "item"):
        value = value.item()
        return None if isinstance(value, float) and not math.isfinite(value) else value
    return str(value)
