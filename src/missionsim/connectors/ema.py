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
``<reform>_intensity``, a ``RealParameter`` over the intensities a scenario file allows
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from missionsim.experiments.runner import RunOutput, execute_run, spec_for
from missionsim.experiments.scenario import ReformSpec, Scenario, as_scenario
from missionsim.extras import require
from missionsim.model.missions import MISSIONS
from missionsim.model.params import PARAMETERS, Parameter
from missionsim.model.params import uncertainties as declared_uncertainties
from missionsim.model.reforms import REFORMS
from missionsim.model.reporters import REPORTERS

__all__ = ["DEFAULT_OUTCOMES", "LEVER_SETTINGS", "ScenarioFunction", "ema_model",
           "uncertainty_range"]

DEFAULT_OUTCOMES = ("outcome_deadline", "outcome_end", "target_met", "reform_cost_total",
                    "spend_total_end")
"""Scalar outcomes of :func:`ema_model` unless told otherwise (the deadline ones are left out
when the scenario stops before the mission's deadline)."""

RUN_TOTALS = ("reform_cost_total",)
"""Outcomes read from the run's one-row table: totals over the whole run (£m)."""

WHEN = ("deadline", "end")
"""Suffixes of reporter outcomes: the value in the deadline month or in the last month."""

LEVER_SETTINGS = ("intensity", "start", "enabled")
"""Reform settings that can be levers, named ``<reform>_<setting>``."""

SEED_INPUTS = ("replicate", "root_seed")
"""Inputs that choose the run's seed and draws rather than the model's parameters."""

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


def _deadline(scenario: Scenario) -> int:
    return MISSIONS[scenario.mission].deadline


def _reaches_deadline(scenario: Scenario) -> bool:
    return scenario.horizon >= _deadline(scenario)


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


def _reporter_outcome(name: str) -> tuple[str, str] | None:
    """``(reporter, when)`` for a ``<reporter>_deadline`` or ``<reporter>_end`` name."""
    reporter, _, when = name.rpartition("_")
    if when in WHEN and reporter in REPORTERS:
        return reporter, when
    return None


def _check_outcomes(scenario: Scenario, names: Iterable[str],
                    series: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    names, series = tuple(names), tuple(series)
    for name in names:
        parsed = _reporter_outcome(name)
        if name not in ("target_met", *RUN_TOTALS) and parsed is None:
            raise ValueError(f"outcomes: {name!r} is unknown; expected target_met, "
                             f"{', '.join(RUN_TOTALS)}, or REPORTER_deadline or REPORTER_end "
                             "for a reporter of missionsim.REPORTERS")
        at_deadline = name == "target_met" or (parsed is not None and parsed[1] == "deadline")
        if at_deadline and not _reaches_deadline(scenario):
            raise ValueError(f"outcomes: {name!r} needs the run to reach the deadline (month "
                             f"{_deadline(scenario)}); the horizon is {scenario.horizon}")
    for name in series:
        if name not in REPORTERS:
            raise ValueError(f"time_series: {name!r} is not a reporter; expected one of "
                             "missionsim.REPORTERS")
    # scalar names end in _deadline or _end or are not reporters, so they never clash with a
    # series (ema_workbench refuses one name for two kinds of outcome in a process)
    if len(set(names)) != len(names) or len(set(series)) != len(series):
        raise ValueError("outcomes and time_series: every outcome name must appear once")
    return names, series


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


def _replicate_mean(values: Any) -> Any:
    """Mean over replicates of a scalar or a series (first axis)."""
    return np.asarray(values, dtype=float).mean(axis=0)


@dataclass(frozen=True)
class ScenarioFunction:
    """A scenario as a function of its inputs: the callable inside :func:`ema_model`'s model.

    Called with keyword arguments, it runs the scenario once through
    :func:`~missionsim.experiments.runner.spec_for` and
    :func:`~missionsim.experiments.runner.execute_run` and returns its outcomes by name. It is plain
    data, so it pickles (for ema_workbench's multiprocessing evaluator) and can be used without
    ema_workbench.

    Attributes:
        scenario: The scenario run.
        outcomes: Scalar outcome names (see the module docstring).
        time_series: Reporters returned month by month (months 0 to the horizon).

    Keyword arguments of a call (all optional):
        PARAMETER: A value for a parameter of :data:`missionsim.PARAMETERS`; replaces the
            scenario's override and its uncertainty draw.
        REFORM_intensity, REFORM_start, REFORM_enabled: Settings of a reform of
            :data:`missionsim.REFORMS`; the others stay as the scenario sets them. A reform the
            scenario does not use starts at month 0 and stays off unless an intensity is given
            or ``REFORM_enabled`` is true (which alone means full intensity).
        replicate: Replicate number (default 0): sets the seed and the uncertainty draws.
        root_seed: Root seed (default: the scenario's ``seed``).
    """

    scenario: Scenario
    outcomes: tuple[str, ...] = DEFAULT_OUTCOMES
    time_series: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_outcomes(self.scenario, self.outcomes, self.time_series)

    def __call__(self, replicate: int = 0, root_seed: int | None = None,
                 **inputs: Any) -> dict[str, Any]:
        """Run the scenario with these inputs and return its outcomes by name."""
        output = self.run(replicate=replicate, root_seed=root_seed, **inputs)
        return self.read(output)

    def run(self, replicate: int = 0, root_seed: int | None = None, **inputs: Any) -> RunOutput:
        """Run the scenario with these inputs and return all its tables."""
        params, reforms = self.split(inputs)
        root = None if root_seed is None else int(root_seed)
        spec = spec_for(self.scenario, int(replicate), root=root, params=params, reforms=reforms)
        return execute_run(spec)

    def split(self, inputs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Split inputs into parameter overrides and the reform settings of the run.

        Raises:
            ValueError: For an unknown input or a value out of range (one line).
        """
        params: dict[str, Any] = {}
        levers: dict[str, dict[str, Any]] = {}
        for key, value in inputs.items():
            if key in PARAMETERS:
                params[key] = PARAMETERS[key].check(value, where="input")
                continue
            reform, _, setting = key.rpartition("_")
            if reform in REFORMS and setting in LEVER_SETTINGS:
                levers.setdefault(reform, {})[setting] = value
                continue
            raise ValueError(f"input {key!r} is unknown: expected a parameter, "
                             f"REFORM_{'/'.join(LEVER_SETTINGS)} or {' or '.join(SEED_INPUTS)}")
        reforms = dict(self.scenario.reform_settings())
        for reform, given in levers.items():
            reforms[reform] = _reform_settings(reform, reforms.get(reform), given)
        return params, reforms

    def read(self, output: RunOutput) -> dict[str, Any]:
        """The outcomes of one run, as plain Python numbers (and arrays for time series)."""
        months = output.months
        deadline = _deadline(self.scenario)
        values: dict[str, Any] = {}
        for name in self.outcomes:
            if name == "target_met":
                values[name] = bool(output.run["target_met"])
            elif name in RUN_TOTALS:
                values[name] = float(output.run[name])
            else:
                reporter, when = _reporter_outcome(name)
                rows = months[months["month"] == deadline] if when == "deadline" else months
                column = rows[reporter]
                values[name] = (column.iloc[0] if when == "deadline" else column.iloc[-1]).item()
        for name in self.time_series:
            values[name] = months[name].to_numpy(dtype=float)
        return values


def _reform_settings(reform: str, current: Mapping[str, Any] | None,
                     given: Mapping[str, Any]) -> dict:
    """A reform's settings in a run: the scenario's (``current``) changed by lever values."""
    default_intensity = ReformSpec.model_fields["intensity"].default
    if current is None:  # not in the scenario: off unless a lever switches it on
        current = {"start": ReformSpec.model_fields["start"].default, "end": None,
                   "intensity": 0.0}
        switched_on_intensity = default_intensity
    else:
        switched_on_intensity = current["intensity"]
    start = given.get("start", current["start"])
    if isinstance(start, bool) or float(start) != int(start):
        raise ValueError(f"input '{reform}_start' = {start!r}: expected a whole month")
    start = int(start)
    end = current["end"]
    if end is not None:  # keep the length of the scenario's window
        end = start + (int(end) - int(current["start"]))
    if "intensity" in given:
        intensity = float(given["intensity"])
    elif given.get("enabled"):
        intensity = float(switched_on_intensity)
    else:
        intensity = float(current["intensity"])
    if "enabled" in given and not bool(given["enabled"]):
        intensity = 0.0
    return {"start": start, "end": end, "intensity": intensity}


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
    direction = MISSIONS[scenario.mission].direction
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
        levers.append(ema.RealParameter(f"{reform}_intensity", low, high))
        levers.append(ema.IntegerParameter(f"{reform}_start", first, _last_month(scenario)))
        if switches:
            levers.append(ema.BooleanParameter(f"{reform}_enabled"))
    return levers
