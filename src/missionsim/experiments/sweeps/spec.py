"""Sweep files: a design over parameters and reform settings, validated on load.

A sweep file is TOML naming a base scenario, a design, and the factors it varies::

    name = "capacity-and-accountability"
    scenario = "../scenarios/baseline.toml"   # or an inline [scenario] table
    design = "lhs"          # "factorial" | "lhs" | "morris" | "sobol"
    samples = 32            # lhs: points; morris: trajectories r; sobol: base N (power of 2)
    replicates = 2          # per design point; the same seeds at every point
    seed = 7                # root seed (default: the scenario's); the design derives from it

    [output]                # what the sensitivity analysis reads
    metric = "outcome"      # a model reporter
    month = 36              # default: the mission's deadline (or the horizon if shorter)

    [factors.punitive_accountability]
    low = 0.2
    high = 0.9
    [factors."devolution.start"]       # reform settings: <reform>.start | end | intensity
    values = [0, 12, 24]               # factorial designs use values (or low and high)

``sweeps/README.md`` describes every key. A file is read like a scenario file
(:mod:`missionsim.files`), its factors are checked by
:mod:`~missionsim.experiments.sweeps.factors`, and every design point is checked against the
scenario (:func:`~missionsim.experiments.sweeps.design.apply_point`) before anything runs; a
problem raises :class:`~missionsim.errors.ScenarioError` with one line naming the file, the key
path and what was expected.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field, ValidationError, field_validator

from missionsim import limits, resources
from missionsim.errors import ScenarioError
from missionsim.experiments.scenario import Scenario, load_scenario
from missionsim.experiments.sweeps.factors import Factor, check_factor, factor_levels
from missionsim.files import (
    Described,
    Strict,
    describe_error,
    inherited,
    merge,
    quote_key,
    read_chain,
    read_toml,
    short,
)
from missionsim.model.reporters import REPORTERS

DESIGNS = ("factorial", "lhs", "morris", "sobol")
"""Design names a sweep file may give."""
MAX_RUNS = limits.MAX_RUNS
"""Most runs (points × replicates) one sweep may plan."""
MAX_LEVELS = 1000
"""Most Morris grid levels (SALib's ``num_levels``; a few are usual)."""
SAMPLE_SEED_SALT = 0x5EED
"""Mixed with the root seed to derive the design's sampling seed, so that sampling and the
runs' replicate seeds (:func:`~missionsim.experiments.runner.replicate_seed`) differ."""
DIGEST_CHARS = 16
"""Hexadecimal characters kept of a sweep's SHA-256 digest (64 bits)."""


class Output(Strict):
    """What the sensitivity analysis reads (:mod:`missionsim.analysis.sensitivity`).

    Attributes:
        metric: A model reporter (a column of the month-by-month table).
        month: The month at which it is read (set on load: default the mission's deadline,
            or the horizon if that is shorter).
    """

    metric: str = "outcome"
    month: int | None = Field(default=None, ge=0)


class Sweep(Described):
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
        output: The metric and month the sensitivity analysis reads.
        factors: Factor name (a parameter or ``<reform>.<field>``) to its range or levels,
            in file order.
        source: The file it was loaded from (empty for a sweep built in Python).
    """

    name: str = Field(default="sweep", min_length=1)
    description: str = ""
    scenario: Scenario
    design: str
    samples: int | None = Field(default=None, ge=1)
    replicates: int = Field(default=1, ge=1, le=limits.MAX_REPLICATES)
    seed: int | None = Field(default=None, ge=0, le=limits.MAX_SEED)
    levels: int = Field(default=4, ge=2, le=MAX_LEVELS)  # SALib's default grid
    second_order: bool = False
    output: Output = Field(default_factory=Output)
    factors: dict[str, Factor]
    source: str = ""

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
            month = min(base.mission_record().deadline, base.horizon)
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
            return math.prod(len(factor_levels(name, f)) for name, f in self.factors.items())
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
        seeds = np.random.SeedSequence([int(self.seed), SAMPLE_SEED_SALT])
        state = seeds.generate_state(1, np.uint32)
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
        return hashlib.sha256(text.encode()).hexdigest()[:DIGEST_CHARS]

    def summary(self) -> str:
        """One line: design, factors, points and runs."""
        what = {"factorial": "full factorial", "lhs": "Latin hypercube",
                "morris": "Morris screening", "sobol": "Sobol"}[self.design]
        return (f"{what} over {len(self.factors)} factor(s) ({_some(self.factors)}) on "
                f"{self.scenario.name}: {self.n_points} points × {self.replicates} "
                f"replicate(s) = {self.n_runs} runs")


SUMMARY_NAMES = 8  # structural: factor names a one-line summary lists in full
"""A summary names every factor up to this many; beyond, the first ones and how many more."""


def _some(names: Iterable[str]) -> str:
    """``names`` joined, or the first few and how many more (a screening has over 180)."""
    names = list(names)
    if len(names) <= SUMMARY_NAMES:
        return ", ".join(names)
    shown = SUMMARY_NAMES - 2  # structural: the two places the count takes
    return f"{', '.join(names[:shown])} and {len(names) - shown} more"


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
            table = merge(inherited(read_chain(path)), table)
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
    path = ".".join(quote_key(p) for p in loc)
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


def _check(sweep: Sweep, source: str) -> None:
    """Factor names, ranges and types; design settings; the output; every design point."""
    for name, factor in sweep.factors.items():
        check_factor(name, factor, sweep.design, source)
    continuous = sweep.design != "factorial"
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
    # imported here: the design is built from a validated sweep
    from missionsim.experiments.sweeps.design import apply_point, design_points

    for point, values in enumerate(design_points(sweep).to_dict("records")):
        apply_point(sweep, values, point, source)


# --- loading ----------------------------------------------------------------------------------
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
