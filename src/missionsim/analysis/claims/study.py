"""Running the arms the sub-claims need, and measuring each sub-claim's paired effect."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from missionsim import __version__
from missionsim.analysis.claims.catalogue import TIMINGS, SubClaim, read_catalogue
from missionsim.analysis.stats import VERDICTS, paired_effect, verdict
from missionsim.experiments.options import RunOptions
from missionsim.experiments.results import Results
from missionsim.experiments.scenario import Scenario
from missionsim.experiments.study import compare
from missionsim.model.missions import mission_named

DEFAULT_REPLICATES = 20
"""Paired replicates per arm at full size."""
DEFAULT_SEED = 2026
"""Root seed shared by every arm at full size."""
DEFAULT_PRESET = "workshop"
"""World of the arms that are not pinned, at full size."""
MONTHS_A_YEAR = 12


def subclaims(ids: Iterable[str] | None = None) -> tuple[SubClaim, ...]:
    """The sub-claims with the given ids (all when ``ids`` is ``None``), in catalogue order.

    Raises:
        KeyError: An id is not in the catalogue.
    """
    every = read_catalogue().subclaims
    if ids is None:
        return every
    wanted = list(ids)
    known = {s.id for s in every}
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise KeyError(f"unknown sub-claim id(s): {', '.join(unknown)}")
    return tuple(s for s in every if s.id in set(wanted))


@dataclass
class ClaimStudy:
    """The runs behind a set of sub-claims and how they were made.

    Attributes:
        subclaims: The sub-claims the study serves.
        results: One :class:`~missionsim.experiments.results.Results` per mission, by mission name.
        replicates: Paired replicates per arm.
        seed: Root seed shared by every arm (replicate ``r`` of every arm runs on the same
            seed).
        preset: World of the arms that are not pinned to their file's preset.
        horizon: Horizon override (``None``: each file's own horizon).
        elapsed: Seconds the runs took.
        created: When the study was run (UTC, ISO 8601).
        version: missionsim version.
    """

    subclaims: tuple[SubClaim, ...]
    results: dict[str, Results]
    replicates: int
    seed: int
    preset: str
    horizon: int | None
    elapsed: float
    created: str
    version: str = __version__

    def horizons(self) -> dict[str, int]:
        """The horizon the runs of each mission used."""
        return {m: int(r.runs["horizon"].min()) for m, r in self.results.items()}


def scenarios_for(items: Sequence[SubClaim], preset: str | None = DEFAULT_PRESET,
                  horizon: int | None = None) -> dict[str, list[Scenario]]:
    """The scenarios to run for ``items``, grouped by mission, each arm once.

    Args:
        items: Sub-claims.
        preset: World of the arms that are not pinned.
        horizon: Horizon override (see :meth:`~missionsim.analysis.claims.Arm.scenario`).

    Returns:
        Mission name to its scenarios, in the order the arms are first used.

    Raises:
        ValueError: Two arms of a comparison pursue different missions.
    """
    built: dict[str, Scenario] = {}
    for sub in items:
        pair = []
        for arm in sub.arms():
            if arm.name not in built:
                built[arm.name] = arm.scenario(preset=preset, horizon=horizon)
            pair.append(built[arm.name])
        if pair[0].mission != pair[1].mission:
            raise ValueError(f"{sub.id}: {sub.treatment} and {sub.control} pursue different "
                             "missions")
    groups: dict[str, list[Scenario]] = {}
    for scenario in built.values():
        groups.setdefault(scenario.mission, []).append(scenario)
    return groups


def run(items: Sequence[SubClaim] | None = None, replicates: int = DEFAULT_REPLICATES,
        seed: int = DEFAULT_SEED, preset: str = DEFAULT_PRESET, horizon: int | None = None,
        options: RunOptions | None = None) -> ClaimStudy:
    """Run every arm the sub-claims need over the same paired seeds.

    Each mission's arms run together in one :func:`missionsim.experiments.study.compare`, so
    every arm runs once however many sub-claims use it, and replicate ``r`` of every arm sees
    the same world and the same shocks.

    Args:
        items: Sub-claims (default: every sub-claim of the catalogue).
        replicates: Paired replicates per arm.
        seed: Root seed.
        preset: World of the arms that are not pinned to their file's preset.
        horizon: Months to run instead of each file's horizon (at least the deadline).
        options: How to run (``options.out`` holds one results store per mission,
            ``OUT/<mission>``); default: in memory, on every core.

    Returns:
        The :class:`ClaimStudy`.
    """
    items = subclaims() if items is None else tuple(items)
    options = options or RunOptions()
    start = time.perf_counter()
    created = datetime.now(UTC).isoformat(timespec="seconds")
    results = {}
    for mission, group in scenarios_for(items, preset, horizon).items():
        own = options if options.out is None else options.but(out=Path(options.out) / mission)
        results[mission] = compare(group, replicates=replicates, seed=seed, options=own)
    return ClaimStudy(subclaims=items, results=results, replicates=replicates, seed=seed,
                      preset=preset, horizon=horizon, elapsed=time.perf_counter() - start,
                      created=created)


def values(results: Results, arm: str, measure: str, at: str) -> pd.Series:
    """One value of a measure per replicate of an arm, indexed by replicate.

    Args:
        results: The mission's study results.
        arm: Scenario name.
        measure: Name of a measure of the catalogue.
        at: Key of :data:`~missionsim.analysis.claims.TIMINGS`.

    Raises:
        KeyError: The arm, measure or timing is unknown.
    """
    if at not in TIMINGS:
        raise KeyError(f"at = {at!r}: expected one of {', '.join(TIMINGS)}")
    m = results.months
    frame = m[m["scenario"] == arm]
    if frame.empty:
        raise KeyError(f"no runs of {arm!r} in the results")
    value = read_catalogue().measures[measure].series(frame)
    month, replicate = frame["month"], frame["replicate"]
    end = frame.groupby("replicate")["month"].transform("max")
    deadline = np.minimum(mission_named(str(results.runs["mission"].iloc[0])).deadline, end)
    if at == "deadline":
        keep = month == deadline
    elif at == "end":
        keep = month == end
    elif at == "last_year":
        keep = month > end - MONTHS_A_YEAR
    elif at == "to_deadline":
        keep = (month >= 1) & (month <= deadline)
    else:
        keep = month >= 1
    return value[keep].groupby(replicate[keep]).mean()


def effect(results: Results, sub: SubClaim) -> dict[str, Any]:
    """The paired effect of one sub-claim: mean, 95% CI, replicates, levels and verdict.

    Values are in the measure's display unit (shares scaled to points).
    """
    measure = read_catalogue().measures[sub.measure]
    treat = values(results, sub.treatment, sub.measure, sub.at)
    control = values(results, sub.control, sub.measure, sub.at)
    common = treat.index.intersection(control.index)
    t = treat.loc[common].to_numpy() * measure.scale
    c = control.loc[common].to_numpy() * measure.scale
    mean, lo, hi = paired_effect(t, c)
    mission = str(results.runs["mission"].iloc[0])
    return {"n": len(common), "effect": mean, "lo": lo, "hi": hi,
            "treatment_level": float(np.mean(t)) if len(t) else math.nan,
            "control_level": float(np.mean(c)) if len(c) else math.nan,
            "unit": measure.unit_for(mission), "mission": mission,
            "verdict": verdict(lo, hi, sub.direction)}


def evaluate(study: ClaimStudy) -> pd.DataFrame:
    """One row per sub-claim with its effect, 95% CI and verdict.

    Columns: ``id``, ``claim``, ``source``, ``statement``, ``mechanism``, ``sections``,
    ``treatment``, ``control``, ``measure``, ``at``, ``direction``, ``built_in``,
    ``mission``, ``n``, ``effect``, ``lo``, ``hi``, ``unit``, ``treatment_level``,
    ``control_level``, ``verdict``.
    """
    rows = []
    for sub in study.subclaims:
        mission = next((m for m, r in study.results.items()
                        if sub.treatment in set(r.runs["scenario"])), None)
        if mission is None:
            raise KeyError(f"{sub.id}: no runs of {sub.treatment!r} in the study")
        row = {"id": sub.id, "claim": sub.claim, "source": sub.source,
               "statement": sub.statement, "mechanism": sub.mechanism,
               "sections": " ".join(sub.sections), "treatment": sub.treatment,
               "control": sub.control, "measure": sub.measure, "at": sub.at,
               "direction": sub.direction, "built_in": sub.built_in}
        row.update(effect(study.results[mission], sub))
        rows.append(row)
    return pd.DataFrame(rows)


def counts(table: pd.DataFrame) -> dict[str, int]:
    """Number of sub-claims with each verdict, in the order of the verdicts."""
    found = table["verdict"].value_counts()
    return {v: int(found.get(v, 0)) for v in VERDICTS}
