"""Sweep designs: the sample of each design, its points, and the runs' settings at each point.

:func:`sample` draws the design's raw sample (factorial levels; a scrambled Latin hypercube from
SciPy; Morris trajectories and Sobol (Saltelli) blocks from SALib), every random choice derived
from :attr:`~missionsim.experiments.sweeps.spec.Sweep.sample_seed`; :func:`design_points`
converts it to each factor's type; :func:`apply_point` turns one point into the parameter
overrides and reform settings of its runs.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from missionsim.errors import ScenarioError
from missionsim.experiments.sweeps.factors import factor_levels, target
from missionsim.experiments.sweeps.spec import Sweep
from missionsim.files import is_number, quote_key, short
from missionsim.limits import MAX_INTENSITY
from missionsim.model.params import PARAMETERS, WORLD_SIZE, defaults, resolve
from missionsim.model.paths import is_path
from missionsim.model.reforms.policy import highest


def problem(sweep: Sweep) -> dict[str, Any]:
    """The design's factors as SALib describes a problem: names and bounds."""
    names = list(sweep.factors)
    return {"num_vars": len(names), "names": names,
            "bounds": [[sweep.factors[n].low, sweep.factors[n].high] for n in names]}


def sample(sweep: Sweep) -> np.ndarray:
    """The design's raw sample (points × factors) before whole-number rounding.

    Factorial designs give their levels; LHS scales a scrambled
    :class:`scipy.stats.qmc.LatinHypercube` to the bounds; Morris and Sobol designs come from
    :func:`SALib.sample.morris.sample` and :func:`SALib.sample.sobol.sample`. Every random
    choice derives from :attr:`Sweep.sample_seed`, so equal sweeps give equal samples.
    """
    names = list(sweep.factors)
    if sweep.design == "factorial":
        rows = list(itertools.product(*(factor_levels(n, sweep.factors[n]) for n in names)))
        return np.array(rows, dtype=object).reshape(len(rows), len(names))
    if sweep.design == "lhs":
        from scipy.stats import qmc

        lhs = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(sweep.sample_seed))
        unit = lhs.random(int(sweep.samples))
        bounds = np.array(problem(sweep)["bounds"], dtype=float)
        return bounds[:, 0] + unit * (bounds[:, 1] - bounds[:, 0])
    if sweep.design == "morris":
        from SALib.sample import morris

        return morris.sample(problem(sweep), int(sweep.samples), num_levels=sweep.levels,
                             seed=sweep.sample_seed)
    from SALib.sample import sobol

    return sobol.sample(problem(sweep), int(sweep.samples), calc_second_order=sweep.second_order,
                        seed=sweep.sample_seed)


def design_points(sweep: Sweep) -> pd.DataFrame:
    """The design: one row per point (index ``point``), one column per factor.

    Whole-number factors (int parameters, reform start and end months) are rounded half up;
    true/false factors hold booleans. The order of rows is the design's order (Morris
    trajectories and Sobol blocks are consecutive rows), which the sensitivity analysis relies on.
    """
    raw = sample(sweep)
    columns: dict[str, Any] = {}
    for j, name in enumerate(sweep.factors):
        tgt = target(name)
        converted = [tgt.convert(v) for v in raw[:, j]]
        columns[name] = pd.Series(converted, dtype={bool: "bool", int: "int64",
                                                    float: "float64"}[tgt.kind])
    frame = pd.DataFrame(columns)
    frame.index.name = "point"
    return frame




def apply_point(sweep: Sweep, values: Mapping[str, Any], point: int = 0,
                source: str | None = None) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The parameter overrides and reform settings of one design point.

    Parameter factors override the scenario's parameters (and its uncertainty draws, and a
    ``[policy]`` path for the same parameter); reform settings change the scenario's reforms,
    adding a reform it lacks (start 0, intensity 1, no end) or re-enabling one it switches off.
    A factor on ``<reform>.intensity`` is a number: it replaces an intensity path the scenario
    gives (the path is not scaled).

    Args:
        sweep: The sweep.
        values: Factor name to value at this point.
        point: The point's number, for messages.
        source: Name used in messages (default: the sweep's source).

    Returns:
        ``(params, reforms)`` for :func:`~missionsim.experiments.runner.spec_for`.

    Raises:
        ScenarioError: A value that the parameter or reform does not allow; the message names
            the factor and the point.
    """
    source = source or sweep.source or "<sweep>"
    base = sweep.scenario
    params: dict[str, Any] = {}
    reforms = {name: dict(s) for name, s in base.reform_settings().items()}
    factor_of: dict[tuple[str, str], str] = {}
    for name, value in values.items():
        tgt = target(name)
        if tgt is None:
            raise ScenarioError(f"{source}: factors.{quote_key(name)}: unknown factor")
        value = plain(value)
        if tgt.reform is None:
            try:
                params[name] = PARAMETERS[name].check(value, where="")
            except ValueError as exc:
                raise ScenarioError(f"{source}: factors.{quote_key(name)}: point {point}: "
                                    f"{str(exc).split(': ', 1)[-1]}, got {short(value)}") from None
            continue
        if tgt.reform not in reforms:
            spec = base.reforms.get(tgt.reform)
            reforms[tgt.reform] = (spec.settings() if spec is not None
                                   else {"start": 0, "end": None, "intensity": 1.0})
        reforms[tgt.reform][tgt.field] = value
        factor_of[(tgt.reform, tgt.field)] = name
    for reform in sorted({r for r, _ in factor_of}):
        s = reforms[reform]
        if s["start"] >= base.horizon:
            name = factor_of.get((reform, "start"), reform)
            raise ScenarioError(f"{source}: factors.{quote_key(name)}: point {point} sets {reform} "
                                f"start = {s['start']}, at or after the horizon ({base.horizon} "
                                f"months), so the reform would never act; expected a month < "
                                f"{base.horizon}")
        if s["end"] is not None and s["end"] <= s["start"]:
            name = factor_of.get((reform, "end")) or factor_of[(reform, "start")]
            raise ScenarioError(f"{source}: factors.{quote_key(name)}: point {point} sets {reform} "
                                f"start = {s['start']} and end = {s['end']}; expected end after "
                                "start")
        intensity = s["intensity"]
        top = {**defaults(), **base.world.params, **params}.get(
            f"{reform}_max_intensity", MAX_INTENSITY)
        known = is_number(intensity) or is_path(intensity)  # a path: the scenario's, checked
        if not (known and 0.0 <= highest(intensity) <= top):
            name = factor_of.get((reform, "intensity"), reform)
            raise ScenarioError(f"{source}: factors.{quote_key(name)}: point {point} sets "
                                f"intensity = {short(intensity)}; expected a number in "
                                f"[0, {top:g}] ({reform}_max_intensity)")
    if any(name in WORLD_SIZE for name in params):
        places = base.places_data()
        try:
            resolve(base.world.preset, {**base.world.params, **params},
                    base.mission_record().world,
                    None if places is None else (places.n, float(places.cohort.sum())))
        except ValueError as exc:
            raise ScenarioError(f"{source}: factors: point {point}: {exc}") from None
    return params, reforms


def plain(value: Any) -> Any:
    """NumPy scalars as plain Python numbers."""
    return value.item() if isinstance(value, np.generic) else value
