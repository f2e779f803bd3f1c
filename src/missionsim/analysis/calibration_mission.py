"""Calibration of any mission to an observed series (``missionsim calibrate --mission --observed``).

Where :mod:`~missionsim.analysis.calibration` fits the early-years mission to the moments of
CALIBRATION §A and §C, this module fits chosen figures of *any* mission (a shipped one or a
mission file, :mod:`missionsim.model.missionfile`) to what was observed month by month: an
observed series (:mod:`missionsim.analysis.series`), one row per observation with its month,
value, measure (``outcome_reported`` or ``outcome``) and optionally a tolerance.

**The runs.** Each evaluation runs the mission, with the figures being fitted replaced
(:func:`dataclasses.replace` on the :class:`~missionsim.model.missions.Mission` record), once
per seed: by default a scenario with no reforms on the world preset given (:data:`PRESET`) up
to the last observed month; or the world, reforms, policy and horizon of a scenario file,
whose own mission is then replaced by the one being fitted. Every evaluation runs the same
seeds (common random numbers, :data:`SEEDS`), so the objective is a deterministic function of
the figures and a fit reproduces exactly. The runs go through
:func:`missionsim.experiments.study.execute`, built by
:func:`missionsim.experiments.runner.spec_for`.

**The objective.** For each observation, the model's value is the observation's measure at its
month, mean over the seeds; its distance is that minus the observed value, divided by a scale:

* the row's ``tolerance`` when it has one;
* otherwise the sample standard deviation (n − 1) of the observed values of that measure in
  the file, so that a series is fitted relative to how much it moves;
* otherwise (a measure observed once, or always at the same value) :data:`SINGLE_SCALE`, one
  indicator unit.

The objective is the sum of the squared scaled distances (:func:`~missionsim.analysis.
calibration.distance`).

**The search.** :func:`scipy.optimize.minimize` (Nelder–Mead) from the mission's own values,
on scales that keep every figure within its bounds: ``response_months``, ``noise`` and
``spread_sd`` (> 0) on a log scale, ``gameability`` (in [0, 1]) on a logit scale (a start at 0
or 1 moves :data:`LOGIT_EDGE` inside), the others (``momentum``, ``elasticity``,
``deprivation_effect``) as they are. The first simplex steps :data:`SIMPLEX_STEP` from the
start along each figure: in log or logit units, or a share of the figure's start (of its
natural size, :func:`natural_size`, when it starts at 0). Each figure is searched in units of
its step, and the search stops as the early-years fit's does
(:data:`~missionsim.analysis.calibration.STOP`) or after ``max_evaluations``.

**The result** is a :class:`~missionsim.analysis.calibration.Calibration`, written as the
early-years one is: the fitted ``values``, the ``start``, the ``fit`` per observation
(observed, model, z, unit, source, month, measure, date, scale), the ``objective``, the
number of ``evaluations``, the ``procedure`` (method, figures, scales, seeds, preset,
scenario, the objective at the start, date, version) and the ``provenance``: the mission,
observed and scenario files with the SHA-256 of their bytes, the date and the version. A
mission file takes the fitted values with ``momentum = { calibrated = "fit.json" }`` (a path
relative to the mission file).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

from missionsim.analysis.calibration import STOP, Calibration, Target, distance, fit_rows
from missionsim.analysis.series import MEASURES, Series, read_series
from missionsim.errors import ScenarioError
from missionsim.experiments.options import RunOptions
from missionsim.experiments.runner import spec_for
from missionsim.experiments.scenario import Scenario, load_scenario
from missionsim.experiments.study import execute
from missionsim.model.missionfile import FITTABLE
from missionsim.model.missions import Mission, get_mission

DEFAULT_FIT = ("momentum", "response_months")
"""Figures fitted when none are named: the two that set the path of the national indicator
(how much improvement is already under way, and how fast the indicator answers delivery); the
others shape the spread of places or the gap between true and reported values, which a
national series identifies weakly."""
SEEDS = tuple(range(8))
"""Model seeds run at every evaluation (common random numbers): as many as the early-years fit
runs (``missionsim calibrate --seeds``)."""
MAX_EVALUATIONS = 80
"""Most evaluations of the objective: the early-years fit's budget for each of its blocks."""
PRESET = "workshop"
"""World preset of the runs when no scenario file is given (``--preset``): the 30-place world
of the workshop studies."""

LOG = ("response_months", "noise", "spread_sd")
"""Figures that must stay above 0: searched on a log scale."""
LOGIT = ("gameability",)
"""Figures that must stay in [0, 1]: searched on a logit scale."""

SIMPLEX_STEP = 0.1
"""How far the first simplex steps from the start along each figure: 0.1 in log units (about
10%), 0.1 in logit units, or 10% of a figure searched as it is (of its natural size when it
starts at 0). Small enough to start near the mission's values, large enough to move past the
jitter of a few seeds."""
LOGIT_EDGE = 0.01
"""A figure searched on a logit scale that starts at 0 or 1 starts this far inside instead
(the logit of 0 or 1 is infinite)."""
SINGLE_SCALE = 1.0
"""Scale (indicator units) of an observation without a tolerance whose measure is observed
once, or always at the same value, so that its values have no spread to scale by."""
DIMENSIONLESS_SIZE = 1.0
"""Natural size of a dimensionless figure (``elasticity``; ``deprivation_effect`` of a count):
sets its first step when it starts at 0."""


@dataclass(frozen=True)
class Observation(Target):
    """An observed value as a calibration target: the month and the reporter it is read at."""

    month: int
    measure: str
    date: str = ""


def figures(fit: Sequence[str]) -> tuple[str, ...]:
    """The figures to fit, in order, each once.

    Raises:
        ValueError: None named, or a name not in :data:`~missionsim.model.missionfile.FITTABLE`.
    """
    names = tuple(dict.fromkeys(fit))
    if not names:
        raise ValueError(f"fit: expected at least one of {', '.join(FITTABLE)}")
    for name in names:
        if name not in FITTABLE:
            raise ValueError(f"fit {name!r}: expected one of {', '.join(FITTABLE)}")
    return names


def observations(series: Series, unit: str) -> list[Observation]:
    """One target per observed value, with its scale (see the module docstring)."""
    out = []
    for measure, rows in series.table.groupby("measure", sort=False):
        values = rows["value"].to_numpy(dtype=float)
        sd = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
        spread = sd if sd > 0 else SINGLE_SCALE
        for row in rows.itertuples(index=False):
            scale = float(row.tolerance) if math.isfinite(row.tolerance) else spread
            out.append(Observation(
                name=f"{measure} month {row.month}", observed=float(row.value), scale=scale,
                unit=unit, source=row.source or Path(series.path).name, month=int(row.month),
                measure=str(measure), date=row.date))
    return out


def run_scenario(scenario: str | Path | Scenario | None, preset: str | None,
                 last_month: int) -> Scenario:
    """The scenario each evaluation runs: a file's, or no reforms to ``last_month``.

    Args:
        scenario: A scenario (file or shipped name), or ``None`` for the default.
        preset: World preset; replaces a scenario file's when given (default :data:`PRESET`).
        last_month: The last observed month, which the runs must reach.

    Raises:
        ScenarioError: The scenario does not load, or ends before the last observed month.
    """
    if scenario is None:
        return Scenario.from_mapping({"name": "calibration", "world": {"preset": preset or PRESET},
                                      "horizon": max(last_month, 1)})
    run = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if preset is not None:
        run = run.with_changes(world={"preset": preset, "params": dict(run.world.params)})
    if run.horizon < last_month:
        raise ScenarioError(f"{run.source or run.name}: horizon = {run.horizon} ends before the "
                            f"last observed month; expected a horizon of at least {last_month}")
    return run


def simulate(mission: Mission, scenario: Scenario, targets: Sequence[Observation],
             seeds: Sequence[int] = SEEDS, options: RunOptions | None = None
             ) -> dict[str, float]:
    """The model's value at each target: its measure at its month, mean over the seeds.

    Args:
        mission: The mission record (a variant while calibrating); it replaces the scenario's.
        scenario: World, reforms, policy and horizon of the runs.
        targets: The observations.
        seeds: Model seeds, one run each (replicate ``i`` runs ``seeds[i]``).
        options: How to run (default: serially, in this process, in memory).
    """
    specs = [dataclasses.replace(spec_for(scenario, i, seed=int(seed)), mission=mission)
             for i, seed in enumerate(seeds)]
    runs = execute(specs, {"kind": "calibration", "mission": mission.name},
                   options or RunOptions(workers=1))
    means = runs.months.groupby("month")[list(MEASURES)].mean()
    return {t.name: float(means.at[t.month, t.measure]) for t in targets}


def natural_size(mission: Mission, name: str) -> float:
    """The size of a figure searched as it is, which sets its first step when it starts at 0.

    The mission's whole gap (best minus baseline) for a figure in indicator units
    (``momentum``; ``deprivation_effect`` of a rate), else :data:`DIMENSIONLESS_SIZE`.
    """
    if name == "momentum" or (name == "deprivation_effect" and mission.aggregate == "mean"):
        return abs(mission.best - mission.baseline)
    return DIMENSIONLESS_SIZE


def to_search(name: str, value: float) -> float:
    """A figure's value on its search scale (log, logit or as it is)."""
    if name in LOG:
        return math.log(value)
    if name in LOGIT:
        return math.log(value / (1.0 - value))
    return value


def from_search(name: str, t: float) -> float:
    """A figure's value from its search scale (the inverse of :func:`to_search`)."""
    if name in LOG:
        return math.exp(min(t, math.log(np.finfo(float).max)))
    if name in LOGIT:
        return 1.0 / (1.0 + math.exp(-t)) if t >= 0 else math.exp(t) / (1.0 + math.exp(t))
    return t


def start_values(mission: Mission, names: Sequence[str]) -> dict[str, float]:
    """Where the search starts: the mission's values (inside (0, 1) on a logit scale).

    Raises:
        ValueError: A figure searched on a log scale starts at 0.
    """
    start = {}
    for name in names:
        value = float(getattr(mission, name))
        if name in LOG and not value > 0:
            raise ValueError(f"{mission.file or mission.name}: {name} = {value:g}: a fit "
                             "searches it on a log scale, so it must start above 0; give the "
                             "mission a value > 0 to start from")
        if name in LOGIT:
            value = min(max(value, LOGIT_EDGE), 1.0 - LOGIT_EDGE)
        start[name] = value
    return start


def _step(mission: Mission, name: str, value: float) -> float:
    if name in LOG or name in LOGIT:
        return SIMPLEX_STEP
    return SIMPLEX_STEP * (abs(value) if value != 0 else natural_size(mission, name))


def _file(path: str) -> dict[str, Any]:
    """A file's path and the SHA-256 of its bytes (``None`` for each when there is no file)."""
    try:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest() if path else None
    except OSError:
        digest = None
    return {"path": str(path) if path else None, "sha256": digest}


def calibrate_mission(mission: str | Path | Mission, observed: str | Path | Series,
                      fit: Sequence[str] = DEFAULT_FIT,
                      scenario: str | Path | Scenario | None = None,
                      seeds: Sequence[int] = SEEDS, preset: str | None = None,
                      max_evaluations: int = MAX_EVALUATIONS,
                      options: RunOptions | None = None,
                      progress: Callable[[int, float], None] | None = None) -> Calibration:
    """Fit figures of a mission to an observed series (see the module docstring).

    Args:
        mission: A shipped mission's name, a mission file, or a record.
        observed: An observed series file (CSV), or one already read.
        fit: The figures to fit (default :data:`DEFAULT_FIT`).
        scenario: A scenario whose world, reforms, policy and horizon to run (default: no
            reforms, to the last observed month).
        seeds: Model seeds run at every evaluation (common random numbers).
        preset: World preset (default :data:`PRESET`; replaces a scenario's when given).
        max_evaluations: Most evaluations of the objective (Nelder–Mead).
        options: How each evaluation's runs are done (default: serially, in this process).
        progress: Called as ``progress(evaluation, objective)``.

    Returns:
        The fitted values, the fit per observation, the procedure and the provenance. Same
        arguments, same result.

    Raises:
        ScenarioError: The mission or scenario does not load, or ends too early.
        SeriesError: The observed series does not load.
        ValueError: An unknown figure, or one on a log scale that starts at 0.
    """
    names = figures(fit)
    record = get_mission(mission)
    series = observed if isinstance(observed, Series) else read_series(observed)
    run = run_scenario(scenario, preset, series.last_month)
    targets = observations(series, record.unit)
    start = start_values(record, names)
    t0 = np.array([to_search(n, start[n]) for n in names])
    step = np.array([_step(record, n, start[n]) for n in names])
    seeds = [int(s) for s in seeds]
    memo: dict[tuple[float, ...], dict[str, float]] = {}
    count = 0

    def values_at(u: np.ndarray) -> dict[str, float]:
        return {n: from_search(n, float(t)) for n, t in zip(names, t0 + u * step, strict=True)}

    def simulated_at(values: dict[str, float]) -> dict[str, float]:
        key = tuple(values.values())
        if key not in memo:
            variant = dataclasses.replace(record, **values)
            memo[key] = simulate(variant, run, targets, seeds, options)
        return memo[key]

    def objective(u: np.ndarray) -> float:
        nonlocal count
        values = values_at(u)
        usable = all(math.isfinite(v) for v in values.values()) and all(
            values[n] > 0 for n in names if n in LOG)
        value = distance(simulated_at(values), targets) if usable else math.inf
        count += 1
        if progress is not None:
            progress(count, value)
        return value

    n = len(names)
    result = minimize(objective, np.zeros(n), method="Nelder-Mead",
                      options={"maxfev": max_evaluations, "xatol": STOP, "fatol": STOP,
                               "initial_simplex": np.vstack([np.zeros(n), np.eye(n)])})
    values = values_at(result.x)
    simulated = simulated_at(values)
    rows = [{**row, "month": t.month, "measure": t.measure, "date": t.date, "scale": t.scale}
            for row, t in zip(fit_rows(simulated, targets), targets, strict=True)]
    from missionsim import __version__

    today = dt.date.today().isoformat()
    return Calibration(
        mission=record.name,
        values=values,
        start=start,
        fit=rows,
        objective=distance(simulated, targets),
        evaluations=count,
        procedure={
            "method": "simulated method of moments on an observed series: Nelder–Mead "
                      "(scipy.optimize.minimize) over the fitted figures on log, logit or "
                      "linear scales, from the mission's values",
            "objective": "sum over observations of ((model mean over seeds of the measure at "
                         "the month − observed) / scale)²; scale: the row's tolerance, else "
                         "the sample SD of the measure's observed values, else "
                         f"{SINGLE_SCALE:g}",
            "data": series.path,
            "figures": list(names),
            "scales": {n: "log" if n in LOG else "logit" if n in LOGIT else "linear"
                       for n in names},
            "seeds": seeds,
            "preset": run.world.preset,
            "scenario": {"name": run.name, "source": run.source, "horizon": run.horizon,
                         "reforms": sorted(run.reform_settings())},
            "max_evaluations": max_evaluations,
            "simplex_step": SIMPLEX_STEP,
            "stop": STOP,
            "start_objective": distance(simulated_at(values_at(np.zeros(n))), targets),
            "date": today,
            "version": __version__,
        },
        provenance={
            "mission": {"name": record.name, **_file(record.file)},
            "observed": _file(series.path),
            "scenario": _file(run.source) if scenario is not None else None,
            "figures": list(names),
            "seeds": seeds,
            "preset": run.world.preset,
            "date": today,
            "version": __version__,
        },
    )
