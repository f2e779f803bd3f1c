"""The advice's plan: settings checked against the scenario, with the space and the factors.

:func:`make_plan` joins :class:`~missionsim.analysis.advise.settings.AdviseSettings` and the
scenario packages are added to, and checks what needs both: that the horizon reaches the
mission's deadline, that the reforms exist and are not already in the scenario, that every
intensity is within its reform's declared largest (``<reform>_max_intensity``), that start
months fall within the horizon, that targeting options are ones scenario files accept, that the
futures' factors are declared, and that the search's size is within
:data:`~missionsim.limits.MAX_EVALUATIONS`. Each problem is one line naming the file and the
key (or the flag).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from missionsim import __version__, limits
from missionsim.analysis.advise.settings import (
    DEFAULT_STARTS,
    EVERYWHERE,
    AdviseSettings,
)
from missionsim.analysis.advise.space import (
    TARGET_KEY,
    Gene,
    Space,
    targeting_available,
)
from missionsim.analysis.robustness.plan import factor_table
from missionsim.errors import ScenarioError
from missionsim.experiments.scenario import Scenario, as_scenario
from missionsim.files import short
from missionsim.model.reforms import REFORMS


@dataclass(frozen=True)
class Plan:
    """Everything an advice runs, checked.

    Attributes:
        settings: The settings.
        scenario: The scenario every package is added to, at the advice's horizon.
        budget: Public money available (£m, present value over the horizon).
        seed: Root seed of the futures and of the search.
        space: The packages the search may propose.
        factors: The factors the futures vary (declared assumptions and uncertainties).
        held: Factors the scenario sets in ``[world.params]``: held at its values.
    """

    settings: AdviseSettings
    scenario: Scenario
    budget: float
    seed: int
    space: Space
    factors: tuple[str, ...]
    held: tuple[str, ...]

    @property
    def objectives(self) -> tuple[str, ...]:
        """The objectives the search optimises."""
        return tuple(self.settings.objectives)

    @property
    def futures(self) -> int:
        """How many futures the ensemble holds."""
        return self.settings.futures.count

    @property
    def rate(self) -> float:
        """The discount rate a year of present values."""
        return self.settings.discount_rate

    @property
    def direction(self) -> int:
        """+1 when the mission raises its indicator, -1 when it lowers it."""
        return int(self.scenario.mission_record().direction)

    @property
    def target(self) -> float:
        """The mission's target."""
        return float(self.scenario.mission_record().target)

    @property
    def deadline(self) -> int:
        """The mission's deadline (a month within the horizon)."""
        return int(self.scenario.mission_record().deadline)

    def identity(self) -> dict[str, Any]:
        """What an output folder records to refuse resuming a different advice."""
        return {"version": __version__, "settings": self.settings.digest(),
                "scenario": self.scenario.digest(), "budget": self.budget, "seed": self.seed}


def make_plan(settings: AdviseSettings,
              scenario: Scenario | str | Path | Mapping[str, Any] | None = None) -> Plan:
    """Check the settings against the scenario and build the plan.

    Args:
        settings: Validated settings.
        scenario: The scenario packages are added to (default: the settings' ``scenario``).

    Raises:
        ScenarioError: One line naming the file and key (or the flag) and what was expected.
    """
    if scenario is None and settings.scenario is None:
        raise ScenarioError(f"{settings.source or '<advice settings>'}: scenario: expected the "
                            "scenario packages are added to (the SCENARIO argument, or "
                            "`scenario = \"...\"` in the advice file)")
    base = as_scenario(scenario if scenario is not None else settings.scenario)
    horizon = base.horizon if settings.horizon is None else settings.horizon
    deadline = base.mission_record().deadline
    if horizon < deadline:
        where = (settings.where("horizon") if settings.horizon is not None
                 else f"{base.source or base.name}: horizon")
        raise ScenarioError(f"{where}: {horizon} months end before the mission's deadline "
                            f"(month {deadline}); expected a horizon of at least {deadline} "
                            "months, so that every package meets the deadline")
    if horizon != base.horizon:
        base = base.with_changes(horizon=horizon)
    if settings.budget is None:
        raise settings.problem("budget", "required; expected the public money available in £m "
                               "(present value over the horizon), such as 40 or \"£40m\"")
    search = settings.search
    targets = _targets(settings, base)
    reforms = _reforms(settings, base)
    if EVERYWHERE not in targets and any(not REFORMS[r].targetable for r in reforms):
        targets = (*targets, EVERYWHERE)  # for the reforms that act everywhere or nowhere
    genes = tuple(Gene(r, _intensities(settings, base, r), _starts(settings, horizon),
                       _options(r, targets, settings))
                  for r in reforms)
    space = Space(genes=genes, targets=targets, max_reforms=search.max_reforms)
    evaluations = search.population * search.generations * settings.futures.count
    if evaluations > limits.MAX_EVALUATIONS:
        raise settings.problem("search.population", f"{search.population:,} packages × "
                               f"{search.generations:,} generations × "
                               f"{settings.futures.count:,} futures = {evaluations:,} "
                               f"evaluations; expected at most {limits.MAX_EVALUATIONS:,}")
    factors = _factors(settings)
    held = tuple(f for f in factors if f in base.world.params)
    return Plan(settings=settings, scenario=base, budget=float(settings.budget),
                seed=base.seed if settings.seed is None else settings.seed, space=space,
                factors=tuple(f for f in factors if f not in held), held=held)


def _reforms(settings: AdviseSettings, base: Scenario) -> list[str]:
    names = settings.search.reforms
    for i, name in enumerate(names):
        if name not in REFORMS:
            raise settings.problem(f"search.reforms[{i}]", f"{short(name)} is not a reform; "
                                   f"expected some of {limits.choices(list(REFORMS))}")
        if name in names[:i]:
            raise settings.problem(f"search.reforms[{i}]", f"{name} is listed twice; expected "
                                   "each reform once")
        if name in base.reform_settings():
            raise settings.problem(f"search.reforms[{i}]", f"{name} is already in the "
                                   f"scenario ({base.source or base.name}), in every package; "
                                   "expected reforms the scenario does not switch on")
    return list(names)


def _intensities(settings: AdviseSettings, base: Scenario, reform: str) -> tuple[float, ...]:
    """The reform's grid: its own, or the common one up to its largest intensity."""
    top = base.max_intensity(reform)
    own = settings.search.reform_intensities
    unknown = [r for r in own if r not in settings.search.reforms]
    if unknown:
        raise settings.problem(f"search.reform_intensities.{unknown[0]}", "not a reform the "
                               "search may include; expected one of search.reforms "
                               f"({', '.join(settings.search.reforms)})")
    path = (f"search.reform_intensities.{reform}" if reform in own
            else "search.intensities")
    values = own.get(reform, settings.search.intensities)
    if not values:
        raise settings.problem(path, "expected at least one intensity")
    for i, value in enumerate(values):
        if not 0.0 < value <= limits.MAX_INTENSITY:
            raise settings.problem(f"{path}[{i}]", f"{value:g}; expected intensities in "
                                   f"(0, {limits.MAX_INTENSITY:g}] (a reform left out is "
                                   "the search's own choice)")
        if value in values[:i]:
            raise settings.problem(f"{path}[{i}]", f"{value:g} is listed twice")
        if value > top and reform in own:
            raise settings.problem(f"{path}[{i}]", f"{value:g} is above {reform}'s largest "
                                   f"intensity ({top:g}, {reform}_max_intensity); expected "
                                   f"values in (0, {top:g}]")
    kept = tuple(sorted(v for v in values if v <= top))
    if not kept:
        raise settings.problem(path, f"no value is within {reform}'s largest intensity "
                               f"({top:g}, {reform}_max_intensity); expected at least one "
                               f"intensity in (0, {top:g}]")
    return kept


def _starts(settings: AdviseSettings, horizon: int) -> tuple[int, ...]:
    values = settings.search.starts
    if values is None:
        return tuple(s for s in DEFAULT_STARTS if s < horizon)
    for i, value in enumerate(values):
        if not 0 <= value < horizon:
            raise settings.problem(f"search.starts[{i}]", f"month {value}; expected a start "
                                   f"month in [0, {horizon - 1}] (before the horizon)")
        if value in values[:i]:
            raise settings.problem(f"search.starts[{i}]", f"month {value} is listed twice")
    return tuple(sorted(values))


def _targets(settings: AdviseSettings, base: Scenario) -> tuple[Any, ...]:
    """The targeting options: ``"all"``, or tables that scenario files accept as ``target``."""
    options = settings.search.targets
    seen: list[str] = []
    for i, option in enumerate(options):
        path = f"search.targets[{i}]"
        if isinstance(option, str) and option != EVERYWHERE:
            raise settings.problem(path, f"{short(option)}; expected \"{EVERYWHERE}\" (every "
                                   "place) or a table of targeting settings")
        if not isinstance(option, str):
            if not targeting_available():
                raise settings.problem(path, "place targeting is not available in this "
                                       f"version of missionsim; expected \"{EVERYWHERE}\"")
            _check_target(settings, base, path, option)
        text = json.dumps(option, sort_keys=True, default=str)
        if text in seen:
            raise settings.problem(path, "listed twice; expected each targeting option once")
        seen.append(text)
    return tuple(options)


def _options(reform: str, targets: tuple[Any, ...],
             settings: AdviseSettings) -> tuple[int, ...]:
    """The indices of the targeting options a reform may take.

    Every option the file lists; for a reform that cannot be targeted (it acts on national
    money flows or on the centre), ``"all"`` only.
    """
    if REFORMS[reform].targetable:
        listed = len(settings.search.targets)  # not the "all" added for untargetable reforms
        return tuple(range(listed))
    return (targets.index(EVERYWHERE),)


def _check_target(settings: AdviseSettings, base: Scenario, path: str,
                  option: Mapping[str, Any]) -> None:
    """Refuse a targeting option the scenario schema does not accept (one line)."""
    targetable = [r for r in settings.search.reforms if r in REFORMS and REFORMS[r].targetable]
    if not targetable:
        raise settings.problem(path, "none of search.reforms can be targeted (they act on "
                               f"national money flows or on the centre); expected \"{EVERYWHERE}\"")
    reform = targetable[0]
    data = base.model_dump(exclude={"source"})
    data["reforms"] = {**data["reforms"], reform: {"start": 0, TARGET_KEY: dict(option)}}
    try:
        Scenario.from_mapping(data, source="<target>")
    except ScenarioError as exc:
        text = str(exc).removeprefix("<target>: ")
        prefix = f"reforms.{reform}.{TARGET_KEY}"
        text = text.removeprefix(prefix).lstrip(".:[] ")
        raise settings.problem(path, text) from None


def _factors(settings: AdviseSettings) -> list[str]:
    """The factors the futures may vary (before those the scenario holds)."""
    table = factor_table()
    chosen = settings.futures.factors
    if chosen == "all":
        return list(table.index)
    if chosen == "assumptions":
        return list(table.index[table["role"] != "uncertainty"])
    if chosen == "uncertainties":
        return list(table.index[table["role"] == "uncertainty"])
    for i, name in enumerate(chosen):
        if name not in table.index:
            raise settings.problem(f"futures.factors[{i}]", f"{short(name)} is not a declared "
                                   "assumption or uncertainty (see `missionsim list "
                                   "parameters`)")
        if name in chosen[:i]:
            raise settings.problem(f"futures.factors[{i}]", f"{name} is listed twice")
    return [n for n in table.index if n in chosen]
