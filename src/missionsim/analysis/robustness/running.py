"""Running both stages (one sweep per scenario each) and analysing them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from missionsim.analysis.robustness.effects import leading_uncertainties
from missionsim.analysis.robustness.plan import (
    BASELINE,
    MARGIN,
    Plan,
    load_scenarios,
    make_sweeps,
    sobol_factors,
    uncertainty_ranges,
)
from missionsim.analysis.robustness.stages import Analysis, analyse, analyse_stage
from missionsim.experiments.executors import describe
from missionsim.experiments.options import RunOptions
from missionsim.experiments.results import Results
from missionsim.experiments.store import write_atomic
from missionsim.experiments.sweeps import Sweep, run_sweep
from missionsim.model.missions import MISSIONS


def _counting(on_result: Callable[[int, int], None] | None,
              on_run: Callable[[], None] | None) -> Callable[[int, int], None] | None:
    """``on_result`` that also calls ``on_run`` after each run."""
    if on_run is None:
        return on_result

    def both(done: int, total: int) -> None:
        on_run()
        if on_result is not None:
            on_result(done, total)

    return both


def run_stage(sweeps: Mapping[str, Sweep], options: RunOptions | None = None,
              log: Callable[[str], None] | None = None,
              on_run: Callable[[], None] | None = None) -> dict[str, Results]:
    """Run each sweep with :func:`~missionsim.experiments.sweeps.run_sweep`.

    Args:
        sweeps: Scenario name to sweep.
        options: How to run; ``options.out`` holds one results store per scenario
            (``OUT/<scenario>``), ``None`` keeps the results in memory, and ``options.resume``
            continues the stores already there (stored runs are skipped).
        log: Called with one line per sweep.
        on_run: Called after each run done (not after runs skipped on resuming).

    Returns:
        Scenario name to :class:`~missionsim.experiments.results.Results`.
    """
    options = options or RunOptions()
    counting = _counting(options.on_result, on_run)
    results: dict[str, Results] = {}
    for i, (name, sweep) in enumerate(sweeps.items(), 1):
        if log is not None:
            log(f"[{i}/{len(sweeps)}] {sweep.summary()}")
        folder = None if options.out is None else Path(options.out) / name
        results[name] = run_sweep(sweep, options.but(out=folder, on_result=counting))
    return results


def run(plan: Plan, folder: str | Path | None = None, options: RunOptions | None = None,
        log: Callable[[str], None] | None = None) -> list[Analysis]:
    """Run both stages and analyse them.

    Args:
        plan: The plan.
        folder: Folder of the scenario files (default: the shipped ``scenarios/``).
        options: How to run. ``options.out`` is the folder of the results stores
            (``OUT/morris/<scenario>``, ``OUT/sobol/<scenario>``) and of ``OUT/timing.json``,
            the time each invocation spent (``None``: results in memory); ``options.resume``
            continues the stores already there.
        log: Called with progress lines.

    Returns:
        The analysis at the mission's deadline and, when the horizon is longer, at the end.
    """
    options = options or RunOptions()
    say = log or (lambda _line: None)
    start = time.perf_counter()
    scenarios = load_scenarios(plan, folder)
    base = scenarios[BASELINE]
    seed = base.seed if plan.seed is None else int(plan.seed)
    deadline = min(MISSIONS[base.mission].deadline, plan.horizon)
    ranges = uncertainty_ranges(plan.uncertainties)
    if not 1 <= plan.leading <= len(ranges):
        raise ValueError(f"leading = {plan.leading}: expected 1 to {len(ranges)}")
    m_sweeps = make_sweeps(scenarios, "morris", "morris", ranges, plan.trajectories,
                           plan.replicates, seed, deadline, plan.levels)
    say(f"Morris screening: {len(ranges)} uncertainties, {m_sweeps[BASELINE].n_points} points "
        f"x {plan.replicates} replicate(s) x {len(scenarios)} scenarios")
    where = None if options.out is None else Path(options.out)
    history = _history(where, options.resume)
    timing = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "morris_s": 0.0,
              "sobol_s": 0.0, "runs": 0, "executor": describe(options.workers, options.scheduler)}

    def count() -> None:
        timing["runs"] += 1

    m_results = run_stage(m_sweeps, _under(options, "morris"), log, count)
    timing["morris_s"] = time.perf_counter() - start
    _record(where, history, timing)
    outputs = [*plan.reforms, MARGIN]
    m_stage = analyse_stage("morris", m_sweeps, m_results, plan, deadline,
                     MISSIONS[base.mission].direction, outputs, ranges)
    leading, _ = leading_uncertainties(m_stage.indices, outputs, plan.leading)
    leading = sobol_factors(leading, ranges)
    s_sweeps = make_sweeps(scenarios, "sobol", "sobol", {n: ranges[n] for n in leading},
                           plan.sobol_samples, plan.sobol_replicates, seed, deadline)
    say(f"Sobol indices over {', '.join(leading)}: {s_sweeps[BASELINE].n_points} points x "
        f"{plan.sobol_replicates} replicate(s) x {len(scenarios)} scenarios")
    sobol_start = time.perf_counter()
    s_results = run_stage(s_sweeps, _under(options, "sobol"), log, count)
    timing["sobol_s"] = time.perf_counter() - sobol_start
    _record(where, history, timing)
    if not history:  # nothing ran (every run was stored): report this invocation alone
        history = [timing]
    months = [deadline] + ([plan.horizon] if plan.horizon > deadline else [])
    analyses = []
    for month in months:
        a = analyse(plan, (m_sweeps, m_results), (s_sweeps, s_results), month, leading)
        a.info.update({"runtime_s": sum(t["morris_s"] + t["sobol_s"] for t in history),
                       "morris_s": sum(t["morris_s"] for t in history),
                       "sobol_s": sum(t["sobol_s"] for t in history),
                       "invocations": len(history), "executor": history[0]["executor"],
                       "runs": sum(s.n_runs for s in m_sweeps.values())
                       + sum(s.n_runs for s in s_sweeps.values())})
        analyses.append(a)
    return analyses


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


def _record(where: Path | None, history: list[dict[str, Any]], timing: dict[str, Any]) -> None:
    """Add (or update) this invocation in ``history`` and ``where/timing.json``.

    An invocation is recorded only once it has run something: re-analysing stored results
    adds nothing to the time the runs took.
    """
    if timing["runs"] == 0:
        return
    if not any(entry is timing for entry in history):
        history.append(timing)
    if where is not None:
        text = json.dumps(history, indent=1) + "\n"
        write_atomic(where / "timing.json", lambda tmp: tmp.write_text(text, encoding="utf-8"))


