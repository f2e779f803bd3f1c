"""Calibration of the early-years mission to CALIBRATION §A and §C by simulated method of moments.

Two blocks of free parameters are fitted, each to the moments that identify it. First the
**funding response**: the mission's ``elasticity`` (how strongly the outcome's gap to its best
value answers effective delivery, shared by the first-profile history so that one number
governs both) is fitted to the first profile *with* the decade's squeeze applied (pattern
G1s: ``scenarios/history/early_years_first_profile_squeeze.toml``; its saturation level A, its
series RMSE and the share of councils improving) and to an assumed size of the effect of a 30%
cut to council core funding over four years:

==============================  ==========  ========================================
moment                          observed    source
==============================  ==========  ========================================
cut_effect                      −2.0 pp     assumption (range −1 to −3 pp; see
                                            :data:`FUNDING_TARGETS`)
g1s_a                           72.7        §A fit of the first profile, A ≈ 72.7
g1s_rmse                        0 pp        §A first profile, 2012/13 to 2018/19
g1s_improving                   0.92        §A 92% of councils improved 2016→18
==============================  ==========  ========================================

Then, at that elasticity, the **baseline dynamics** — the mission's ``momentum`` (the
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

Each moment's distance is scaled by the half-width of its observed range (for the G1s moments,
the tolerance of the G1 check), and each block's objective is the sum of squares over its
moments; the reported objective is the sum over all nine at the fitted values. The baseline
has no change in funding, so the elasticity barely moves its five moments (the block order
fits them last, at the final elasticity). Every evaluation runs the same seeds (common random
numbers), so the objective is a deterministic function of the parameters and the fit
reproduces exactly; :func:`scipy.optimize.minimize` (Nelder–Mead, from the values set by hand
before calibration, :data:`START`) finds each block's minimum.
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

from missionsim.analysis import validation_g1
from missionsim.analysis.observed import observed
from missionsim.analysis.validation_core import scenario
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

_SEEN = observed()

FUNDING_TARGETS = (
    Target("cut_effect", -2.0, 1.0, "pp after four years",
           "assumption: a 30% cut to council core funding from month 0 costs 1–3 pp of "
           "national GLD within four years. History bounds it from above (G1s: the 2010s "
           "squeeze, −18% core and −42% early intervention, §C, came with the first profile "
           "rising to A ≈ 72.7 and 92% of councils improving, §A) and the FSM gap of ≈ 20 pp "
           "(§A) is the whole difference deprivation makes, of which council early services "
           "are a part; no study in the brief measures it"),
    Target("g1s_a", _SEEN.first_profile_fit["A"], _SEEN.tolerance["a"], "pp",
           "A: first profile fit A ≈ 72.7, reproduced with the §C squeeze (tolerance of G1)"),
    Target("g1s_rmse", 0.0, _SEEN.tolerance["series_rmse"], "pp",
           "A: first profile 51.7% (2012/13) → 71.8% (2018/19), with the §C squeeze (RMSE of "
           "the model mean; tolerance of G1)"),
    Target("g1s_improving", _SEEN.improving, _SEEN.tolerance["improving"], "share",
           "A: 92% of councils improved 2016→18, with the §C squeeze (tolerance of G1)"),
)
"""The moments the funding response is calibrated to."""

ALL_TARGETS = TARGETS + FUNDING_TARGETS
"""Every moment reported in a calibration's fit, baseline first."""

FREE = {"momentum": (0.0, 8.0), "spread_sd": (1.0, 8.0), "noise": (0.0, 0.06),
        "elasticity": (0.0, 2.0)}
"""Free parameters of the ``early_years`` mission, with the bounds searched."""

BASELINE_FREE = ("momentum", "spread_sd", "noise")
"""The block fitted to :data:`TARGETS`."""
FUNDING_FREE = ("elasticity",)
"""The block fitted to :data:`FUNDING_TARGETS` (first)."""
SHARED = {"elasticity": "early_years_first_profile"}
"""Fitted values the first-profile history takes too: one response of GLD to delivery."""

START = {"momentum": 2.9, "spread_sd": 3.3, "noise": 0.016, "elasticity": 1.0}
"""Where the search starts: the values set by hand before the first calibration (momentum
from the observed gain of about 0.9 pp a year, spread from the council SD, noise an
assumption, elasticity 1: the gap in proportion to the inverse of support). The start is part
of the procedure, so a re-run reproduces the shipped values."""

CUT = 0.3
"""The cut to council core funding of the ``cut_effect`` moment (from month 0)."""
CUT_MONTHS = 48
"""Months after which the cut's effect is read (four years, as pattern G4)."""
HISTORY_REPLICATES = 2
"""Paired seeds of the first-profile scenario with the squeeze at each evaluation."""

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


def funding_moments(mission: Mission, seeds: Sequence[int], preset: str = "workshop",
                    options: RunOptions | None = None, history_preset: str | None = None,
                    history_replicates: int = HISTORY_REPLICATES) -> dict[str, float]:
    """Simulated funding-response moments of a mission variant (see :data:`FUNDING_TARGETS`).

    Args:
        mission: The ``early_years`` record (a variant while calibrating); its
            :data:`SHARED` values are given to the first-profile history too.
        seeds: Model seeds of the cut and its paired baseline.
        preset: World preset of the cut.
        options: How to run.
        history_preset: World preset of the first profile (default its scenario's, england).
        history_replicates: Paired seeds of the first profile with the squeeze.
    """
    runs = [dataclasses.replace(spec, run_id=f"{name}/{spec.run_id}", scenario=name,
                                horizon=CUT_MONTHS, snapshots=(), params=params)
            for name, params in (("base", {}),
                                 ("cut", {"funding_shock": CUT, "funding_shock_month": 0}))
            for spec in specs(mission, seeds, preset)]
    res = execute(runs, {"kind": "calibration", "moment": "cut_effect"},
                  options or RunOptions(workers=1))
    end = res.months[res.months["month"] == CUT_MONTHS]
    wide = end.pivot_table(index="replicate", columns="scenario", values="outcome")
    history = {name: getattr(mission, name) for name in SHARED}
    first = dataclasses.replace(MISSIONS[next(iter(SHARED.values()))], **history)
    fp = validation_g1.run(scenario(validation_g1.SQUEEZED), history_replicates,
                           options or RunOptions(workers=1), mission=first,
                           preset=history_preset)
    return {"cut_effect": float((wide["cut"] - wide["base"]).mean()), "g1s_a": fp.a,
            "g1s_rmse": fp.rmse(), "g1s_improving": float(fp.improving.mean())}


def distance(simulated: dict[str, float], targets: Sequence[Target] = TARGETS) -> float:
    """The objective: squared scaled distances of the simulated from the observed moments."""
    return float(sum(((simulated[t.name] - t.observed) / t.scale) ** 2 for t in targets))


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
    provenance: dict[str, Any] = field(default_factory=dict)
    """The inputs' files with the SHA-256 of their bytes, the date and the version (a fit to an
    observed series, :mod:`~missionsim.analysis.calibration_mission`); empty, and left out of
    the JSON, for the early-years fit, whose data are CALIBRATION §A and §C."""

    def to_json(self) -> str:
        """The result as JSON (what ``missionsim calibrate`` writes)."""
        data = dataclasses.asdict(self)
        if not data["provenance"]:
            del data["provenance"]
        return json.dumps(data, indent=2, sort_keys=True) + "\n"

    @classmethod
    def load(cls, path: str | Path) -> Calibration:
        """Read a calibration written by :meth:`to_json`."""
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))


def fit_rows(simulated: dict[str, float], targets: Sequence[Target] = ALL_TARGETS
             ) -> list[dict[str, Any]]:
    """The fit per target: observed, model, scaled distance ``z``, unit and source."""
    return [{"name": t.name, "observed": t.observed, "model": simulated[t.name],
             "z": (simulated[t.name] - t.observed) / t.scale, "unit": t.unit,
             "source": t.source} for t in targets if t.name in simulated]


def _search(names: Sequence[str], first: dict[str, float],
            objective: Callable[[dict[str, float]], float], max_evaluations: int
            ) -> dict[str, float]:
    """Nelder–Mead over ``names`` scaled to [0, 1] by their bounds, from ``first``."""
    lo = np.array([FREE[n][0] for n in names])
    hi = np.array([FREE[n][1] for n in names])
    scale = hi - lo
    x0 = (np.array([first[n] for n in names], dtype=float) - lo) / scale

    def scaled(u: np.ndarray) -> float:
        return objective(dict(zip(names, np.clip(lo + u * scale, lo, hi), strict=True)))

    result = minimize(scaled, x0, method="Nelder-Mead",
                      options={"maxfev": max_evaluations, "xatol": STOP, "fatol": STOP,
                               "initial_simplex": _simplex(x0)})
    return {n: float(v) for n, v in zip(names, np.clip(lo + result.x * scale, lo, hi),
                                        strict=True)}


def calibrate(seeds: Sequence[int] = tuple(range(8)), preset: str = "workshop",
              max_evaluations: int = 80, mission: str = "early_years",
              progress: Callable[[int, float], None] | None = None,
              start: dict[str, float] | None = None,
              options: RunOptions | None = None, history_preset: str | None = None,
              history_replicates: int = HISTORY_REPLICATES) -> Calibration:
    """Fit the funding response, then the baseline dynamics, of a mission to the moments.

    Args:
        seeds: Model seeds run at every evaluation (common random numbers).
        preset: World preset of the baseline and the cut (default ``workshop``, 30 places).
        max_evaluations: Most objective evaluations of each block (Nelder–Mead).
        mission: The mission whose parameters are fitted.
        progress: Called as ``progress(evaluation, objective)``.
        start: Where the search starts (default :data:`START`, the values before calibration).
        options: How each evaluation's runs are done (default: serially, in this process).
        history_preset: World preset of the first profile with the squeeze (default england).
        history_replicates: Its paired seeds at each evaluation.

    Returns:
        The fitted values, the fit per target and the provenance. Same arguments, same result.
    """
    base = MISSIONS[mission]
    values = {**START, **(start or {})}
    count = 0
    history = {"history_preset": history_preset, "history_replicates": history_replicates}

    def block(targets: Sequence[Target], measure: Callable[..., dict[str, float]]):
        def objective(x: dict[str, float]) -> float:
            nonlocal count
            value = distance(measure(dataclasses.replace(base, **{**values, **x})), targets)
            count += 1
            if progress is not None:
                progress(count, value)
            return value
        return objective

    values.update(_search(FUNDING_FREE, values, block(FUNDING_TARGETS, lambda m: funding_moments(
        m, seeds, preset, options, **history)), max_evaluations))
    values.update(_search(BASELINE_FREE, values, block(TARGETS, lambda m: moments(
        m, seeds, preset, options)), max_evaluations))
    fitted = dataclasses.replace(base, **values)
    simulated = {**moments(fitted, seeds, preset, options),
                 **funding_moments(fitted, seeds, preset, options, **history)}
    from missionsim import __version__

    return Calibration(
        mission=mission,
        values=values,
        start={n: float(v) for n, v in {**START, **(start or {})}.items()},
        fit=fit_rows(simulated),
        objective=distance(simulated, ALL_TARGETS),
        evaluations=count,
        procedure={
            "method": "simulated method of moments in two blocks, each by Nelder–Mead "
                      "(scipy.optimize.minimize) over its free parameters scaled to [0, 1], "
                      "from the values set by hand before calibration: first "
                      f"{', '.join(FUNDING_FREE)} to the funding moments, then "
                      f"{', '.join(BASELINE_FREE)} to the baseline moments",
            "data": "CALIBRATION.md sections A (early years) and C (capacity and money)",
            "seeds": [int(s) for s in seeds],
            "preset": preset,
            "history": {"scenario": validation_g1.SQUEEZED, "preset": history_preset,
                        "replicates": history_replicates},
            "cut": {"share": CUT, "months": CUT_MONTHS},
            "shared": dict(SHARED),
            "bounds": {n: list(FREE[n]) for n in FREE},
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
                mission: str = "early_years", options: RunOptions | None = None,
                history_preset: str | None = None,
                history_replicates: int = HISTORY_REPLICATES) -> list[dict[str, Any]]:
    """The fit per target of the mission's current parameters."""
    m = MISSIONS[mission]
    return fit_rows({**moments(m, seeds, preset, options),
                      **funding_moments(m, seeds, preset, options, history_preset,
                                        history_replicates)})


def shipped(mission: str) -> Calibration:
    """The calibration a shipped mission's defaults come from (``calibrated/<mission>.json``).

    Raises:
        FileNotFoundError: When the mission has no shipped calibration.
    """
    return Calibration.load(CALIBRATED / f"{mission}.json")
