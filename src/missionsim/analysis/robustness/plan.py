"""What the robustness analysis runs: the plan, the ranges, the scenarios and the sweeps."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from missionsim.experiments.scenario import Scenario, ScenarioError, load_scenario, shipped_dir
from missionsim.experiments.sweeps import Sweep, design_points, load_sweep
from missionsim.model.params import PARAMETERS, uncertainties
from missionsim.model.reforms import REFORMS

BASELINE = "baseline"
"""Name of the scenario every reform is compared with."""
PACKAGES = ("all_reforms",)
"""Packages run for reference: their effects are analysed but they are not ranked."""
MARGIN = "margin"
"""Output name of the gain of the best reform minus that of the runner-up."""
OUTCOME = "outcome"
"""Output name of the baseline's own outcome (the level every effect is added to)."""

RANGES_SWEEP = "morris_uncertainties"
"""The shipped sweep whose factors give each uncertainty's plausible range."""


@functools.cache
def default_ranges() -> dict[str, tuple[float, float]]:
    """Plausible range of each uncertainty: the factors of ``sweeps/morris_uncertainties.toml``.

    An uncertainty the sweep does not vary is screened over its whole declared range.
    """
    sweep = load_sweep(RANGES_SWEEP)
    return {name: (f.low, f.high) for name, f in sweep.factors.items()}


@dataclass(frozen=True)
class Plan:
    """Sizes, world and seeds of the analysis.

    Attributes:
        preset: The world every scenario runs on.
        horizon: Months simulated (the mission's deadline is analysed; a longer horizon adds
            the end).
        seed: Root seed of every run and of both designs (default: the baseline's).
        trajectories: Morris trajectories r (points: r × (uncertainties + 1)).
        levels: Morris grid levels.
        replicates: Replicates per Morris point (paired across scenarios).
        sobol_samples: Sobol base sample N, a power of two (points: N × (leading + 2)).
        sobol_replicates: Replicates per Sobol point.
        leading: How many leading uncertainties the Sobol stage varies.
        uncertainties: The uncertainties screened (default: all of them).
        reforms: The reforms ranked (one scenario file each).
        packages: Scenarios run for reference and not ranked.
    """

    preset: str = "workshop"
    horizon: int = 36
    seed: int | None = None
    trajectories: int = 10
    levels: int = 4
    replicates: int = 2
    sobol_samples: int = 64
    sobol_replicates: int = 1
    leading: int = 3
    uncertainties: tuple[str, ...] | None = None
    reforms: tuple[str, ...] = tuple(REFORMS)
    packages: tuple[str, ...] = PACKAGES

    def runs(self) -> tuple[int, int]:
        """Runs of the Morris and the Sobol stage (before a shock's size joins its month)."""
        k = len(self.uncertainties or [p.name for p in uncertainties()])
        scenarios = 1 + len(self.reforms) + len(self.packages)
        morris = self.trajectories * (k + 1) * self.replicates * scenarios
        sobol = self.sobol_samples * (min(self.leading, k) + 2) * self.sobol_replicates
        return morris, sobol * scenarios


def uncertainty_ranges(names: Sequence[str] | None = None) -> dict[str, tuple[float, float]]:
    """The range each uncertainty is screened over, in declaration order.

    Args:
        names: Uncertainties to keep (default: every declared uncertainty).

    Returns:
        Name to ``(low, high)``: :func:`default_ranges` where given, else the declared range.

    Raises:
        ValueError: A name that is not a declared uncertainty.
    """
    declared = [p.name for p in uncertainties()]
    wanted = declared if names is None else list(names)
    unknown = [n for n in wanted if n not in declared]
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not an uncertainty; expected some of "
                         f"{', '.join(declared)}")
    if not wanted:
        raise ValueError("expected at least one uncertainty to screen")
    out = {}
    for name in declared:
        if name in wanted:
            p = PARAMETERS[name]
            out[name] = default_ranges().get(name, (p.low, p.high))
    return out


def load_scenarios(plan: Plan, folder: str | Path | None = None) -> dict[str, Scenario]:
    """The baseline, the ranked reforms and the packages, on the plan's world and horizon.

    Args:
        plan: The analysis plan.
        folder: Folder of the scenario files (default: the shipped ``scenarios/``).

    Returns:
        Scenario name to scenario: the baseline first, then the reforms, then the packages.

    Raises:
        ScenarioError: A missing or invalid file, or scenarios with different missions.
    """
    folder = shipped_dir() if folder is None else Path(folder)
    names = [BASELINE, *plan.reforms, *plan.packages]
    if len(set(names)) != len(names):
        raise ScenarioError(f"scenarios {', '.join(names)}: each may appear only once")
    out: dict[str, Scenario] = {}
    for name in names:
        path = folder / f"{name}.toml"
        if not path.is_file():
            raise ScenarioError(f"{path}: no such scenario file")
        scenario = load_scenario(path)
        world = scenario.world.model_dump()
        world["preset"] = plan.preset
        out[name] = scenario.with_changes(horizon=plan.horizon, world=world)
    missions = {s.mission for s in out.values()}
    if len(missions) > 1:
        raise ScenarioError(f"the scenarios pursue different missions ({', '.join(missions)})")
    return out


def make_sweeps(scenarios: Mapping[str, Scenario], stage: str, design: str,
                ranges: Mapping[str, tuple[float, float]], samples: int, replicates: int,
                seed: int, month: int, levels: int = 4) -> dict[str, Sweep]:
    """One sweep per scenario, all over the same design, factors, replicates and seed.

    Args:
        scenarios: Scenario name to scenario.
        stage: Label of the stage (``morris`` or ``sobol``), used in the sweeps' names.
        design: ``morris`` or ``sobol``.
        ranges: Factor (an uncertainty) to its ``(low, high)``.
        samples: Morris trajectories or Sobol base sample.
        replicates: Replicates per design point.
        seed: Root seed of the runs and the design.
        month: The month analysed (the sweeps' ``output.month``).
        levels: Morris grid levels.

    Returns:
        Scenario name to :class:`~missionsim.experiments.sweeps.Sweep`. Their designs are identical,
        so point ``p``, replicate ``r`` is the same world, shocks and uncertainty values in all.
    """
    sweeps: dict[str, Sweep] = {}
    for name, scenario in scenarios.items():
        sweeps[name] = Sweep.from_mapping({
            "name": f"robustness-{stage}-{name}",
            "description": f"Global sensitivity of the reform ranking ({stage} stage): {name}.",
            "scenario": scenario,
            "design": design,
            "samples": int(samples),
            "replicates": int(replicates),
            "seed": int(seed),
            "levels": int(levels),
            "output": {"metric": "outcome", "month": int(month)},
            "factors": {n: {"low": float(lo), "high": float(hi)} for n, (lo, hi) in
                        ranges.items()},
        }, source=f"<robustness {stage} {name}>")
    first = next(iter(sweeps.values()))
    for name, sweep in sweeps.items():
        if not design_points(sweep).equals(design_points(first)):
            raise ValueError(f"the {stage} design of {name} differs from that of "
                             f"{first.scenario.name}")
    return sweeps


SHOCK_SIZES = {"funding_shock_month": "funding_shock", "demand_shock_month": "demand_shock"}
"""A shock's month and the size it acts through: the month does nothing without the size."""


def sobol_factors(leading: Sequence[str], ranges: Mapping[str, Any]) -> list[str]:
    """The factors of the Sobol stage: the leading uncertainties, plus companions.

    The month of a shock matters only through the shock's size, which stays at the scenarios'
    value (no shock) when it is not varied; so when a month is among the leading uncertainties
    and its size is not, the size (if screened) joins the stage, after the leading ones.
    """
    factors = list(leading)
    for name in leading:
        size = SHOCK_SIZES.get(name)
        if size is not None and size in ranges and size not in factors:
            factors.append(size)
    return factors


