"""Running the study: equal cost, the grouped screening, the sample, the one-way sweeps."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from missionsim import __version__
from missionsim.analysis.robustness.analyse import (
    Sample,
    Screening,
    Study,
    analyse,
    choose_switching,
    sample_gains,
)
from missionsim.analysis.robustness.design import (
    grouped_morris,
    make_sweeps,
    run_points,
    run_sweeps,
)
from missionsim.analysis.robustness.information import evppi_table
from missionsim.analysis.robustness.plan import (
    BASELINE,
    Plan,
    default_values,
    factor_table,
    load_scenarios,
    months_of,
    sweep_factors,
)
from missionsim.experiments.equalcost import equal_cost
from missionsim.experiments.executors import describe
from missionsim.experiments.options import RunOptions
from missionsim.experiments.store import write_atomic
from missionsim.experiments.sweeps import design_points


def run(plan: Plan, folder: str | Path | None = None, options: RunOptions | None = None,
        log: Callable[[str], None] | None = None) -> Study:
    """Run every stage and analyse them at the deadline and at ten years.

    1. **Equal cost** (:func:`missionsim.experiments.equalcost.equal_cost`): every reform's
       intensity is scaled, once, at the default assumptions, so that its public cost (present
       value over the horizon) meets the budget; the later stages keep those intensities.
    2. **Grouped Morris screening** of every factor (assumptions over their plausible ranges,
       uncertainties over theirs), one group per parameter group, per reform for a reform's
       own assumptions, and one for the uncertainties.
    3. **A Latin hypercube** over every factor: P(best), EVPPI, EVPI and first-order indices.
    4. **One-way sweeps** of the factors with the largest EVPPI, the others at their defaults:
       switching values.

    Args:
        plan: The plan.
        folder: Folder of the scenario files (default: the shipped ``scenarios/``).
        options: How to run; ``options.out`` holds one store per stage and scenario
            (``OUT/screening/<scenario>``, ``OUT/sample/<scenario>``,
            ``OUT/switch-<factor>/<scenario>``) and ``OUT/timing.json``; ``options.resume``
            continues them.
        log: Called with progress lines.

    Raises:
        ValueError: An unknown factor, or sizes out of range.
        ScenarioError: A budget some reform cannot reach, or a bad scenario file.
    """
    options = options or RunOptions()
    say = log or (lambda _line: None)
    start = time.perf_counter()
    table = factor_table(plan.factors)
    scenarios = load_scenarios(plan, folder)
    base = scenarios[BASELINE]
    seed = base.seed if plan.seed is None else int(plan.seed)
    months = months_of(plan, base)
    where = None if options.out is None else Path(options.out)
    history = _history(where, options.resume)
    timing = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "seconds": 0.0,
              "runs": 0, "executor": describe(options.workers, options.scheduler)}

    def count(done: int, total: int) -> None:
        timing["runs"] += 1
        if options.on_result is not None:
            options.on_result(done, total)

    counted = options.but(on_result=count)
    say(f"Equal cost: {len(plan.reforms)} reforms, {plan.cost_replicates} replicate(s) each, "
        "at the default assumptions")
    equal = equal_cost(scenarios, plan.budget, replicates=plan.cost_replicates, seed=seed,
                       rate=plan.rate, options=options, baseline=BASELINE)
    scenarios = dict(equal.scenarios)
    names = list(table.index)
    study = Study(plan=plan, table=table, defaults=default_values(base, names),
                  budget=equal.budget, scale=dict(equal.scale), cost=dict(equal.cost),
                  intensity={r: float(scenarios[r].reform_settings()[r]["intensity"])
                             for r in plan.reforms},
                  seed=seed, mission=base.mission, direction=base.mission_record().direction)
    factors = sweep_factors(table)
    carrier = make_sweeps(scenarios, "screening", "lhs", factors, 1, plan.replicates, seed,
                          months[0], plan.levels)
    raw, points, problem = grouped_morris(carrier[BASELINE], table["group"].to_dict(),
                                          plan.trajectories, plan.levels)
    say(f"Grouped Morris screening: {len(names)} factors in {table['group'].nunique()} groups, "
        f"{len(points)} points x {plan.replicates} replicate(s) x {len(scenarios)} scenarios")
    m_results = run_points(carrier, points, "morris-groups", _under(counted, "screening"),
                           log, samples=plan.trajectories, levels=plan.levels,
                           groups=table["group"].to_dict())
    screening = Screening(raw, points, problem, m_results, plan.levels,
                          carrier[BASELINE].sample_seed)
    _record(where, history, timing, start)
    s_sweeps = make_sweeps(scenarios, "sample", "lhs", factors, plan.samples, plan.replicates,
                           seed, months[0])
    say(f"Latin hypercube: {plan.samples} points x {plan.replicates} replicate(s) x "
        f"{len(scenarios)} scenarios")
    s_results = run_sweeps(s_sweeps, _under(counted, "sample"), log)
    sample = Sample(design_points(s_sweeps[BASELINE]), s_results,
                    s_sweeps[BASELINE].sample_seed)
    _record(where, history, timing, start)
    evppis = [evppi_table(sample.points[names], sample_gains(
        sample, plan.reforms, plan.replicates, m, study.direction)) for m in months]
    study.switched = choose_switching(evppis, plan.switching)
    one_way = {}
    for name in study.switched:
        values = switch_values(table.loc[name], study.defaults[name], plan.switch_levels)
        sweeps = make_sweeps(scenarios, f"switch-{name}", "factorial",
                             {name: {"values": values}}, None, plan.switch_replicates, seed,
                             months[0])
        say(f"One-way sweep of {name}: {len(values)} values x {plan.switch_replicates} "
            f"replicate(s) x {len(scenarios)} scenarios")
        one_way[name] = run_sweeps(sweeps, _under(counted, f"switch-{name}"), log)
    _record(where, history, timing, start)
    if not history:  # nothing ran (every run was stored): report this invocation alone
        history = [timing]
    study.analyses = [analyse(study, m, screening, sample, one_way) for m in months]
    study.info = {
        "version": __version__, "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "unit": base.mission_record().unit, "deadline": months[0],
        "runtime_s": sum(t["seconds"] for t in history), "invocations": len(history),
        "executor": history[0]["executor"],
        "runs": {"screening": sum(len(r.runs) for r in m_results.values()),
                 "sample": sum(len(r.runs) for r in s_results.values()),
                 "switching": sum(len(r.runs) for res in one_way.values()
                                  for r in res.values())},
    }
    return study


def switch_values(row: Any, default: float, levels: int) -> list:
    """The values of a one-way sweep.

    ``levels`` evenly across the plausible range, plus the default (whole numbers for
    whole-number factors).
    """
    grid = np.linspace(row["low"], row["high"], int(levels))
    if row["low"] <= default <= row["high"]:
        grid = np.append(grid, default)
    if row["kind"] == "int":
        return sorted({int(np.floor(v + 0.5)) for v in grid})
    return sorted({float(round(v, 12)) for v in grid})


def _under(options: RunOptions, stage: str) -> RunOptions:
    """The options of one stage: its own folder of stores under ``options.out``."""
    return options if options.out is None else options.but(out=Path(options.out) / stage)


def _history(where: Path | None, resume: bool) -> list[dict[str, Any]]:
    """The invocations recorded in ``where/timing.json`` (none unless resuming)."""
    path = None if where is None else where / "timing.json"
    if not resume or path is None or not path.is_file():
        return []
    try:
        return list(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError):
        return []


def _record(where: Path | None, history: list[dict[str, Any]], timing: dict[str, Any],
            start: float) -> None:
    """Add (or update) this invocation in ``history`` and ``where/timing.json``.

    An invocation is recorded once it has run something: re-analysing stored results adds
    nothing to the time the runs took.
    """
    timing["seconds"] = time.perf_counter() - start
    if timing["runs"] == 0:
        return
    if not any(entry is timing for entry in history):
        history.append(timing)
    if where is not None:
        text = json.dumps(history, indent=1) + "\n"
        write_atomic(where / "timing.json", lambda tmp: tmp.write_text(text, encoding="utf-8"))
