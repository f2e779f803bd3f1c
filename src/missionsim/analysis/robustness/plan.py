"""What the robustness analysis runs: the plan, the factors and their groups, the scenarios."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from missionsim.experiments.scenario import Scenario, ScenarioError, load_scenario, shipped_dir
from missionsim.experiments.sweeps import load_sweep
from missionsim.model.params import PARAMETERS, assumptions, resolve, uncertainties
from missionsim.model.reforms import REFORMS

BASELINE = "baseline"
"""Name of the scenario every reform is compared with (the no-reform option)."""
UNCERTAINTY_GROUP = "uncertainty"
"""Screening group of the external uncertainties."""
REFORM_GROUP = "reform: "
"""Prefix of the screening group of a reform's own assumptions (its strength and cost)."""
TEN_YEARS = 120
"""The second month analysed: ten years (when the horizon reaches it; else the horizon)."""
RANGES_SWEEP = "morris_uncertainties"
"""The shipped sweep whose factors give each uncertainty's plausible range."""


@functools.cache
def default_ranges() -> dict[str, tuple[float, float]]:
    """Plausible range of each uncertainty: the factors of ``sweeps/morris_uncertainties.toml``.

    An uncertainty the sweep does not vary is varied over its declared plausible range.
    """
    sweep = load_sweep(RANGES_SWEEP)
    return {name: (f.low, f.high) for name, f in sweep.factors.items()}


@dataclass(frozen=True)
class Plan:
    """Sizes, world, seeds and budget of the analysis.

    Attributes:
        preset: The world every scenario runs on.
        horizon: Months simulated; the deadline and month 120 (or the horizon) are analysed.
        seed: Root seed of every run and design (default: the baseline's).
        budget: Public cost every reform is scaled to (£m, present value over the horizon;
            ``None``: the largest budget every reform can reach).
        rate: Discount rate of the present value (Green Book: 3.5% a year).
        cost_replicates: Replicates of the equal-cost calibration (at default assumptions).
        trajectories: Grouped Morris trajectories r (points: r × (groups + 1)).
        levels: Morris grid levels.
        replicates: Replicates per screening point and per sample point (paired).
        samples: Latin hypercube points over every factor (P(best) and EVPPI).
        switching: How many factors get a one-way sweep for their switching value.
        switch_levels: Values of each one-way sweep across the plausible range (plus the
            default).
        switch_replicates: Replicates per value of a one-way sweep.
        factors: The factors varied (default: every assumption and uncertainty).
        reforms: The reforms compared (one scenario file each).
    """

    preset: str = "workshop"
    horizon: int = TEN_YEARS
    seed: int | None = None
    budget: float | None = None
    rate: float = 0.035
    cost_replicates: int = 4
    trajectories: int = 10
    levels: int = 4
    replicates: int = 1
    samples: int = 400
    switching: int = 4
    switch_levels: int = 5
    switch_replicates: int = 4
    factors: tuple[str, ...] | None = None
    reforms: tuple[str, ...] = tuple(REFORMS)

    def runs(self) -> dict[str, int]:
        """Runs of each stage (the equal-cost calibration's are its own)."""
        table = factor_table(self.factors)
        groups = table["group"].nunique()
        scenarios = 1 + len(self.reforms)
        return {"screening": self.trajectories * (groups + 1) * self.replicates * scenarios,
                "sample": self.samples * self.replicates * scenarios,
                "switching": min(self.switching, len(table)) * (self.switch_levels + 1)
                * self.switch_replicates * scenarios}


def group_of(name: str) -> str:
    """The screening group of a factor.

    A reform's own assumption (strength, cost) goes to that reform's group, an uncertainty to
    the uncertainty group, any other assumption to its parameter group.
    """
    p = PARAMETERS[name]
    if p.uncertainty or p.role == "uncertainty":
        return UNCERTAINTY_GROUP
    return REFORM_GROUP + p.reform if p.reform else p.group


def factor_table(names: Sequence[str] | None = None) -> pd.DataFrame:
    """Every factor varied, in declaration order: the assumptions, then the uncertainties.

    Args:
        names: Factors to keep (default: every declared assumption and uncertainty).

    Returns:
        Index ``factor``; columns ``low`` and ``high`` (the plausible range: an assumption's
        declared one, an uncertainty's from :func:`default_ranges`), ``role``, ``group``
        (:func:`group_of`), ``kind`` (``int`` or ``float``), ``unit`` and ``meaning``.

    Raises:
        ValueError: A name that is not a declared assumption or uncertainty, or a factor
            whose range is a single value.
    """
    declared = [p.name for p in assumptions() if p.kind is not bool]
    declared += [p.name for p in uncertainties() if p.name not in declared]
    wanted = declared if names is None else list(dict.fromkeys(names))
    unknown = [n for n in wanted if n not in declared]
    if unknown:
        raise ValueError(f"factor {unknown[0]!r} is not a declared assumption or uncertainty "
                         "(see `missionsim list parameters`)")
    if not wanted:
        raise ValueError("expected at least one factor to vary")
    rows = []
    for name in declared:
        if name not in wanted:
            continue
        p = PARAMETERS[name]
        low, high = (default_ranges().get(name, p.plausible) if p.uncertainty
                     else p.plausible)
        if not high > low:
            raise ValueError(f"factor {name!r}: its plausible range {low:g} – {high:g} is a "
                             "single value")
        rows.append({"factor": name, "low": float(low), "high": float(high),
                     "role": "uncertainty" if p.uncertainty else p.role,
                     "group": group_of(name), "kind": p.kind.__name__, "unit": p.unit,
                     "meaning": p.meaning})
    return pd.DataFrame(rows).set_index("factor")


def load_scenarios(plan: Plan, folder: str | Path | None = None) -> dict[str, Scenario]:
    """The baseline and the reforms compared, on the plan's world and horizon.

    Raises:
        ScenarioError: A missing or invalid file, or scenarios with different missions.
    """
    folder = shipped_dir() if folder is None else Path(folder)
    names = [BASELINE, *plan.reforms]
    if len(set(names)) != len(names):
        raise ScenarioError(f"scenarios {', '.join(names)}: each may appear only once")
    unknown = [r for r in plan.reforms if r not in REFORMS]
    if unknown:
        raise ScenarioError(f"{unknown[0]!r} is not a reform; expected some of "
                            f"{', '.join(REFORMS)}")
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


def months_of(plan: Plan, scenario: Scenario) -> list[int]:
    """The months analysed: the mission's deadline and ten years (both within the horizon)."""
    deadline = min(scenario.mission_record().deadline, plan.horizon)
    later = min(TEN_YEARS, plan.horizon)
    return [deadline] + ([later] if later > deadline else [])


def default_values(scenario: Scenario, names: Sequence[str]) -> dict[str, float]:
    """Each factor's value where it is not varied.

    That is the scenario's world (preset, mission and overrides) or, for an uncertainty the
    scenario draws per replicate, the middle of its draw.
    """
    values = resolve(scenario.world.preset, scenario.world.params,
                     scenario.mission_record().world)
    out = {}
    for name in names:
        drawn = scenario.uncertainties.get(name)
        out[name] = (float(values[name]) if drawn is None
                     else (float(drawn.low) + float(drawn.high)) / 2.0)
    return out


def sweep_factors(table: pd.DataFrame) -> dict[str, dict[str, float]]:
    """The factors of a sweep over ``table``'s ranges (``factors.NAME.low/high``)."""
    return {n: {"low": float(r.low), "high": float(r.high)} for n, r in table.iterrows()}
