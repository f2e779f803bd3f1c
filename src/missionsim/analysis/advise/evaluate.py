"""Evaluating candidates: each package a scenario, each future a run, stored and resumable.

A candidate package becomes a scenario: the advice's scenario with the package's reforms
added, named ``c0000``, ``c0001``, … in the order the search first proposes it (``c0000`` is
always the package of no reforms, the reference). Its evaluation in future ``k`` is one run
(:meth:`~missionsim.analysis.advise.futures.Ensemble.spec`). The new candidates of each
generation run as one study through :func:`missionsim.experiments.study.execute`, on the
executor the options choose (local processes, or a dask cluster), into the results store
``OUT/store/gNNN`` of that generation. A search run again with ``resume`` proposes the same
candidates in the same order (it is deterministic for its seed), so each generation's study is
the same study and the store skips every run it holds: an advice killed at any moment finishes
without running a stored evaluation twice.

:class:`Archive` keeps every candidate and its evaluations; a candidate proposed again (the
same package) is not run again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from missionsim.analysis.advise.futures import Ensemble
from missionsim.analysis.advise.measures import scores
from missionsim.analysis.advise.plan import Plan
from missionsim.analysis.advise.space import Package
from missionsim.experiments.costs import run_costs
from missionsim.experiments.options import RunOptions
from missionsim.experiments.results import Results
from missionsim.experiments.scenario import Scenario
from missionsim.experiments.store import MANIFEST, Store
from missionsim.experiments.study import execute

COLUMNS = ["candidate", "future", "seed", "deadline", "horizon", "most_deprived", "target_met",
           "cost"]
"""Columns of the evaluations table: one row per candidate × future."""
STORE = "store"
"""The folder, under the advice's output folder, of the generations' results stores."""


def generation_store(out: Path, generation: int) -> Path:
    """The results store of one generation's new candidates."""
    return Path(out) / STORE / f"g{generation:03d}"


@dataclass
class Candidate:
    """A package the search proposed.

    Attributes:
        name: ``c0000``, ``c0001``, … in the order first proposed.
        package: The package.
        generation: The generation that first proposed it.
    """

    name: str
    package: Package
    generation: int


@dataclass
class Archive:
    """Every candidate evaluated so far, and its evaluations.

    Attributes:
        plan: The advice's plan.
        ensemble: The futures.
        options: How to run (``options.out``: the advice's output folder, or ``None``).
        candidates: Package key to candidate, in the order first proposed.
        ran: Evaluations run by this call.
        reused: Evaluations read back from the store instead (resumed).
        log: Called with one line per generation.
    """

    plan: Plan
    ensemble: Ensemble
    options: RunOptions
    candidates: dict[str, Candidate] = field(default_factory=dict)
    ran: int = 0
    reused: int = 0
    log: Callable[[str], None] | None = None
    _frames: list[pd.DataFrame] = field(default_factory=list)
    _evaluations: pd.DataFrame | None = None

    def scenario(self, candidate: Candidate) -> Scenario:
        """The candidate's scenario: the advice's scenario with its package added."""
        return with_package(self.plan, candidate.name, candidate.package)

    def add(self, packages: Sequence[Package], generation: int, size: int) -> list[Candidate]:
        """The candidates of ``packages``, running the new ones in every future.

        Args:
            packages: The packages proposed.
            generation: The generation proposing them (names its store).
            size: How many generations the search runs (for the log line).
        """
        space = self.plan.space
        new: list[Candidate] = []
        out: list[Candidate] = []
        for package in packages:
            key = space.key(package)
            if key not in self.candidates:
                candidate = Candidate(f"c{len(self.candidates):04d}",
                                      space.canonical(package), generation)
                self.candidates[key] = candidate
                new.append(candidate)
            out.append(self.candidates[key])
        runs = len(new) * len(self.ensemble)
        if self.log is not None:
            self.log(f"generation {generation + 1}/{size}: {len(packages)} packages, "
                     f"{len(new)} new × {len(self.ensemble)} futures = {runs} runs")
        if new:
            self._frames.append(self._run(new, generation))
            self._evaluations = None
        return out

    def _run(self, new: list[Candidate], generation: int) -> pd.DataFrame:
        scenarios = {c.name: self.scenario(c) for c in new}
        specs = [self.ensemble.spec(s, k) for s in scenarios.values()
                 for k in range(len(self.ensemble))]
        base = self.plan.scenario
        manifest = {"kind": "advise", "generation": generation, **base.mission_manifest(),
                    "baseline": new[0].name, "replicates": len(self.ensemble),
                    "root_seed": self.plan.seed,
                    "scenarios": {n: s.manifest_entry() for n, s in scenarios.items()}}
        where = None if self.options.out is None else generation_store(self.options.out,
                                                                         generation)
        stored = _stored(where, {s.run_id for s in specs})
        results = execute(specs, manifest, self.options.but(out=where, resume=where is not None))
        self.reused += stored
        self.ran += len(specs) - stored
        return evaluations(results, self.plan.scenario.horizon, self.plan.rate)

    def evaluations(self) -> pd.DataFrame:
        """Every evaluation so far (:data:`COLUMNS`), by candidate and future."""
        if self._evaluations is None:
            frames = [f for f in self._frames if not f.empty]
            table = (pd.concat(frames, ignore_index=True) if frames
                     else pd.DataFrame(columns=COLUMNS))
            self._evaluations = table.sort_values(["candidate", "future"]).reset_index(drop=True)
        return self._evaluations

    def objectives(self, candidates: Sequence[Candidate]) -> tuple:
        """The optimiser's ``F`` (to minimise) and ``G`` (≤ 0 when feasible) of ``candidates``.

        ``G`` is the mean public cost over the futures minus the budget and, with a largest
        number of reforms, the package's reforms minus it.
        """
        import numpy as np

        plan = self.plan
        table = self.evaluations()
        names = [c.name for c in candidates]
        own = table[table["candidate"].isin(set(names))]
        score = scores(own, plan.objectives, plan.settings.measure, plan.direction)
        cost = own.groupby("candidate")["cost"].mean()
        f = -score.loc[names].to_numpy(dtype=float)
        g = [cost.loc[names].to_numpy(dtype=float) - plan.budget]
        if plan.space.max_reforms is not None:
            g.append(np.array([len(c.package) - plan.space.max_reforms for c in candidates],
                              dtype=float))
        return f, np.column_stack(g)


def with_package(plan: Plan, name: str, package: Package) -> Scenario:
    """The advice's scenario with ``package`` added, named ``name``."""
    base = plan.scenario
    data = base.model_dump(exclude={"source"})
    data["reforms"] = {**data["reforms"], **plan.space.reforms(package)}
    data.update(name=name, description=plan.space.words(package))
    return Scenario.from_mapping(data, source=base.source or "<scenario>")


def _stored(where: Path | None, ids: set[str]) -> int:
    """How many of the runs ``ids`` the store at ``where`` already holds."""
    if where is None or not (where / MANIFEST).is_file():
        return 0
    return len(Store(where).completed() & ids)


def evaluations(results: Results, horizon: int, rate: float) -> pd.DataFrame:
    """One row per run of ``results``: its candidate, future, seed and five objectives.

    Args:
        results: Runs of candidates (scenario = candidate, point = future).
        horizon: The month of the ``horizon`` and ``most_deprived`` objectives.
        rate: Discount rate a year of the public cost's present value.
    """
    if results.runs.empty:
        return pd.DataFrame(columns=COLUMNS)
    runs = results.runs.sort_values("run_id").reset_index(drop=True)
    months = results.months
    last = months[months["month"] == horizon].set_index("run_id")["outcome_most_deprived"]
    cost = run_costs(months, rate)["public"]
    keys = list(zip(runs["scenario"], runs["point"], runs["replicate"], strict=True))
    return pd.DataFrame({
        "candidate": runs["scenario"].astype(str),
        "future": runs["point"].astype(int),
        "seed": runs["seed"].astype("int64"),
        "deadline": runs["outcome_deadline"].astype(float),
        "horizon": runs["outcome_end"].astype(float),
        "most_deprived": last.loc[runs["run_id"]].to_numpy(dtype=float),
        "target_met": runs["target_met"].astype(bool),
        "cost": cost.loc[keys].to_numpy(dtype=float),
    })
