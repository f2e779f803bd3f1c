"""Scenario files: what a policy team edits, validated on load.

A scenario is a TOML file naming the mission, the world (a preset plus parameter overrides),
the reforms with their timings and intensities, the uncertainties, the horizon, the number of
replicates and the root seed::

    name = "devolution"
    description = "Local autonomy over delivery from year one"
    extends = "baseline.toml"          # optional: start from another file, override parts

    mission = "early_years"
    horizon = 120
    replicates = 10
    seed = 2026

    [world]
    preset = "workshop"
    [world.params]
    labour_tightness = 0.6

    [reforms.devolution]
    start = 12
    intensity = 1.0

    [uncertainties.demand_shock_prob]  # drawn per replicate, the same draw for every scenario
    low = 0.0
    high = 0.2

Loading merges the ``extends`` chain (tables merge key by key, the child wins), then checks
every key and value; a problem raises :class:`ScenarioError`, whose message is one line naming
the file, the key path and what was expected.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from missionsim import limits, resources
from missionsim.errors import ScenarioError
from missionsim.experiments.files import (
    Strict,
    as_float,
    clean_name,
    clean_text,
    error_path,
    key_path,
    one_of,
    read_chain,
    short,
)
from missionsim.experiments.files import describe_error as describe_schema_error
from missionsim.model.missions import MISSIONS
from missionsim.model.params import PARAMETERS, PRESETS, WORLD_SIZE, resolve
from missionsim.model.reforms import REFORMS

MAX_HORIZON = limits.MAX_HORIZON
MAX_INTENSITY = limits.MAX_INTENSITY
MAX_REPLICATES = limits.MAX_REPLICATES
MAX_EXTENDS_DEPTH = limits.MAX_EXTENDS_DEPTH

DIGEST_CHARS = 16
"""Hexadecimal characters kept of a scenario's SHA-256 digest (64 bits: collisions between
the scenarios of one study are out of reach)."""


class ReformSpec(Strict):
    """One reform's settings in a scenario.

    Attributes:
        start: First month in which the reform acts.
        end: First month in which it no longer acts (absent: to the end of the run).
        intensity: Scale, ≥ 0 (1 is the reform's design size), at most the reform's
            declared ``<reform>_max_intensity``.
        enabled: ``false`` switches off a reform inherited through ``extends``.
    """

    start: int = Field(default=0, ge=0)
    end: int | None = Field(default=None, ge=1, le=MAX_HORIZON)
    intensity: float = Field(default=1.0, ge=0.0, le=MAX_INTENSITY)
    enabled: bool = True

    @field_validator("intensity", mode="before")
    @classmethod
    def _int_is_float(cls, value: Any) -> Any:
        return as_float(value)

    @model_validator(mode="after")
    def _end_after_start(self) -> ReformSpec:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"end = {self.end}: expected a month after start ({self.start})")
        return self

    def settings(self) -> dict[str, Any]:
        """The settings the model takes (``start``, ``end``, ``intensity``)."""
        return {"start": self.start, "end": self.end, "intensity": self.intensity}


class Uncertainty(Strict):
    """A parameter drawn uniformly from ``[low, high]`` once per replicate."""

    low: float
    high: float

    @field_validator("low", "high", mode="before")
    @classmethod
    def _int_is_float(cls, value: Any) -> Any:
        return as_float(value)

    @model_validator(mode="after")
    def _ordered(self) -> Uncertainty:
        if not math.isfinite(self.low):
            raise ValueError(f"low = {self.low}: expected a finite number")
        if not math.isfinite(self.high) or self.high < self.low:
            raise ValueError(f"high = {self.high}: expected a finite number ≥ low ({self.low})")
        return self


class World(Strict):
    """The world a scenario runs in: a preset and parameter overrides."""

    preset: str = "workshop"
    params: dict[str, bool | int | float] = Field(default_factory=dict)

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, value: str) -> str:
        return one_of(value, PRESETS, "preset")


class Scenario(Strict):
    """A validated scenario. Build one with :func:`load_scenario` or :meth:`from_mapping`.

    Attributes:
        name: Label used in tables and reports (defaults to the file's stem).
        description: One or two sentences for reports.
        mission: A key of :data:`missionsim.MISSIONS`.
        world: Preset and parameter overrides.
        reforms: Reform name to settings.
        uncertainties: Parameter name to the range it is drawn from per replicate.
        horizon: Months to simulate.
        replicates: Default number of replicates (paired seeds).
        seed: Root seed; replicate ``r`` runs with :func:`replicate_seed` ``(seed, r)``.
        equal_cost: When set on the baseline of a comparison, every other option is scaled
            to this public cost (£m, present value over the horizon; ``"reachable"``: the
            largest budget every option can reach; see :mod:`missionsim.experiments.equalcost`).
        source: The file it was loaded from (empty for a scenario built in Python).
    """

    name: str = Field(default="scenario", min_length=1)
    description: str = ""
    mission: str = "early_years"
    world: World = Field(default_factory=World)
    reforms: dict[str, ReformSpec] = Field(default_factory=dict)
    uncertainties: dict[str, Uncertainty] = Field(default_factory=dict)
    horizon: int = Field(default=120, ge=1, le=MAX_HORIZON)  # ten years
    replicates: int = Field(default=10, ge=1, le=MAX_REPLICATES)
    seed: int = Field(default=2026, ge=0, le=limits.MAX_SEED)  # any fixed root seed
    equal_cost: (Annotated[float, Field(gt=0.0, le=limits.MAX_BUDGET)] | Literal["reachable"]
                 | None) = None
    source: str = ""

    @field_validator("mission")
    @classmethod
    def _known_mission(cls, value: str) -> str:
        return one_of(value, MISSIONS, "mission")

    @field_validator("name", mode="before")
    @classmethod
    def _clean_name(cls, value: Any) -> Any:
        return clean_name(value)

    @field_validator("description", mode="before")
    @classmethod
    def _clean_text(cls, value: Any) -> Any:
        return clean_text(value)

    # --- construction -------------------------------------------------------------------
    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
        """Validate a plain mapping (as read from TOML, without ``extends``).

        Raises:
            ScenarioError: One line naming ``source``, the key path and what was expected.
        """
        if not isinstance(data, Mapping):
            raise ScenarioError(f"{source}: expected a table of scenario settings, got "
                                f"{type(data).__name__}")
        data = dict(data)
        data.pop("extends", None)
        if "source" in data:
            raise ScenarioError(f"{source}: source: unknown key; expected one of "
                                f"{', '.join(_allowed_keys(()))}")
        data["source"] = source if source != "<scenario>" else ""
        try:
            scenario = cls.model_validate(data)
        except ValidationError as exc:
            raise ScenarioError(f"{source}: {describe_error(exc)}") from None
        _check_names(scenario, source)
        return scenario

    # --- derived ------------------------------------------------------------------------
    def reform_settings(self) -> dict[str, dict[str, Any]]:
        """Enabled reforms as the mapping :class:`missionsim.MissionModel` takes."""
        return {name: spec.settings() for name, spec in self.reforms.items() if spec.enabled}

    def content(self) -> dict[str, Any]:
        """What determines the results (not the name, description, source or replicates)."""
        return {
            "mission": self.mission,
            "preset": self.world.preset,
            "params": {k: PARAMETERS[k].check(v) for k, v in sorted(self.world.params.items())},
            "reforms": dict(sorted(self.reform_settings().items())),
            "uncertainties": {k: [u.low, u.high] for k, u in sorted(self.uncertainties.items())},
            "horizon": self.horizon,
        }

    def digest(self) -> str:
        """A short hash of :meth:`content`: equal digests give equal results for equal seeds."""
        text = json.dumps(self.content(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:DIGEST_CHARS]

    def manifest_entry(self) -> dict[str, Any]:
        """How a study's manifest records this scenario (its digest, summary and content)."""
        return {"digest": self.digest(), "source": self.source, "description": self.description,
                "summary": self.summary(), "content": self.content()}

    def with_changes(self, **changes: Any) -> Scenario:
        """A validated copy with top-level fields replaced (e.g. ``horizon=36``)."""
        data = self.model_dump(exclude={"source"})
        data.update(changes)
        return Scenario.from_mapping(data, source=self.source or "<scenario>")

    def max_intensity(self, reform: str) -> float:
        """The largest intensity ``reform`` may take in this scenario.

        That is its declared ``<reform>_max_intensity``, or the scenario's own value for it.
        """
        key = f"{reform}_max_intensity"
        return self.world.params.get(key, PARAMETERS[key].default)

    def summary(self) -> str:
        """One line: mission, preset, reforms with their timings."""
        parts = []
        for name, s in self.reform_settings().items():
            when = f"{s['start']}–{s['end']}" if s["end"] is not None else f"{s['start']}+"
            parts.append(f"{name} (×{s['intensity']:g}, months {when})")
        reforms = "; ".join(parts) if parts else "no reforms"
        return f"{self.mission} on {self.world.preset}: {reforms}"


def _check_names(scenario: Scenario, source: str) -> None:
    """Reform, parameter and uncertainty names and values against the registries, and size."""
    for name in scenario.reforms:
        if name not in REFORMS:
            raise ScenarioError(f"{source}: {key_path(['reforms', name])}: unknown reform; "
                                f"expected one of "
                                f"{', '.join(sorted(REFORMS))}")
    for name, spec in scenario.reforms.items():
        if spec.enabled and spec.start >= scenario.horizon:
            raise ScenarioError(f"{source}: {key_path(['reforms', name, 'start'])}: month "
                                f"{spec.start:,} is at or after the horizon ({scenario.horizon} "
                                "months), so the reform would never act; expected a month < "
                                f"{scenario.horizon}")
    for name, value in scenario.world.params.items():
        if name not in PARAMETERS:
            raise ScenarioError(f"{source}: {key_path(['world', 'params', name])}: unknown "
                                "parameter; see `missionsim list parameters`")
        try:
            PARAMETERS[name].check(value, where="")
        except ValueError as exc:
            raise ScenarioError(f"{source}: world.params.{name}: "
                                f"{str(exc).split(': ', 1)[-1]}, got {short(value)}") from None
    for name, spec in scenario.reforms.items():
        top = scenario.max_intensity(name)
        if spec.enabled and spec.intensity > top:
            raise ScenarioError(f"{source}: {key_path(['reforms', name, 'intensity'])}: expected "
                                f"at most {top:g} ({name}_max_intensity), got {spec.intensity:g}")
    for name, rng in scenario.uncertainties.items():
        if name not in PARAMETERS:
            raise ScenarioError(f"{source}: {key_path(['uncertainties', name])}: unknown "
                                "parameter; see `missionsim list parameters`")
        p = PARAMETERS[name]
        if p.kind is bool:
            raise ScenarioError(f"{source}: uncertainties.{name}: a true/false parameter cannot "
                                "be drawn from a range")
        if rng.low < p.low or rng.high > p.high:
            raise ScenarioError(f"{source}: uncertainties.{name}: expected low and high within "
                                f"[{p.low:g}, {p.high:g}] ({p.unit}), got [{rng.low:g}, "
                                f"{rng.high:g}]")
    # the largest world the scenario can draw: its overrides, with uncertainties at their top
    largest = {**scenario.world.params, **{name: PARAMETERS[name].kind(rng.high) for name, rng
                                           in scenario.uncertainties.items()
                                           if name in WORLD_SIZE}}
    try:
        resolve(scenario.world.preset, largest, MISSIONS[scenario.mission].world)
    except ValueError as exc:
        raise ScenarioError(f"{source}: {exc}") from None


def describe_error(exc: ValidationError) -> str:
    """The first pydantic error as ``key.path: what was expected, got VALUE``."""
    err = exc.errors(include_url=False)[0]
    loc = error_path(err)
    # world.params values are a union (bool | int | float): pydantic adds the member's name
    if len(loc) == 4 and loc[:2] == ["world", "params"]:
        return (f"{key_path(loc[:-1])}: expected a number or true/false, got "
                f"{short(err.get('input'))}")
    return describe_schema_error(exc, _allowed_keys)


def _allowed_keys(loc: tuple) -> list[str]:
    """The keys allowed at a location of the scenario schema (for 'unknown key' messages)."""
    model: type[BaseModel] = Scenario
    for part in loc:
        field = model.model_fields.get(str(part))
        if field is None:
            continue
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
        else:
            args = getattr(annotation, "__args__", ())
            inner = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            if inner:
                model = inner[0]
    keys = [k for k in model.model_fields if k != "source"]
    return [*keys, "extends"] if model is Scenario else keys


# --- loading --------------------------------------------------------------------------------
def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file (following ``extends``).

    Args:
        path: A ``.toml`` file, or the name of a shipped scenario (``"baseline"``,
            ``"devolution"``: see ``missionsim list scenarios``) when no such file exists.

    Returns:
        The validated :class:`Scenario`; its ``name`` defaults to the file's stem.

    Raises:
        ScenarioError: One line naming the file, the key path and what was expected.
    """
    path = resources.find_shipped(path, "scenarios") or Path(path)
    data = read_chain(path)
    data.setdefault("name", path.stem)
    return Scenario.from_mapping(data, source=str(path))


def as_scenario(value: Scenario | str | Path | Mapping[str, Any]) -> Scenario:
    """Accept a :class:`Scenario`, a path to a file or a mapping; return a Scenario."""
    if isinstance(value, Scenario):
        return value
    if isinstance(value, str | Path):
        return load_scenario(value)
    if isinstance(value, Mapping):
        return Scenario.from_mapping(value)
    raise ScenarioError(f"scenario = {short(value)}: expected a Scenario, a path to a .toml file "
                        "or a mapping")


def shipped_dir() -> Path:
    """The folder of scenario files shipped with missionsim (``missionsim/data/scenarios``)."""
    return resources.data_path("scenarios")


def shipped() -> dict[str, Path]:
    """Shipped scenario files by name (file stem), sorted by name."""
    return resources.shipped("scenarios")
