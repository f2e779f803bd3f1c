"""A missionsim scenario as an EMA workbench model, for exploratory modelling.

:func:`ema_model` turns a scenario into an :class:`ema_workbench.Model` whose inputs and
outputs are derived from missionsim's own declarations, never retyped:

**Uncertainties** are the parameters declared as uncertainties
(:func:`missionsim.model.params.uncertainties`) and any others the scenario's ``[uncertainties]``
table names, each over the scenario's range where it gives one and else over the declared
bounds. Whole-number parameters are ``IntegerParameter``, the others ``RealParameter``; a
parameter measured in months (``unit == "month"``, such as ``funding_shock_month``) ends at the
scenario's last month, ``horizon - 1``, since a shock that starts after the run changes nothing.

**Levers** are the settings of every registered reform (:data:`missionsim.model.reforms.REFORMS`):
``<reform>_intensity``, a ``RealParameter`` from 0 to the reform's declared largest intensity
(:class:`missionsim.experiments.scenario.ReformSpec`), and ``<reform>_start``, an
``IntegerParameter`` from month 0 to the last month; with ``switches=True`` also
``<reform>_enabled``, a ``BooleanParameter``. A reform the scenario gives an ``end`` keeps the
length of its window when its start moves.

**Outcomes** are ``ScalarOutcome`` s read from each run's tables (:class:`~missionsim.RunOutput`):
``<reporter>_deadline`` and ``<reporter>_end``, the value of a model reporter
(:data:`missionsim.REPORTERS`) in the mission's deadline month and in the last month;
``target_met`` (whether the target was met at the deadline); and ``reform_cost_total``, the
money the reforms cost over the run (£m). The default set is :data:`DEFAULT_OUTCOMES`.
``time_series`` adds a ``TimeSeriesOutcome`` per named reporter, under the reporter's own name:
its value in every month from 0 to the horizon. The outcome, the most deprived
tenth and ``target_met`` are marked to maximise in the mission's direction, costs and
inequality to minimise, so the model can also be handed to ``ema_workbench.optimize``.

**Seeds** are derived the missionsim way. Every experiment runs through
:func:`missionsim.experiments.runner.spec_for` and
:func:`missionsim.experiments.runner.execute_run`, the entry point every study uses, as replicate
``replicate`` (a ``Constant``, default 0) under the root seed ``root_seed`` (a ``Constant``, default
the scenario's ``seed``): it has the model seed
:func:`~missionsim.experiments.runner.replicate_seed` gives and the world and shocks that replicate
meets in :func:`missionsim.compare`. All experiments therefore share one world (common random
numbers), so differences between experiments come from their inputs alone, and identical inputs give
identical outcomes. With ``replicates=n`` the model is an ``ema_workbench.ReplicatorModel`` that
runs replicates ``replicate`` to ``replicate + n - 1`` for every experiment and reports each
outcome's mean over them (for ``target_met``, the share of replicates that met the target).

Inputs an experiment does not set keep the scenario's values: its parameter overrides, its
per-replicate uncertainty draws and its reform settings. ema_workbench is imported only when
:func:`ema_model` is called; install it with ``pip install 'missionsim[ema]'``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from missionsim.connectors.ema_run import (
    DEFAULT_OUTCOMES,
    LEVER_SETTINGS,
    ScenarioFunction,
    _reaches_deadline,
    _replicate_mean,
    _reporter_outcome,
)
from missionsim.experiments.scenario import Scenario, as_scenario
from missionsim.experiments.scenario_tables import ReformSpec
from missionsim.extras import require
from missionsim.model.params import PARAMETERS, Parameter
from missionsim.model.params import uncertainties as declared_uncertainties
from missionsim.model.reforms import REFORMS

__all__ = ["DEFAULT_OUTCOMES", "LEVER_SETTINGS", "ScenarioFunction", "ema_model",
           "uncertainty_range"]


MONTH_UNIT = "month"
"""The unit of parameters that name a month of the run (capped at the last month)."""

MAXIMISE_IN_DIRECTION = ("outcome", "outcome_most_deprived")
"""Reporters that are better the further they move in the mission's direction."""

MINIMISE = ("inequality", "spend", "spend_total", "reform_cost", "reform_cost_total")
"""Reporters and totals that are better when smaller."""


def _import_ema() -> Any:
    """Import ema_workbench, or raise :class:`missionsim.extras.MissingExtra` (an ImportError)."""
    require("ema", "the EMA workbench connector")
    import ema_workbench

    return ema_workbench


def _last_month(scenario: Scenario) -> int:
    """The last month a run of the scenario simulates (months are numbered from 0)."""
    return scenario.horizon - 1


def _field_bounds(field: str) -> tuple[float | None, float | None]:
    """The inclusive bounds pydantic checks on a :class:`ReformSpec` field (``None``: open)."""
    low = high = None
    for constraint in ReformSpec.model_fields[field].metadata:
        low = getattr(constraint, "ge", low)
        high = getattr(constraint, "le", high)
    return low, high


def _uncertainty_names(scenario: Scenario, names: Iterable[str] | None) -> list[str]:
    if names is None:
        declared = [p.name for p in declared_uncertainties()]
        return declared + [n for n in sorted(scenario.uncertainties) if n not in declared]
    names = list(names)
    for name in names:
        if name not in PARAMETERS:
            raise ValueError(f"uncertainties: {name!r} is not a parameter; see "
                             "missionsim.model.params.PARAMETERS")
        if PARAMETERS[name].kind is bool:
            raise ValueError(f"uncertainties: {name!r} is true or false, not a range")
    return names


def uncertainty_range(scenario: Scenario, p: Parameter) -> tuple[float, float]:
    """The range a parameter is sampled from as an uncertainty of ``scenario``.

    The scenario's ``[uncertainties]`` range where it gives one, else the declared bounds;
    months of the run end at the scenario's last month; whole-number parameters get whole
    bounds.
    """
    given = scenario.uncertainties.get(p.name)
    low, high = (given.low, given.high) if given is not None else (p.low, p.high)
    if p.unit == MONTH_UNIT:
        last = _last_month(scenario)
        low, high = min(low, last), min(high, last)
    if p.kind is int:
        low, high = math.ceil(low), math.floor(high)
        if low > high:
            raise ValueError(f"uncertainties.{p.name}: the range holds no whole number")
    return low, high


def _default_outcomes(scenario: Scenario) -> tuple[str, ...]:
    if _reaches_deadline(scenario):
        return DEFAULT_OUTCOMES
    return tuple(n for n in DEFAULT_OUTCOMES if n != "target_met" and not n.endswith("_deadline"))


def _kind(ema: Any, name: str, direction: int) -> int:
    """The ema_workbench outcome kind: what an optimisation should do with the outcome."""
    parsed = _reporter_outcome(name)
    base = parsed[0] if parsed else name
    if base in MAXIMISE_IN_DIRECTION:
        return ema.ScalarOutcome.MAXIMIZE if direction > 0 else ema.ScalarOutcome.MINIMIZE
    if base == "target_met":
        return ema.ScalarOutcome.MAXIMIZE
    if base in MINIMISE:
        return ema.ScalarOutcome.MINIMIZE
    return ema.ScalarOutcome.INFO


def _model_name(scenario: Scenario, name: str | None) -> str:
    if name is not None:
        if not name.isidentifier():
            raise ValueError(f"name = {name!r}: expected a valid Python identifier "
                             "(ema_workbench requires one)")
        return name
    text = re.sub(r"\W", "_", scenario.name)
    return text if text.isidentifier() else f"scenario_{text}"


def ema_model(scenario: Scenario | str | Path | Mapping[str, Any], name: str | None = None,
              outcomes: Iterable[str] | None = None, *, time_series: Iterable[str] = (),
              uncertainties: Iterable[str] | None = None, reforms: Iterable[str] | None = None,
              switches: bool = False, replicate: int = 0, replicates: int = 1,
              seed: int | None = None) -> Any:
    """Build an EMA workbench model of a missionsim scenario.

    Args:
        scenario: A ``Scenario``, the path of a scenario file or the name of a shipped one
            (``"baseline"``), both read by :func:`~missionsim.experiments.scenario.load_scenario`,
            or a mapping with the keys of a scenario file.
        name: The model's name, a Python identifier (default: the scenario's name, with other
            characters replaced by ``_``).
        outcomes: Scalar outcome names (default :data:`DEFAULT_OUTCOMES`): ``target_met``,
            ``reform_cost_total``, or ``REPORTER_deadline`` / ``REPORTER_end`` for any reporter
            of :data:`missionsim.REPORTERS` (e.g. ``spend_total_end``, ``inequality_end``).
        time_series: Reporters to return month by month as ``TimeSeriesOutcome`` s (each an
            array of ``horizon + 1`` values, months 0 to the horizon), e.g. ``["outcome"]``.
        uncertainties: Parameters to sample as uncertainties (default: the declared
            uncertainties and those the scenario's ``[uncertainties]`` table names).
        reforms: Reforms whose settings are levers (default: every registered reform).
        switches: Also add a ``REFORM_enabled`` ``BooleanParameter`` lever per reform.
        replicate: The (first) replicate every experiment runs as.
        replicates: Replicates per experiment; above 1 the model is a ``ReplicatorModel`` and
            each outcome is the mean over the replicates.
        seed: Root seed (default: the scenario's ``seed``).

    Returns:
        An ``ema_workbench.Model`` (or ``ReplicatorModel``) whose function is a
        :class:`ScenarioFunction`.

    Raises:
        MissingExtra: ema_workbench is not installed (an ``ImportError`` whose one-line
            message says ``pip install 'missionsim[ema]'``).
        ValueError: For an unknown outcome, reporter, parameter or reform, or a bad name.
        ScenarioError: For a scenario that cannot be loaded.
    """
    ema = _import_ema()
    scenario = as_scenario(scenario)
    if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 1:
        raise ValueError(f"replicates = {replicates!r}: expected a whole number ≥ 1")
    if isinstance(replicate, bool) or not isinstance(replicate, int) or replicate < 0:
        raise ValueError(f"replicate = {replicate!r}: expected a whole number ≥ 0")
    outcome_names = _default_outcomes(scenario) if outcomes is None else tuple(outcomes)
    function = ScenarioFunction(scenario, outcome_names, tuple(time_series))
    model_name = _model_name(scenario, name)
    root = scenario.seed if seed is None else int(seed)

    sampled, fixed = _ema_uncertainties(ema, scenario, uncertainties)
    constants = [ema.Constant("root_seed", root), *fixed]
    if replicates == 1:
        model = ema.Model(model_name, function=function)
        constants.insert(0, ema.Constant("replicate", replicate))
        reduce = None
    else:
        model = ema.ReplicatorModel(model_name, function=function)
        model.replications = [{"replicate": r} for r in range(replicate, replicate + replicates)]
        reduce = _replicate_mean
    model.uncertainties = sampled
    model.constants = constants
    model.levers = _ema_levers(ema, scenario, reforms, switches)
    direction = scenario.mission_record().direction
    model.outcomes = [
        *(ema.ScalarOutcome(n, kind=_kind(ema, n, direction), function=reduce)
          for n in function.outcomes),
        *(ema.TimeSeriesOutcome(n, function=reduce) for n in function.time_series),
    ]
    return model


def _ema_uncertainties(ema: Any, scenario: Scenario,
                       names: Iterable[str] | None) -> tuple[list[Any], list[Any]]:
    """The uncertainties to sample, and the constants for ranges of a single value."""
    sampled, fixed = [], []
    for name in _uncertainty_names(scenario, names):
        p = PARAMETERS[name]
        low, high = uncertainty_range(scenario, p)
        if low == high:  # nothing to sample: a constant input
            fixed.append(ema.Constant(name, p.kind(low)))
        elif p.kind is int:
            sampled.append(ema.IntegerParameter(name, low, high))
        else:
            sampled.append(ema.RealParameter(name, float(low), float(high)))
    return sampled, fixed


def _ema_levers(ema: Any, scenario: Scenario, names: Iterable[str] | None,
                switches: bool) -> list[Any]:
    """The reform levers: intensity, start month and, with ``switches``, on or off."""
    names = list(REFORMS) if names is None else list(names)
    for reform in names:
        if reform not in REFORMS:
            raise ValueError(f"reforms: {reform!r} is not a reform; expected one of "
                             f"{', '.join(sorted(REFORMS))}")
    low, high = _field_bounds("intensity")
    first, _ = _field_bounds("start")
    levers = []
    for reform in names:
        top = min(high, PARAMETERS[f"{reform}_max_intensity"].default)  # the reform's own top
        levers.append(ema.RealParameter(f"{reform}_intensity", low, top))
        levers.append(ema.IntegerParameter(f"{reform}_start", first, _last_month(scenario)))
        if switches:
            levers.append(ema.BooleanParameter(f"{reform}_enabled"))
    return levers
