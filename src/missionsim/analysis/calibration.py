"""Calibration of the early-years baseline to CALIBRATION §A by simulated method of moments.

The few free parameters that set the baseline's dynamics — the mission's ``momentum`` (the
improvement in the pipeline), ``spread_sd`` (how far places spread around what deprivation
predicts) and ``noise`` (monthly place-level innovation) — are fitted so that simulated
moments match the observed ones:

==============================  ==========  ========================================
moment                          observed    source (CALIBRATION §A)
==============================  ==========  ========================================
national gain a year, 0→36      0.8 pp      0.6–1.0 pp a year (2022–25)
council SD at month 0           3.55 pp     SD 3.2–3.9 across councils
SD of places' yearly change     1.25 pp     year-on-year change SD 1.2–1.3
correlation two years apart     0.90        levels two years apart
share of places improving       0.92        92% improved over two years
==============================  ==========  ========================================

Each moment's distance is scaled by the half-width of its observed range, and the objective is
the sum of squares. Every evaluation runs the same seeds (common random numbers), so the
objective is a deterministic function of the parameters and the fit reproduces exactly;
:func:`scipy.optimize.minimize` (Nelder–Mead, from the current defaults) finds the minimum.
:func:`calibrate` returns a :class:`Calibration` with the fitted values, the fit per target
and the provenance (data, procedure, seeds, preset, date, version), which
``missionsim calibrate`` writes as JSON (and :func:`missionsim.writeup.calibration.fit_table`
shows). Each evaluation's runs go through the one entry point,
:func:`missionsim.experiments.study.execute`, with every place's value kept at months 0, 12,
24 and 36 (:attr:`~missionsim.experiments.runner.RunSpec.snapshots`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

from missionsim.experiments.options import RunOptions
from missionsim.experiments.runner import RunSpec
from missionsim.experiments.study import execute
from missionsim.model.missions import CALIBRATED, MISSIONS, Mission


@dataclass(frozen=True)
class Target:
    """An observed moment: value, the half-width that scales distances, and its source."""

    name: str
    observed: float
    scale: float
    unit: str
    source: str


TARGETS = (
    Target("gain_per_year", 0.8, 0.2, "pp a year",
           "A: +1.0 pp a year 2022–25 and +0.6 in 2024/25 (range 0.6–1.0)"),
    Target("sd_month0", 3.55, 0.35, "pp", "A: council SD 3.2–3.9"),
    Target("change_sd", 1.25, 0.1, "pp", "A: year-on-year change SD ≈ 1.2–1.3 pp"),
    Target("corr_two_years", 0.90, 0.05, "correlation",
           "A: correlation of levels two years apart 0.90"),
    Target("share_improving", 0.92, 0.05, "share", "A: 92% of councils improved 2016→18"),
)
"""The moments the baseline is calibrated to."""

FREE = {"momentum": (0.0, 8.0), "spread_sd": (1.0, 8.0), "noise": (0.0, 0.06)}
"""Free parameters of the ``early_years`` mission, with the bounds searched."""

START = {"momentum": 2.9, "spread_sd": 3.3, "noise": 0.016}
"""Where the search starts: the values set by hand before the first calibration (momentum
from the observed gain of about 0.9 pp a year, spread from the council SD, noise an
assumption). The start is part of the procedure, so a re-run reproduces the shipped values."""



STOP = 1e-3
"""Nelder–Mead stops when the simplex spans less than this in every scaled parameter and in
the objective."""
SIMPLEX_STEP = 0.1
"""Each starting simplex vertex steps this far from the start along one scaled parameter."""

HORIZON = 36
"""Months each calibration run simulates (the moments read months 0, 12, 24 and 36)."""
SNAPSHOTS = (0, 12, 24, HORIZON)
"""Months at which every place's value is kept."""
YEARS = HORIZON / 12.0
"""The years the national gain is spread over."""


def specs(mission: Mission, seeds: Sequence[int], preset: str = "workshop") -> list[RunSpec]:
    """The runs behind one evaluation: the baseline (no reforms) of ``mission`` per seed."""
    return [RunSpec(run_id=f"calibration/r{i:04d}", scenario="calibration", point=0,
                    replicate=i, seed=int(seed), mission=mission, preset=preset, params={},
                    reforms={}, horizon=HORIZON, snapshots=SNAPSHOTS)
            for i, seed in enumerate(seeds)]


def moments(mission: Mission, seeds: Sequence[int], preset: str = "workshop",
            options: RunOptions | None = None) -> dict[str, float]:
    """Simulated moments of the baseline (no reforms) for a mission variant, mean over seeds.

    Args:
        mission: The mission record (a variant of a shipped one while calibrating).
        seeds: Model seeds, one run each.
        preset: World preset.
        options: How to run (default: serially, in this process, in memory).
    """
    runs = execute(specs(mission, seeds, preset), {"kind": "calibration"},
                   options or RunOptions(workers=1))
    places = runs.places[runs.places["at"] == "snapshot"]
    rows = []
    for _, run in places.groupby("replicate", sort=True):
        y = {m: run.loc[run["month"] == m, "outcome"].to_numpy() for m in SNAPSHOTS}
        w = {m: run.loc[run["month"] == m, "cohort"].to_numpy() for m in (0, HORIZON)}
        y0, y12, y24 = y[0], y[12], y[24]
        national0 = float(np.average(y0, weights=w[0]))
        national36 = float(np.average(y[HORIZON], weights=w[HORIZON]))
        rows.append({
            "gain_per_year": (national36 - national0) / YEARS,
            "sd_month0": float(y0.std()),
            "change_sd": float((y24 - y12).std()),
            "corr_two_years": float(np.corrcoef(y0, y24)[0, 1]),
            "share_improving": float(np.mean(y24 > y0)),
        })
    return {t.name: float(np.mean([r[t.name] for r in rows])) for t in TARGETS}


def distance(simulated: dict[str, float]) -> float:
    """The objective: squared scaled distances of the simulated from the observed moments."""
    return float(sum(((simulated[t.name] - t.observed) / t.scale) ** 2 for t in TARGETS))


@dataclass
class Calibration:
    """A calibration's result and provenance."""

    mission: str
    values: dict[str, float]
    start: dict[str, float]
    fit: list[dict[str, Any]]
    objective: float
    evaluations: int
    procedure: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """The result as JSON (what ``missionsim calibrate`` writes)."""
        return json.dumps(dataclasses.asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def load(cls, path: str | Path) -> Calibration:
        """Read a calibration written by :meth:`to_json`."""
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))


def _fit_rows(simulated: dict[str, float]) -> list[dict[str, Any]]:
    return [{"name": t.name, "observed": t.observed, "model": simulated[t.name],
             "z": (simulated[t.name] - t.observed) / t.scale, "unit": t.unit,
             "source": t.source} for t in TARGETS]


def calibrate(seeds: Sequence[int] = tuple(range(8)), preset: str = "workshop",
              max_evaluations: int = 80, mission: str = "early_years",
              progress: Callable[[int, float], None] | None = None,
              start: dict[str, float] | None = None,
              options: RunOptions | None = None) -> Calibration:
    """Fit the free parameters of a mission's baseline to the observed moments.

    Args:
        seeds: Model seeds run at every evaluation (common random numbers).
        preset: World preset (default ``workshop``, 30 places, for speed).
        max_evaluations: Most objective evaluations (Nelder–Mead).
        mission: The mission whose parameters are fitted.
        progress: Called as ``progress(evaluation, objective)``.
        start: Where the search starts (default :data:`START`, the values before calibration).
        options: How each evaluation's runs are done (default: serially, in this process).

    Returns:
        The fitted values, the fit per target and the provenance. Same arguments, same result.
    """
    base = MISSIONS[mission]
    names = list(FREE)
    lo = np.array([FREE[n][0] for n in names])
    hi = np.array([FREE[n][1] for n in names])
    first = {**START, **(start or {})}
    start_at = np.array([first[n] for n in names], dtype=float)
    scale = hi - lo
    count = 0

    def objective(u: np.ndarray) -> float:
        nonlocal count
        x = np.clip(lo + u * scale, lo, hi)
        value = distance(moments(dataclasses.replace(base, **dict(zip(names, x, strict=True))),
                                 seeds, preset, options))
        count += 1
        if progress is not None:
            progress(count, value)
        return value

    result = minimize(objective, (start_at - lo) / scale, method="Nelder-Mead",
                      options={"maxfev": max_evaluations, "xatol": STOP, "fatol": STOP,
                               "initial_simplex": _simplex((start_at - lo) / scale)})
    best = np.clip(lo + result.x * scale, lo, hi)
    values = {n: float(v) for n, v in zip(names, best, strict=True)}
    simulated = moments(dataclasses.replace(base, **values), seeds, preset, options)
    from missionsim import __version__

    return Calibration(
        mission=mission,
        values=values,
        start={n: float(v) for n, v in zip(names, start_at, strict=True)},
        fit=_fit_rows(simulated),
        objective=distance(simulated),
        evaluations=count,
        procedure={
            "method": "simulated method of moments; Nelder–Mead (scipy.optimize.minimize) "
                      "over the free parameters scaled to [0, 1], from the values set by hand "
                      "before calibration",
            "data": "CALIBRATION.md section A (early years)",
            "seeds": [int(s) for s in seeds],
            "preset": preset,
            "bounds": {n: list(FREE[n]) for n in names},
            "max_evaluations": max_evaluations,
            "date": dt.date.today().isoformat(),
            "version": __version__,
        },
    )


def _simplex(x0: np.ndarray) -> np.ndarray:
    """A starting simplex of steps of :data:`SIMPLEX_STEP` (scaled units) away from the bounds."""
    points = [x0]
    for i in range(x0.size):
        p = x0.copy()
        p[i] = p[i] + SIMPLEX_STEP if p[i] + SIMPLEX_STEP <= 1.0 else p[i] - SIMPLEX_STEP
        points.append(p)
    return np.array(points)


def current_fit(seeds: Sequence[int] = tuple(range(8)), preset: str = "workshop",
                mission: str = "early_years",
                options: RunOptions | None = None) -> list[dict[str, Any]]:
    """The fit per target of the mission's current parameters."""
    return _fit_rows(moments(MISSIONS[mission], seeds, preset, options))


def shipped(mission: str) -> Calibration:
    """The calibration a shipped mission's defaults come from (``calibrated/<mission>.json``).

    Raises:
        FileNotFoundError: When the mission has no shipped calibration.
    """
    return Calibration.load(CALIBRATED / f"{mission}.json")
