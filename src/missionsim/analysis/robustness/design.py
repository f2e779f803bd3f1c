"""The designs and their runs: one sweep per scenario, paired by design point and replicate.

Every stage runs the same design points and replicate seeds in every scenario (common random
numbers), through the sweep machinery (:mod:`missionsim.experiments.sweeps`): a sweep per
scenario declares the factors and their ranges and checks every point
(:func:`~missionsim.experiments.sweeps.apply_point`); its runs go through
:func:`~missionsim.experiments.study.execute` and its results store, so they are kept and
resumable. The Latin hypercube and the one-way sweeps are ordinary sweep designs (``lhs``,
``factorial``); the grouped Morris design, which sweeps do not draw, is given as explicit points
(:func:`run_points`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from missionsim.experiments.options import RunOptions
from missionsim.experiments.results import Results
from missionsim.experiments.runner import spec_for
from missionsim.experiments.scenario import Scenario
from missionsim.experiments.study import execute
from missionsim.experiments.sweeps import (
    Sweep,
    apply_point,
    manifest,
    run_sweep,
    target,
)
from missionsim.experiments.sweeps.design import plain


def make_sweeps(scenarios: Mapping[str, Scenario], stage: str, design: str,
                factors: Mapping[str, Mapping[str, Any]], samples: int | None, replicates: int,
                seed: int, month: int, levels: int = 4) -> dict[str, Sweep]:
    """One sweep per scenario, all over the same design, factors, replicates and seed.

    Args:
        scenarios: Scenario name to scenario.
        stage: Label of the stage, used in the sweeps' names.
        design: A sweep design (``lhs``, ``factorial``; ``lhs`` with one sample for the
            grouped Morris stage, whose points :func:`run_points` gives).
        factors: Factor name to its ``{"low", "high"}`` or ``{"values"}``.
        samples: LHS points (``None`` for factorial designs).
        replicates: Replicates per design point.
        seed: Root seed of the runs and the design.
        month: The month the sweeps' ``output`` names.
        levels: Morris grid levels (recorded).
    """
    sweeps: dict[str, Sweep] = {}
    for name, scenario in scenarios.items():
        data = {"name": f"robustness-{stage}-{name}",
                "description": f"Robustness of the reform ranking ({stage}): {name}.",
                "scenario": scenario, "design": design, "replicates": int(replicates),
                "seed": int(seed), "levels": int(levels),
                "output": {"metric": "outcome", "month": int(month)},
                "factors": {n: dict(f) for n, f in factors.items()}}
        if samples is not None:
            data["samples"] = int(samples)
        sweeps[name] = Sweep.from_mapping(data, source=f"<robustness {stage} {name}>")
    return sweeps


def grouped_morris(sweep: Sweep, groups: Mapping[str, str], trajectories: int,
                   levels: int) -> tuple[np.ndarray, pd.DataFrame, dict[str, Any]]:
    """A Morris design over groups of the sweep's factors (SALib, ``problem["groups"]``).

    Args:
        sweep: A sweep whose factors (and their ranges) are the factors screened.
        groups: Factor name to its group.
        trajectories: Trajectories r (points: r × (groups + 1)).
        levels: Grid levels.

    Returns:
        The raw sample (points × factors), the design points (whole-number factors rounded,
        index ``point``) and SALib's problem.
    """
    from SALib.sample import morris

    names = list(sweep.factors)
    problem = {"num_vars": len(names), "names": names,
               "bounds": [[sweep.factors[n].low, sweep.factors[n].high] for n in names],
               "groups": [groups[n] for n in names]}
    raw = morris.sample(problem, int(trajectories), num_levels=int(levels),
                        seed=sweep.sample_seed)
    return raw, converted(raw, names), problem


def converted(raw: np.ndarray, names: list[str]) -> pd.DataFrame:
    """Raw design values in each factor's type (whole numbers rounded half up)."""
    columns = {}
    for j, name in enumerate(names):
        tgt = target(name)
        columns[name] = pd.Series([tgt.convert(v) for v in raw[:, j]],
                                  dtype={int: "int64", float: "float64"}[tgt.kind])
    frame = pd.DataFrame(columns)
    frame.index.name = "point"
    return frame


def run_points(sweeps: Mapping[str, Sweep], points: pd.DataFrame, label: str,
               options: RunOptions, log: Callable[[str], None] | None = None,
               **design: Any) -> dict[str, Results]:
    """Run explicit design points in every scenario, with each sweep's checks and store.

    Args:
        sweeps: Scenario name to the sweep that declares the factors (its own design unused).
        points: One row per point, one column per factor.
        label: The design's name in the manifest.
        options: How to run; ``options.out`` holds one store per scenario (``OUT/<name>``).
        log: Called with one line per scenario.
        **design: Recorded in each manifest (e.g. ``samples``, ``groups``).

    Returns:
        Scenario name to :class:`~missionsim.experiments.results.Results`.
    """
    rows = [{k: plain(v) for k, v in row.items()} for row in points.to_dict("records")]
    results: dict[str, Results] = {}
    for i, (name, sweep) in enumerate(sweeps.items(), 1):
        specs = []
        for point, values in enumerate(rows):
            params, reforms = apply_point(sweep, values, point)
            specs += [spec_for(sweep.scenario, r, root=sweep.seed, point=point, params=params,
                               reforms=reforms, factors=values)
                      for r in range(sweep.replicates)]
        if log is not None:
            log(f"[{i}/{len(sweeps)}] {label} over {len(points.columns)} factor(s) on {name}: "
                f"{len(rows)} points × {sweep.replicates} replicate(s) = {len(specs)} runs")
        info = {**manifest(sweep), "design": label, "points": rows, **design}
        folder = None if options.out is None else Path(options.out) / name
        results[name] = execute(specs, info, options.but(out=folder))
    return results


def run_sweeps(sweeps: Mapping[str, Sweep], options: RunOptions,
               log: Callable[[str], None] | None = None) -> dict[str, Results]:
    """Run each sweep with :func:`~missionsim.experiments.sweeps.run_sweep` (``OUT/<name>``)."""
    results: dict[str, Results] = {}
    for i, (name, sweep) in enumerate(sweeps.items(), 1):
        if log is not None:
            log(f"[{i}/{len(sweeps)}] {sweep.summary()}")
        folder = None if options.out is None else Path(options.out) / name
        results[name] = run_sweep(sweep, options.but(out=folder))
    return results


def paired(results: Mapping[str, Results], n_points: int, replicates: int,
           month: int) -> pd.DataFrame:
    """The outcome at ``month`` of every scenario, paired by design point and replicate.

    Returns:
        Index ``(point, replicate)``, one column per scenario.

    Raises:
        ValueError: Results missing a point or replicate, or scenarios whose seeds differ.
    """
    want = pd.MultiIndex.from_product([range(n_points), range(replicates)],
                                      names=["point", "replicate"])
    columns, seeds = {}, {}
    for name, res in results.items():
        months = res.months
        rows = months[months["month"] == month].set_index(["point", "replicate"]).sort_index()
        if not rows.index.equals(want):
            raise ValueError(f"{name}: the results do not hold every point and replicate once "
                             f"at month {month}")
        columns[name] = rows["outcome"].astype(float)
        seeds[name] = rows["seed"]
    first = next(iter(seeds))
    for name, s in seeds.items():
        if not s.equals(seeds[first]):
            raise ValueError(f"{name} and {first} are not paired: their seeds differ")
    frame = pd.DataFrame(columns)
    frame.attrs["month"] = int(month)
    return frame


def gains(outcomes: pd.DataFrame, reforms: list[str], baseline: str,
          direction: int) -> pd.DataFrame:
    """Each reform's paired gain per point, averaged over replicates.

    The gain is ``direction × (reform − baseline)``; index ``point``, one column per reform.
    """
    diffs = outcomes[reforms].sub(outcomes[baseline], axis=0) * direction
    return diffs.groupby(level="point").mean()
