"""How one EMA workbench experiment runs: a missionsim run of the scenario with its inputs.

:class:`ScenarioFunction` is the callable an :func:`~missionsim.connectors.ema.ema_model` wraps:
it splits an experiment's inputs into parameter overrides and reform settings, runs the
scenario through missionsim's own entry point (:func:`~missionsim.experiments.runner.spec_for`
and :func:`~missionsim.experiments.runner.execute_run`) and reads the outcomes from the run's
tables. It needs no ema_workbench of its own, so it can be pickled to any worker.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from missionsim.experiments.runner import RunOutput, execute_run, spec_for
from missionsim.experiments.scenario import Scenario
from missionsim.experiments.scenario_tables import ReformSpec
from missionsim.model.params import PARAMETERS
from missionsim.model.paths import is_path
from missionsim.model.reforms import REFORMS
from missionsim.model.reporters import REPORTERS

RUN_TOTALS = ("reform_cost_total",)
"""Outcomes read from the run's one-row table: totals over the whole run (£m)."""


DEFAULT_OUTCOMES = ("outcome_deadline", "outcome_end", "target_met", "reform_cost_total",
                    "spend_total_end")
"""Scalar outcomes of :func:`ema_model` unless told otherwise (the deadline ones are left out
when the scenario stops before the mission's deadline)."""


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


WHEN = ("deadline", "end")
"""Suffixes of reporter outcomes: the value in the deadline month or in the last month."""


LEVER_SETTINGS = ("intensity", "start", "enabled")
"""Reform settings that can be levers, named ``<reform>_<setting>``."""


SEED_INPUTS = ("replicate", "root_seed")
"""Inputs that choose the run's seed and draws rather than the model's parameters."""


def _deadline(scenario: Scenario) -> int:
    return scenario.mission_record().deadline


def _reaches_deadline(scenario: Scenario) -> bool:
    return scenario.horizon >= _deadline(scenario)


def _reporter_outcome(name: str) -> tuple[str, str] | None:
    """``(reporter, when)`` for a ``<reporter>_deadline`` or ``<reporter>_end`` name."""
    reporter, _, when = name.rpartition("_")
    if when in WHEN and reporter in REPORTERS:
        return reporter, when
    return None


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
    """A reform's settings in a run: the scenario's (``current``) changed by lever values.

    An intensity lever is a number: it replaces an intensity path the scenario gives; without
    one, the scenario's path is kept as it is.
    """
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
        intensity = _number_or_path(switched_on_intensity)
    else:
        intensity = _number_or_path(current["intensity"])
    if "enabled" in given and not bool(given["enabled"]):
        intensity = 0.0
    return {"start": start, "end": end, "intensity": intensity}


def _number_or_path(intensity: Any) -> Any:
    """An intensity as a float, or a path (``[[month, value], ...]``) as it is."""
    return intensity if is_path(intensity) else float(intensity)
