"""Sweeps: a design over parameters and reform settings, run and analysed for sensitivity.

A sweep file is TOML naming a base scenario, a design, and the factors it varies::

    name = "capacity-and-accountability"
    scenario = "../scenarios/baseline.toml"   # or an inline [scenario] table
    design = "lhs"          # "factorial" | "lhs" | "morris" | "sobol"
    samples = 32            # lhs: points; morris: trajectories r; sobol: base N (power of 2)
    replicates = 2          # per design point; the same seeds at every point
    seed = 7                # root seed (default: the scenario's); the design derives from it

    [output]                # what sensitivity() analyses
    metric = "outcome"      # a model reporter
    month = 36              # default: the mission's deadline (or the horizon if shorter)

    [factors.punitive_accountability]
    low = 0.2
    high = 0.9
    [factors."devolution.start"]       # reform settings: <reform>.start | end | intensity
    values = [0, 12, 24]               # factorial designs use values (or low and high)

Every design point runs ``replicates`` times with the seeds of replicates ``0..R-1`` under
the root seed, so all points meet the same worlds and shocks (common random numbers) and
differences between points come from the factors alone. ``sweeps/README.md`` describes
every key.

Sensitivity (:func:`sensitivity`) averages the metric over replicates at each point and then
uses SALib for Morris (elementary effects) and Sobol (variance-based) designs. For LHS and
factorial designs it reports standardized regression coefficients (SRC) and partial rank
correlation coefficients (PRCC), which screen for monotone effects but are not a variance
decomposition.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from missionsim import limits, resources
from missionsim.experiments.runner import RunSpec, spec_for
from missionsim.experiments.scenario import (
    MAX_HORIZON,
    MAX_REPLICATES,
    Scenario,
    ScenarioError,
    clean_name,
    clean_text,
    describe_error,
    load_scenario,
    merge,
    read_chain,
    read_toml,
    short,
)
from missionsim.experiments.study import Results, execute
from missionsim.model.missions import MISSIONS
from missionsim.model.params import PARAMETERS, WORLD_SIZE, resolve
from missionsim.model.reforms import REFORMS
from missionsim.model.reporters import REPORTERS

DESIGNS = ("factorial", "lhs", "morris", "sobol")
"""Design names a sweep file may give."""
REFORM_FIELDS = ("start", "end", "intensity")
"""Reform settings a factor ``<reform>.<field>`` may vary."""
MAX_RUNS = limits.MAX_RUNS
"""Most runs (points × replicates) one sweep may plan."""
NUM_RESAMPLES = 1000
"""Bootstrap resamples for SALib's confidence intervals."""

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _key(name: str) -> str:
    """A key as TOML writes it in a dotted path (quoted when it holds dots or spaces)."""
    return name if _BARE_KEY.match(name) else json.dumps(name, ensure_ascii=False)


class Factor(_Strict):
    """What one factor varies over.

    Attributes:
        low: Lower bound (lhs, morris and sobol sample in ``[low, high]``).
        high: Upper bound, greater than ``low``.
        values: Levels of a factorial design (a factorial factor with only ``low`` and
            ``high`` has those two levels).
    """

    low: float | None = None
    high: float | None = None
    values: list[Any] | None = None

    @field_validator("low", "high", mode="before")
    @classmethod
    def _int_is_float(cls, value: Any) -> Any:
        return float(value) if _number(value) else value

    @field_validator("values")
    @classmethod
    def _levels(cls, values: list[Any] | None) -> list[Any] | None:
        if values is None:
            return None
        if not values:
            raise ValueError("expected at least one value, got none")
        for value in values:
            ok = isinstance(value, bool) or (_number(value) and math.isfinite(value))
            if not ok:
                raise ValueError(f"expected numbers or true/false, got {short(value)}")
        if len({(type(v) is bool, v) for v in values}) != len(values):
            twice = next(v for v in values if values.count(v) > 1)
            raise ValueError(f"expected distinct values, got {short(twice)} twice")
        return values


class Output(_Strict):
    """What :func:`sensitivity` analyses.

    Attributes:
        metric: A model reporter (a column of the month-by-month table).
        month: The month at which it is read (set on load: default the mission's deadline,
            or the horizon if that is shorter).
    """

    metric: str = "outcome"
    month: int | None = Field(default=None, ge=0)


class Sweep(_Strict):
    """A validated sweep. Build one with :func:`load_sweep` or :meth:`from_mapping`.

    Attributes:
        name: Label of the study (defaults to the file's stem).
        description: One or two sentences for reports.
        scenario: The base scenario every design point modifies.
        design: ``factorial``, ``lhs``, ``morris`` or ``sobol``.
        samples: LHS points, Morris trajectories (r) or Sobol base N (a power of two);
            ignored by factorial designs.
        replicates: Runs per design point (replicate seeds shared across points).
        seed: Root seed of the runs and of the design's sampling.
        levels: Morris grid levels (``num_levels``).
        second_order: Sobol designs only: also estimate second-order indices.
        output: The metric and month :func:`sensitivity` analyses.
        factors: Factor name (a parameter or ``<reform>.<field>``) to its range or levels,
            in file order.
        source: The file it was loaded from (empty for a sweep built in Python).
    """

    name: str = Field(default="sweep", min_length=1)
    description: str = ""
    scenario: Scenario
    design: str
    samples: int | None = Field(default=None, ge=1)
    replicates: int = Field(default=1, ge=1, le=MAX_REPLICATES)
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1)
    levels: int = Field(default=4, ge=2, le=1000)
    second_order: bool = False
    output: Output = Field(default_factory=Output)
    factors: dict[str, Factor]
    source: str = ""

    @field_validator("name", mode="before")
    @classmethod
    def _clean_name(cls, value: Any) -> Any:
        return clean_name(value)

    @field_validator("description", mode="before")
    @classmethod
    def _clean_text(cls, value: Any) -> Any:
        return clean_text(value)

    @field_validator("design")
    @classmethod
    def _known_design(cls, value: str) -> str:
        if value not in DESIGNS:
            raise ValueError(f"expected one of {', '.join(DESIGNS)}, got {short(value)}")
        return value

    @field_validator("factors")
    @classmethod
    def _some_factors(cls, value: dict[str, Factor]) -> dict[str, Factor]:
        if not value:
            raise ValueError("expected at least one factor (a factors.NAME table), got none")
        return value

    # --- construction -------------------------------------------------------------------
    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "<sweep>",
                     base_dir: str | Path | None = None) -> Sweep:
        """Validate a plain mapping (as read from a sweep file).

        Args:
            data: The sweep's keys. ``scenario`` is a path (relative to ``base_dir``), a
                table of scenario keys (which may ``extends`` a file relative to
                ``base_dir``) or a :class:`~missionsim.experiments.scenario.Scenario`.
            source: Name used in error messages (the file's path).
            base_dir: Folder that relative paths start from (default: the current folder).

        Raises:
            ScenarioError: One line naming ``source``, the key path and what was expected.
        """
        if not isinstance(data, Mapping):
            raise ScenarioError(f"{source}: expected a table of sweep settings, got "
                                f"{type(data).__name__}")
        base_dir = Path(".") if base_dir is None else Path(base_dir)
        data = dict(data)
        name = data.get("name")
        name = name if isinstance(name, str) and name else "sweep"
        data["scenario"] = _base_scenario(data, name, source, base_dir)
        data.setdefault("source", source if source != "<sweep>" else "")
        try:
            sweep = cls.model_validate(data)
        except ValidationError as exc:
            raise ScenarioError(f"{source}: {_describe(exc)}") from None
        base = sweep.scenario
        output = sweep.output
        if output.month is None:
            month = min(MISSIONS[base.mission].deadline, base.horizon)
            output = output.model_copy(update={"month": month})
        seed = base.seed if sweep.seed is None else sweep.seed
        sweep = sweep.model_copy(update={"output": output, "seed": seed})
        _check(sweep, source)
        return sweep

    # --- derived ------------------------------------------------------------------------
    @property
    def n_points(self) -> int:
        """Number of design points."""
        k = len(self.factors)
        if self.design == "factorial":
            return math.prod(len(_levels(self, name)) for name in self.factors)
        if self.design == "lhs":
            return int(self.samples)
        if self.design == "morris":
            return int(self.samples) * (k + 1)
        return int(self.samples) * (2 * k + 2 if self.second_order else k + 2)

    @property
    def n_runs(self) -> int:
        """Number of runs: design points × replicates."""
        return self.n_points * self.replicates

    @property
    def sample_seed(self) -> int:
        """The seed of the design's sampling, derived from the root seed."""
        state = np.random.SeedSequence([int(self.seed), 0x5EED]).generate_state(1, np.uint32)
        return int(state[0])

    def definition(self) -> dict[str, Any]:
        """The sweep as plain data, with the base scenario's keys inlined (for manifests)."""
        data = self.model_dump()
        data["scenario"] = {k: v for k, v in self.scenario.model_dump().items()
                            if k != "source"}
        data["factors"] = {n: {k: v for k, v in f.model_dump().items() if v is not None}
                           for n, f in self.factors.items()}
        return data

    def digest(self) -> str:
        """A short hash of what determines the sweep's results."""
        data = self.definition()
        for key in ("name", "description", "source", "output"):
            data.pop(key)
        data["scenario"] = self.scenario.content()
        text = json.dumps(data, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def summary(self) -> str:
        """One line: design, factors, points and runs."""
        what = {"factorial": "full factorial", "lhs": "Latin hypercube",
                "morris": "Morris screening", "sobol": "Sobol"}[self.design]
        return (f"{what} over {len(self.factors)} factor(s) ({', '.join(self.factors)}) on "
                f"{self.scenario.name}: {self.n_points} points × {self.replicates} "
                f"replicate(s) = {self.n_runs} runs")


def _base_scenario(data: dict[str, Any], name: str, source: str, base_dir: Path) -> Any:
    """Resolve the ``scenario`` key (a path, a table or a Scenario) to a :class:`Scenario`."""
    value = data.get("scenario")
    if value is None:
        raise ScenarioError(f"{source}: scenario: required key is missing; expected the path "
                            "of a scenario file or a [scenario] table")
    if isinstance(value, Scenario):
        return value
    if isinstance(value, str):
        path = base_dir / value
        if not path.is_file():
            raise ScenarioError(f"{source}: scenario: no such file {path}")
        return load_scenario(path)
    if isinstance(value, Mapping):
        table = dict(value)
        parent = table.pop("extends", None)
        if parent is not None:
            if not isinstance(parent, str) or not parent:
                raise ScenarioError(f"{source}: scenario.extends: expected the path of a "
                                    f"scenario file, got {short(parent)}")
            path = base_dir / parent
            if not path.is_file():
                raise ScenarioError(f"{source}: scenario.extends: no such file {path}")
            base = read_chain(path)
            base.pop("name", None)
            base.pop("description", None)
            table = merge(base, table)
        table.setdefault("name", name)
        try:
            return Scenario.from_mapping(table, source=source)
        except ScenarioError as exc:
            text = str(exc)
            prefix = f"{source}: "
            if text.startswith(prefix):
                text = f"{prefix}scenario.{text[len(prefix):]}"
            raise ScenarioError(text) from None
    raise ScenarioError(f"{source}: scenario: expected the path of a scenario file or a "
                        f"[scenario] table, got {short(value)}")


def _describe(exc: ValidationError) -> str:
    """The first pydantic error as ``key.path: what was expected, got VALUE``."""
    err = exc.errors(include_url=False)[0]
    loc = [str(p) for p in err["loc"] if not str(p).startswith("function-")]
    plain = ".".join(loc)
    path = ".".join(_key(p) for p in loc)
    if err["type"] == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        return f"{path}: unknown key; expected one of {', '.join(allowed)}"
    if err["type"] == "missing":
        return f"{path}: required key is missing"
    text = re.sub(r" or instance of \w+", "", describe_error(exc))
    if plain and text.startswith(plain + ": "):
        text = text[len(plain) + 2:]
    elif text.startswith("(top level): "):
        text = text[len("(top level): "):]
    return f"{path or '(top level)'}: {text}"


def _allowed_keys(loc: Sequence[str]) -> list[str]:
    model: type[BaseModel] = Sweep
    if loc[:1] == ["output"]:
        model = Output
    elif loc[:1] == ["factors"] and len(loc) >= 2:
        model = Factor
    return [k for k in model.model_fields if k != "source"]


# --- factors ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """What a factor name refers to.

    Attributes:
        name: The factor name.
        kind: ``int``, ``float`` or ``bool``: values are converted to it.
        low: Smallest value allowed.
        high: Largest value allowed.
        unit: Unit, for messages.
        reform: The reform of a reform setting (``None`` for a parameter).
        field: ``start``, ``end`` or ``intensity`` for a reform setting.
    """

    name: str
    kind: type
    low: float
    high: float
    unit: str
    reform: str | None = None
    field: str | None = None

    def convert(self, value: Any) -> bool | int | float:
        """A sampled value in the factor's type (whole numbers rounded half up, in range)."""
        if self.kind is bool:
            return bool(value)
        if self.kind is int:
            return int(min(self.high, max(self.low, math.floor(float(value) + 0.5))))
        return float(value)


def target(name: str) -> Target | None:
    """The :class:`Target` a factor name refers to, or ``None`` for an unknown name."""
    if name in PARAMETERS:
        p = PARAMETERS[name]
        return Target(name, p.kind, p.low, p.high, p.unit)
    reform, _, field = name.partition(".")
    if reform in REFORMS and field in REFORM_FIELDS:
        if field == "intensity":
            return Target(name, float, 0.0, 1.0, "intensity", reform, field)
        low = 0 if field == "start" else 1
        return Target(name, int, low, MAX_HORIZON, "month", reform, field)
    return None


def _levels(sweep: Sweep, name: str) -> list[Any]:
    """The levels of a factor in a factorial design, in its type."""
    factor, tgt = sweep.factors[name], target(name)
    raw = factor.values if factor.values is not None else [factor.low, factor.high]
    levels: list[Any] = []
    for value in raw:
        value = tgt.convert(value) if tgt is not None else value
        if value not in levels or tgt is None:
            levels.append(value)
    return levels


def _check(sweep: Sweep, source: str) -> None:
    """Factor names, ranges and types; design settings; the output; every design point."""
    continuous = sweep.design != "factorial"
    for name, factor in sweep.factors.items():
        where = f"{source}: factors.{_key(name)}"
        if (factor.low is None) != (factor.high is None):
            missing = "high" if factor.high is None else "low"
            raise ScenarioError(f"{where}.{missing}: required key is missing (low and high "
                                "go together)")
        if factor.low is None and factor.values is None:
            raise ScenarioError(f"{where}: expected low and high, or values")
        if factor.low is not None:
            if not math.isfinite(factor.low):
                raise ScenarioError(f"{where}.low: expected a finite number, got {factor.low}")
            if not math.isfinite(factor.high) or factor.high <= factor.low:
                raise ScenarioError(f"{where}.high: expected a finite number > low "
                                    f"({factor.low:g}), got {factor.high:g}")
        tgt = target(name)
        if tgt is None:
            reform, dot, field = name.partition(".")
            if dot and reform in REFORMS:
                raise ScenarioError(f"{where}: unknown reform setting {short(field)}; expected "
                                    f"{', '.join(REFORM_FIELDS)}")
            if dot:
                raise ScenarioError(f"{where}: unknown reform {short(reform)}; expected one of "
                                    f"{', '.join(sorted(REFORMS))}")
            raise ScenarioError(f"{where}: unknown factor; expected a parameter (see "
                                "`missionsim list parameters`) or <reform>.start, "
                                "<reform>.end or <reform>.intensity")
        if tgt.kind is bool:
            if continuous or factor.values is None or factor.low is not None:
                raise ScenarioError(f"{where}: a true/false parameter can only be a factor of "
                                    "a factorial design, with values = [true, false]")
            bad = [v for v in factor.values if not isinstance(v, bool)]
            if bad:
                raise ScenarioError(f"{where}.values: expected true or false, got {short(bad[0])}")
            continue
        if continuous and factor.low is None:
            raise ScenarioError(f"{where}: design {short(sweep.design)} needs low and high (values "
                                "are the levels of factorial designs)")
        if factor.low is not None and (factor.low < tgt.low or factor.high > tgt.high):
            raise ScenarioError(f"{where}: expected low and high within [{tgt.low:g}, "
                                f"{tgt.high:g}] ({tgt.unit}), got [{factor.low:g}, "
                                f"{factor.high:g}]")
        if factor.values is not None and not continuous:
            for value in factor.values:
                if isinstance(value, bool):
                    raise ScenarioError(f"{where}.values: expected numbers, got {short(value)}")
                if tgt.kind is int and float(value) != int(value):
                    raise ScenarioError(f"{where}.values: expected whole numbers, got "
                                        f"{short(value)}")
                if not tgt.low <= value <= tgt.high:
                    raise ScenarioError(f"{where}.values: expected values in [{tgt.low:g}, "
                                        f"{tgt.high:g}] ({tgt.unit}), got {short(value)}")
    if continuous and sweep.samples is None:
        what = {"lhs": "the number of points", "morris": "the number of trajectories r",
                "sobol": "the base sample size N, a power of two"}[sweep.design]
        raise ScenarioError(f"{source}: samples: required for design {short(sweep.design)} "
                            f"({what})")
    if sweep.design == "sobol" and sweep.samples & (sweep.samples - 1):
        raise ScenarioError(f"{source}: samples: design 'sobol' needs a power of two (base "
                            f"sample size N), got {sweep.samples}")
    if sweep.output.metric not in REPORTERS:
        raise ScenarioError(f"{source}: output.metric: unknown reporter "
                            f"{short(sweep.output.metric)}; expected one of "
                            f"{limits.choices(list(REPORTERS))}")
    if sweep.output.month > sweep.scenario.horizon:
        raise ScenarioError(f"{source}: output.month: expected a month in [0, "
                            f"{sweep.scenario.horizon}] (the scenario's horizon), got "
                            f"{sweep.output.month}")
    if sweep.n_runs > MAX_RUNS:
        raise ScenarioError(f"{source}: the design plans {sweep.n_points} points × "
                            f"{sweep.replicates} replicates = {sweep.n_runs} runs; expected at "
                            f"most {MAX_RUNS:,}")
    for point, values in enumerate(design_points(sweep).to_dict("records")):
        apply_point(sweep, values, point, source)


def apply_point(sweep: Sweep, values: Mapping[str, Any], point: int = 0,
                source: str | None = None) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The parameter overrides and reform settings of one design point.

    Parameter factors override the scenario's parameters (and its uncertainty draws); reform
    settings change the scenario's reforms, adding a reform it lacks (start 0, intensity 1,
    no end) or re-enabling one it switches off.

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
            raise ScenarioError(f"{source}: factors.{_key(name)}: unknown factor")
        value = _plain(value)
        if tgt.reform is None:
            try:
                params[name] = PARAMETERS[name].check(value, where="")
            except ValueError as exc:
                raise ScenarioError(f"{source}: factors.{_key(name)}: point {point}: "
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
            raise ScenarioError(f"{source}: factors.{_key(name)}: point {point} sets {reform} "
                                f"start = {s['start']}, at or after the horizon ({base.horizon} "
                                f"months), so the reform would never act; expected a month < "
                                f"{base.horizon}")
        if s["end"] is not None and s["end"] <= s["start"]:
            name = factor_of.get((reform, "end")) or factor_of[(reform, "start")]
            raise ScenarioError(f"{source}: factors.{_key(name)}: point {point} sets {reform} "
                                f"start = {s['start']} and end = {s['end']}; expected end after "
                                "start")
        intensity = s["intensity"]
        if not (_number(intensity) and 0.0 <= intensity <= 1.0):
            name = factor_of.get((reform, "intensity"), reform)
            raise ScenarioError(f"{source}: factors.{_key(name)}: point {point} sets intensity "
                                f"= {short(intensity)}; expected a number in [0, 1]")
    if any(name in WORLD_SIZE for name in params):
        try:
            resolve(base.world.preset, {**base.world.params, **params},
                    MISSIONS[base.mission].world)
        except ValueError as exc:
            raise ScenarioError(f"{source}: factors: point {point}: {exc}") from None
    return params, reforms


def _plain(value: Any) -> Any:
    """NumPy scalars as plain Python numbers."""
    return value.item() if isinstance(value, np.generic) else value


# --- designs ----------------------------------------------------------------------------------
def _problem(sweep: Sweep) -> dict[str, Any]:
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
        rows = list(itertools.product(*(_levels(sweep, n) for n in names)))
        return np.array(rows, dtype=object).reshape(len(rows), len(names))
    if sweep.design == "lhs":
        from scipy.stats import qmc

        lhs = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(sweep.sample_seed))
        unit = lhs.random(int(sweep.samples))
        bounds = np.array(_problem(sweep)["bounds"], dtype=float)
        return bounds[:, 0] + unit * (bounds[:, 1] - bounds[:, 0])
    if sweep.design == "morris":
        from SALib.sample import morris

        return morris.sample(_problem(sweep), int(sweep.samples), num_levels=sweep.levels,
                             seed=sweep.sample_seed)
    from SALib.sample import sobol

    return sobol.sample(_problem(sweep), int(sweep.samples), calc_second_order=sweep.second_order,
                        seed=sweep.sample_seed)


def design_points(sweep: Sweep) -> pd.DataFrame:
    """The design: one row per point (index ``point``), one column per factor.

    Whole-number factors (int parameters, reform start and end months) are rounded half up;
    true/false factors hold booleans. The order of rows is the design's order (Morris
    trajectories and Sobol blocks are consecutive rows), which :func:`sensitivity` relies on.
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


def specs(sweep: Sweep) -> list[RunSpec]:
    """The runs of a sweep: every design point × every replicate.

    Replicate ``r`` of every point has the same seed
    (:func:`~missionsim.experiments.runner.replicate_seed` of the root seed and ``r``) and the same
    draws of the scenario's uncertainties; run ids are
    ``"{scenario}/p{point:05d}/r{replicate:04d}"``.
    """
    out: list[RunSpec] = []
    for point, values in enumerate(design_points(sweep).to_dict("records")):
        values = {k: _plain(v) for k, v in values.items()}
        params, reforms = apply_point(sweep, values, point)
        for replicate in range(sweep.replicates):
            out.append(spec_for(sweep.scenario, replicate, root=sweep.seed, point=point,
                                params=params, reforms=reforms, factors=values))
    return out


# --- files and running ------------------------------------------------------------------------
def load_sweep(path: str | Path) -> Sweep:
    """Load and validate a sweep file.

    Args:
        path: A ``.toml`` file (a relative ``scenario`` path in it starts from its folder),
            or the name of a shipped sweep when no such file exists.

    Returns:
        The validated :class:`Sweep`; its ``name`` defaults to the file's stem.

    Raises:
        ScenarioError: One line naming the file, the key path and what was expected.
    """
    path = resources.find_shipped(path, "sweeps") or Path(path)
    data = read_toml(path)
    data.setdefault("name", path.stem)
    return Sweep.from_mapping(data, source=str(path), base_dir=path.parent)


def as_sweep(value: Sweep | str | Path | Mapping[str, Any]) -> Sweep:
    """Accept a :class:`Sweep`, a path to a sweep file or a mapping; return a Sweep."""
    if isinstance(value, Sweep):
        return value
    if isinstance(value, str | Path):
        return load_sweep(value)
    if isinstance(value, Mapping):
        return Sweep.from_mapping(value)
    raise ScenarioError(f"sweep = {short(value)}: expected a Sweep, a path to a sweep file or a "
                        "mapping")


def manifest(sweep: Sweep) -> dict[str, Any]:
    """The study description :func:`run_sweep` stores with the results."""
    base = sweep.scenario
    points = design_points(sweep).reset_index()
    return {
        "kind": "sweep",
        "sweep": sweep.name,
        "description": sweep.description,
        "source": sweep.source,
        "sweep_digest": sweep.digest(),
        "design": sweep.design,
        "samples": sweep.samples,
        "levels": sweep.levels,
        "second_order": sweep.second_order,
        "sample_seed": sweep.sample_seed,
        "factors": {n: {"kind": target(n).kind.__name__,
                        **{k: v for k, v in f.model_dump().items() if v is not None}}
                    for n, f in sweep.factors.items()},
        "baseline": base.name,
        "mission": base.mission,
        "replicates": sweep.replicates,
        "root_seed": sweep.seed,
        "scenarios": {base.name: {"digest": base.digest(), "source": base.source,
                                  "description": base.description, "summary": base.summary(),
                                  "content": base.content()}},
        "points": [{k: _plain(v) for k, v in row.items()} for row in points.to_dict("records")],
        "output": {"metric": sweep.output.metric, "month": sweep.output.month},
        "definition": sweep.definition(),
    }


def run_sweep(sweep: Sweep | str | Path | Mapping[str, Any], out: str | Path | None = None,
              resume: bool = False, workers: int | None = None, scheduler: Any = None,
              progress: bool = False,
              on_result: Callable[[int, int], None] | None = None) -> Results:
    """Run every design point × replicate of a sweep.

    Args:
        sweep: A :class:`Sweep`, a path to a sweep file or a mapping.
        out: Output folder for the results store; ``None`` keeps results in memory.
        resume: Continue a sweep already in ``out`` (runs stored are skipped).
        workers: Local worker processes (``None``: all cores; 1: serial).
        scheduler: A dask.distributed scheduler address or Client.
        progress: Show a progress bar on standard error.
        on_result: Progress callback ``(done, total)``.

    Returns:
        :class:`~missionsim.experiments.study.Results`; ``runs`` has a ``factor:NAME`` column per
        factor and ``manifest["points"]`` lists the design.
    """
    sweep = as_sweep(sweep)
    return execute(specs(sweep), manifest(sweep), out=out, resume=resume, workers=workers,
                   scheduler=scheduler, progress=progress, on_result=on_result)


# --- analysis ---------------------------------------------------------------------------------
def point_values(results: Results, sweep: Sweep | str | Path,
                 metric: str | None = None, month: int | None = None) -> pd.DataFrame:
    """The metric at a month for every design point, beside the point's factor values.

    Columns: the factors, then the metric's mean over replicates (named after the metric),
    its standard deviation (``METRIC_sd``) and the number of replicates; index ``point`` in
    design order.

    Raises:
        ValueError: The results lack the metric, the month or some design points, or their
            factor values are not this sweep's design.
    """
    sweep = as_sweep(sweep)
    metric = sweep.output.metric if metric is None else metric
    month = sweep.output.month if month is None else month
    points = design_points(sweep)
    months = results.months
    if results.runs.empty:
        raise ValueError("the results hold no runs; run the sweep first")
    digest = results.manifest.get("sweep_digest")
    if digest is not None and digest != sweep.digest():
        raise ValueError(f"these results come from another version of sweep "
                         f"{short(results.manifest.get('sweep'))} (its scenario, design, factors, "
                         "replicates or seed differ); run this sweep into a new folder")
    if metric not in months.columns:
        raise ValueError(f"metric = {short(metric)}: not a column of the results; expected one of "
                         f"{', '.join(REPORTERS)}")
    if isinstance(month, bool) or not isinstance(month, int | np.integer):
        raise ValueError(f"month = {short(month)}: expected a whole month")
    rows = months[(months["scenario"] == sweep.scenario.name) & (months["month"] == month)]
    if rows.empty:
        raise ValueError(f"month = {month}: no results at that month (the horizon is "
                         f"{sweep.scenario.horizon})")
    stats = rows.groupby("point")[metric].agg(["mean", "std", "count"])
    missing = [p for p in points.index if p not in stats.index]
    if missing:
        shown = ", ".join(str(p) for p in missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise ValueError(f"the results lack {len(missing)} of {len(points)} design points "
                         f"({shown}); finish the sweep first (run it again with resume)")
    _check_design(results, sweep, points)
    stats = stats.reindex(points.index)
    frame = points.join(stats.rename(columns={"mean": metric, "std": f"{metric}_sd",
                                              "count": "replicates"}))
    frame.attrs.update({"metric": metric, "month": int(month)})
    return frame


def _check_design(results: Results, sweep: Sweep, points: pd.DataFrame) -> None:
    runs = results.runs
    runs = runs[runs["scenario"] == sweep.scenario.name] if len(runs) else runs
    for name in points.columns:
        column = f"factor:{name}"
        if column not in runs.columns:
            raise ValueError(f"these results do not vary factor {short(name)}: they are not from "
                             f"sweep {short(sweep.name)}")
        got = runs.groupby("point")[column].first()
        want = points[name].reindex(got.index)
        if want.isna().any() or not np.allclose(got.to_numpy(float), want.to_numpy(float),
                                                rtol=1e-12, atol=0.0):
            raise ValueError(f"factor {short(name)} has other values in these results than in the "
                             f"design of sweep {short(sweep.name)}; were they run from another "
                             "version of the sweep file?")


def sensitivity(results: Results, sweep: Sweep | str | Path, metric: str | None = None,
                month: int | None = None) -> pd.DataFrame:
    """Sensitivity of a metric at a month to the sweep's factors.

    The metric is read at ``month`` in every run and averaged over replicates at each design
    point; then:

    - ``morris``: :func:`SALib.analyze.morris.analyze` on the raw (unrounded) design:
      columns ``mu``, ``mu_star``, ``sigma``, ``mu_star_conf``; sorted by ``mu_star``;
    - ``sobol``: :func:`SALib.analyze.sobol.analyze`: columns ``S1``, ``S1_conf``, ``ST``,
      ``ST_conf``; sorted by ``ST``; with ``second_order``, ``attrs["S2"]`` lists each pair
      of factors with ``S2`` and ``S2_conf``;
    - ``lhs`` and ``factorial``: standardized regression coefficients (``src``, with the
      linear fit's R² in ``attrs["r2"]``) and partial rank correlation coefficients (``prcc``,
      ``prcc_p``); sorted by ``|prcc|``. They measure monotone association, not shares of
      variance.

    Args:
        results: Results of :func:`run_sweep` (in memory or ``Results.load(out)``).
        sweep: The sweep (or its file) the results came from.
        metric: A model reporter (default: the sweep's ``output.metric``).
        month: The month read (default: the sweep's ``output.month``).

    Returns:
        One row per factor, most important first, with a ``rank`` column; ``attrs`` hold
        ``method``, ``metric``, ``month``, ``design``, ``points``, ``replicates`` and a
        ``note``.

    Raises:
        ValueError: The results lack the metric, month or some points, do not match the
            design, or the metric is not finite at some point.
    """
    sweep = as_sweep(sweep)
    values = point_values(results, sweep, metric, month)
    metric, month = values.attrs["metric"], values.attrs["month"]
    y = values[metric].to_numpy(float)
    if not np.isfinite(y).all():
        bad = int(np.flatnonzero(~np.isfinite(y))[0])
        raise ValueError(f"{metric} at month {month} is not a finite number at point {bad}")
    names = list(sweep.factors)
    seed = sweep.sample_seed
    extra: dict[str, Any] = {}
    if sweep.design == "morris":
        from SALib.analyze import morris

        res = morris.analyze(_problem(sweep), sample(sweep).astype(float), y,
                             num_resamples=NUM_RESAMPLES, num_levels=sweep.levels, seed=seed)
        table = pd.DataFrame({"factor": names, **{k: np.asarray(res[k], float) for k in
                                                  ("mu", "mu_star", "sigma", "mu_star_conf")}})
        key, method = table["mu_star"], "morris"
        note = ("Morris elementary effects per unit of the factor's range fraction: mu_star "
                "(mean |effect|) ranks importance, sigma shows interaction or non-linearity")
    elif sweep.design == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(_problem(sweep), y, calc_second_order=sweep.second_order,
                            num_resamples=NUM_RESAMPLES, seed=seed)
        table = pd.DataFrame({"factor": names, **{k: np.asarray(res[k], float) for k in
                                                  ("S1", "S1_conf", "ST", "ST_conf")}})
        key, method = table["ST"], "sobol"
        note = ("Sobol indices: S1 is the share of variance a factor explains alone, ST with "
                "all its interactions")
        if sweep.second_order:
            s2, conf = np.asarray(res["S2"], float), np.asarray(res["S2_conf"], float)
            extra["S2"] = [{"factor": names[i], "other": names[j], "S2": float(s2[i, j]),
                            "S2_conf": float(conf[i, j])}
                           for i in range(len(names)) for j in range(i + 1, len(names))]
    else:
        x = values[names].to_numpy(float)
        src, r2 = _src(x, y)
        prcc, p = _prcc(x, y)
        table = pd.DataFrame({"factor": names, "src": src, "prcc": prcc, "prcc_p": p})
        key, method = table["prcc"].abs(), "src-prcc"
        extra["r2"] = r2
        note = ("standardized regression coefficients (src; the linear fit explains "
                f"R² = {r2:.2f}) and partial rank correlation coefficients (prcc): monotone "
                "association, not shares of variance; use a morris or sobol design for those")
    order = np.argsort(-np.nan_to_num(key.to_numpy(float), nan=-np.inf), kind="stable")
    table = table.iloc[order].reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    table.attrs.update({"method": method, "metric": metric, "month": month,
                        "design": sweep.design, "points": len(values),
                        "replicates": sweep.replicates, "note": note, **extra})
    return table


def _standardize(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sd = a.std(axis=0)
    ok = sd > 0
    z = np.zeros_like(a, dtype=float)
    z[:, ok] = (a[:, ok] - a[:, ok].mean(axis=0)) / sd[ok]
    return z, ok


def _src(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Standardized regression coefficients and the R² of the linear fit."""
    src = np.full(x.shape[1], np.nan)
    if y.std() == 0:
        return src, float("nan")
    zx, ok = _standardize(x)
    zy = (y - y.mean()) / y.std()
    coef, *_ = np.linalg.lstsq(zx[:, ok], zy, rcond=None)
    src[ok] = coef
    fitted = zx[:, ok] @ coef
    r2 = 1.0 - float(np.sum((zy - fitted) ** 2) / np.sum(zy ** 2))
    return src, r2


def _prcc(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Partial rank correlation of each column of ``x`` with ``y``, and two-sided p-values."""
    from scipy import stats

    n, k = x.shape
    prcc = np.full(k, np.nan)
    pval = np.full(k, np.nan)
    rx = np.column_stack([stats.rankdata(x[:, j]) for j in range(k)]) if k else x
    ry = stats.rankdata(y)
    varied = [j for j in range(k) if np.ptp(rx[:, j]) > 0]
    dof = n - len(varied) - 1
    for j in varied:
        others = np.column_stack([np.ones(n)] + [rx[:, i] for i in varied if i != j])
        res_x = rx[:, j] - others @ np.linalg.lstsq(others, rx[:, j], rcond=None)[0]
        res_y = ry - others @ np.linalg.lstsq(others, ry, rcond=None)[0]
        sx, sy = np.sqrt(res_x @ res_x), np.sqrt(res_y @ res_y)
        if sx < 1e-12 * n or sy < 1e-12 * n:
            continue
        r = float(np.clip(res_x @ res_y / (sx * sy), -1.0, 1.0))
        prcc[j] = r
        if dof > 0:
            if abs(r) >= 1.0:
                pval[j] = 0.0
            else:
                t = r * math.sqrt(dof / (1.0 - r * r))
                pval[j] = float(2.0 * stats.t.sf(abs(t), dof))
    return prcc, pval
