"""The one source of model parameters: defaults, bounds, units, meanings and sources.

Every default the model uses is declared exactly once, in the data files
``data/parameters/GROUP.toml`` (one per group of :data:`GROUPS`), loaded and checked here.
Validation of constructor arguments, scenario files, CLI help and UI controls is derived from
these declarations, never retyped.

Sources are short keys into ``docs/model.md`` (section "Sources"), which quotes the
figures from the calibration brief: ``A`` early years, ``B`` rough sleeping, ``C`` capacity
and money, ``D`` workforce, ``E`` evidence, ``F`` trust and accountability, ``G`` patterns.
``assumption`` marks a modelling choice with no direct data, stated as such.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from missionsim import resources
from missionsim.limits import quote
from missionsim.model.size import (  # the size check, and names re-exported with PARAMETERS
    WORLD_SIZE,  # noqa: F401
    check_world_size,
    world_agents,  # noqa: F401
)


@dataclass(frozen=True)
class Parameter:
    """A declared model parameter.

    Attributes:
        name: Identifier used in code, scenario files and the CLI.
        default: Default value (int, float or bool).
        low: Smallest allowed value (inclusive).
        high: Largest allowed value (inclusive).
        unit: Unit of measurement, for tables and controls.
        group: Which part of the model it belongs to.
        meaning: One line saying what it does.
        source: Where the default comes from (calibration key or ``assumption``).
        uncertainty: True for the uncertainties that sweeps vary (not levers).
        plausible: The range robustness studies vary it over (within ``low``–``high``).
        role: ``setting``, ``assumption`` or ``uncertainty`` (see :data:`ROLES`).
        reform: The reform whose strength or cost it sets (empty for the model's own).
    """

    name: str
    default: float | int | bool
    low: float
    high: float
    unit: str
    group: str
    meaning: str
    source: str
    uncertainty: bool = False
    plausible: tuple[float, float] = (math.nan, math.nan)
    role: str = "setting"
    reform: str = ""

    @property
    def kind(self) -> type:
        """The Python type of the parameter's values."""
        return type(self.default)

    def check(self, value: Any, where: str = "parameter") -> float | int | bool:
        """Validate ``value`` against the declaration and return it in the declared type.

        Args:
            value: Proposed value.
            where: Prefix used in the error message (e.g. the argument name).

        Returns:
            The value converted to the declared type.

        Raises:
            ValueError: One line naming the parameter, the value and what is allowed.
        """
        label = f"{where} {quote(self.name)}" if where else repr(self.name)
        if isinstance(value, np.bool_):
            value = bool(value)
        elif isinstance(value, np.integer):
            value = int(value)
        elif isinstance(value, np.floating):
            value = float(value)
        if self.kind is bool:
            if not isinstance(value, bool | int) or value not in (0, 1, True, False):
                raise ValueError(f"{label} = {quote(value)}: expected true or false")
            return bool(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{label} = {_short(value)}: expected a number in [{self.low:g}, "
                             f"{self.high:g}]")
        if isinstance(value, int) and abs(value) > 1e15:  # beyond every range; float() may fail
            raise ValueError(f"{label} = {_short(value)}: expected a value in [{self.low:g}, "
                             f"{self.high:g}] ({self.unit})")
        if not math.isfinite(float(value)):
            raise ValueError(f"{label} = {quote(value)}: expected a finite value in [{self.low:g}, "
                             f"{self.high:g}] ({self.unit})")
        if self.kind is int and float(value) != int(value):
            raise ValueError(f"{label} = {quote(value)}: expected a whole number in "
                             f"[{int(self.low)}, {int(self.high)}]")
        if not self.low <= value <= self.high:
            raise ValueError(f"{label} = {quote(value)}: expected a value in [{self.low:g}, "
                             f"{self.high:g}] ({self.unit})")
        return self.kind(value)


def _short(value: Any) -> str:
    """``repr(value)``, shortened for one-line messages."""
    return quote(value)


GROUPS = ("world", "finance", "workforce", "evidence", "network", "government", "reforms",
          "uncertainty")
"""The groups of parameters, one declaration file each (``data/parameters/GROUP.toml``), in
the order the documentation lists them."""

ROLES = ("setting", "assumption", "uncertainty")
"""What a parameter is: a ``setting`` of the world or of policy that a scenario chooses; an
``assumption`` about how a mechanism works, which robustness studies vary over its plausible
range; or an ``uncertainty`` about conditions outside the system, drawn per replicate."""

_FIELDS = {"name": str, "default": (int, float), "low": (int, float), "high": (int, float),
           "unit": str, "meaning": str, "source": str}
_OPTIONAL = {"uncertainty": bool, "plausible": list, "role": str, "reform": str}


def _declaration(entry: Any, where: str, group: str) -> Parameter:
    """One ``[[parameter]]`` table as a :class:`Parameter`; problems are one line."""
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where}: expected a [[parameter]] table")
    for key in entry:
        if key not in _FIELDS and key not in _OPTIONAL:
            raise ValueError(f"{where}.{key}: unknown key; expected one of "
                             f"{', '.join([*_FIELDS, *_OPTIONAL])}")
    for key, kind in {**_FIELDS, **_OPTIONAL}.items():
        if key in _FIELDS and key not in entry:
            raise ValueError(f"{where}.{key}: required key is missing")
        if key in entry and (isinstance(entry[key], bool) and kind is not bool
                             or not isinstance(entry[key], kind)):
            raise ValueError(f"{where}.{key}: expected {getattr(kind, '__name__', 'a number')}, "
                             f"got {quote(entry[key])}")
    name = entry["name"]
    where = f"{where} ({name})"
    default, low, high = entry["default"], entry["low"], entry["high"]
    if not low <= default <= high:
        raise ValueError(f"{where}.default: {default} is outside [{low:g}, {high:g}]")
    plausible = entry.get("plausible", [low, high])
    if (len(plausible) != 2 or not all(isinstance(v, int | float) for v in plausible)
            or not low <= plausible[0] <= default <= plausible[1] <= high):
        raise ValueError(f"{where}.plausible: expected [low, high] around the default "
                         f"({default}) within the bounds [{low:g}, {high:g}], got "
                         f"{quote(plausible)}")
    role = entry.get("role", "uncertainty" if entry.get("uncertainty") else "setting")
    if role not in ROLES:
        raise ValueError(f"{where}.role: expected one of {', '.join(ROLES)}, got {quote(role)}")
    return Parameter(name, default, low, high, entry["unit"], group, entry["meaning"],
                     entry["source"], bool(entry.get("uncertainty", False)),
                     (float(plausible[0]), float(plausible[1])), role, entry.get("reform", ""))


def load_declarations(folder: Path | None = None) -> tuple[Parameter, ...]:
    """Every parameter declared in ``folder`` (default: the shipped ``data/parameters``).

    Raises:
        ValueError: One line naming the file, the entry and what is wrong.
    """
    folder = resources.data_path("parameters") if folder is None else Path(folder)
    found: list[Parameter] = []
    for group in GROUPS:
        path = folder / f"{group}.toml"
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"{path}: cannot read the parameter declarations ({exc})") from None
        for k, entry in enumerate(data.get("parameter", [])):
            found.append(_declaration(entry, f"{path}: parameter[{k}]", group))
    names = [p.name for p in found]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"{folder}: parameter {twice[0]!r} is declared twice")
    return tuple(found)


_DECLARATIONS: tuple[Parameter, ...] = load_declarations()

PARAMETERS: dict[str, Parameter] = {p.name: p for p in _DECLARATIONS}

PRESETS: dict[str, dict[str, Any]] = {
    "workshop": {"n_localities": 30, "charities_per_locality": 8, "cohort_total": 115_600},
    "england": {"n_localities": 153, "charities_per_locality": 9},
    "small": {"n_localities": 10, "charities_per_locality": 6, "cohort_total": 38_500},
    "england_councils": {"n_localities": 152, "charities_per_locality": 9,
                         "cohort_total": 652_349},
}
"""Named worlds. ``workshop`` plays live in the browser; ``england`` mirrors the 153
upper-tier authorities with drawn places; ``england_councils`` is England's 152 real councils
(2018 boundaries) from the shipped places file; ``small`` is a quick world for tests and
teaching."""

PRESET_PLACES: dict[str, str] = {"england_councils": "england_councils_2018"}
"""Presets built from a shipped places file (``data/places/NAME.csv``) rather than drawn; the
file sets their number of places and their cohort."""

PRESET_DESCRIPTIONS: dict[str, str] = {
    "workshop": "30 localities the size of English authorities, about 5,800 frontline posts",
    "england": "153 upper-tier authorities, about 1,500 organisations and 29,000 posts",
    "small": "10 localities (about 1,900 posts), for quick tests and teaching",
    "england_councils": "England's 152 councils by name, with their children, deprivation, "
                        "outcomes and statistical neighbours (DfE, 2018)",
}


def defaults() -> dict[str, Any]:
    """Return a fresh dict of every parameter at its default value."""
    return {name: p.default for name, p in PARAMETERS.items()}


def resolve(preset: str, overrides: Mapping[str, Any] | None = None,
            world: Mapping[str, Any] | None = None,
            places: tuple[int, float] | None = None) -> dict[str, Any]:
    """Combine defaults, a preset, a mission's world and overrides into a validated dict.

    Args:
        preset: Name of a preset in :data:`PRESETS`.
        overrides: Parameter values that replace the preset's and the mission's.
        world: A mission's own delivery system (:attr:`missionsim.model.missions.Mission.world`),
            which replaces the preset's values for the parameters it names.
        places: The number of places and the total cohort of a places file the world is
            built from; they set ``n_localities`` and ``cohort_total``, which overrides may
            then not change.

    Returns:
        A complete, validated mapping from parameter name to value.

    Raises:
        ValueError: For an unknown preset or parameter, or a value out of range.
    """
    if preset not in PRESETS:
        raise ValueError(f"preset = {quote(preset)}: expected one of {', '.join(sorted(PRESETS))}")
    values = defaults()
    values.update(PRESETS[preset])
    values.update(world or {})
    for name, value in (overrides or {}).items():
        if name not in PARAMETERS:
            raise ValueError(f"parameter {quote(name)} is unknown: expected one of the parameters "
                             "listed by missionsim.model.params.PARAMETERS")
        values[name] = PARAMETERS[name].check(value)
    if places is not None:
        for name, value in zip(("n_localities", "cohort_total"), places, strict=True):
            given = (overrides or {}).get(name, value)
            if given != value and not (name == "cohort_total" and abs(given - value) < 1):
                raise ValueError(f"parameter {name} = {quote(given)}: the places file sets it "
                                 f"({value:,g}); expected no override on a world built from a "
                                 "places file")
            values[name] = PARAMETERS[name].check(int(round(value)))
    check_world_size(values)
    return values


def assumptions() -> list[Parameter]:
    """Return the declared assumptions.

    They say how mechanisms and reforms work; robustness studies vary each over its plausible
    range.
    """
    return [p for p in _DECLARATIONS if p.role == "assumption"]


def uncertainties() -> list[Parameter]:
    """Return the parameters declared as uncertainties (what sweeps vary, not levers)."""
    return [p for p in _DECLARATIONS if p.uncertainty]
