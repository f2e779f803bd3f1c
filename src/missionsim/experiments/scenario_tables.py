"""The tables of a scenario file: a reform's settings, an uncertainty's range, the world.

:class:`~missionsim.experiments.scenario.Scenario` is built from them; each is a strict
pydantic model (no unknown key, no coercion), so a problem in one is a one-line error naming
its key path.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, Field, field_validator, model_validator

from missionsim import limits
from missionsim.errors import ScenarioError
from missionsim.files import Strict, as_float, key_path, one_of
from missionsim.model.params import PARAMETERS, PRESETS
from missionsim.model.reforms.policy import Bounds, number_or_path, plain
from missionsim.model.reforms.targeting import Target

MAX_HORIZON = limits.MAX_HORIZON
MAX_INTENSITY = limits.MAX_INTENSITY
PAIRED_SIZE = ("n_localities",)
"""World settings that make two scenarios' worlds different ones, besides the preset and the
places file: the number of places (each replicate draws its places anew, so a different number
gives different places). Other sizes, such as ``charities_per_locality``, stay conditions of
the same places, which claims and counterfactuals vary deliberately."""
MAX_TITLE_CHARS = 80
"""The longest scenario title: one line of a picker or a table."""


def _one_line(value: str) -> str:
    if "\n" in value or "\r" in value or not value.strip():
        raise ValueError("expected one line of plain text (a short title)")
    return value.strip()


Title = Annotated[str, Field(min_length=1, max_length=MAX_TITLE_CHARS), AfterValidator(_one_line)]
"""A scenario's ``title``: a short plain name for a room ("Devolution alone")."""


def readable_title(name: str) -> str:
    """A title made from a scenario's name: ``rough_sleeping_1998`` gives "Rough sleeping 1998".

    A name longer than a title may be is cut, with an ellipsis.

    Args:
        name: The scenario's name (a file stem, usually).
    """
    text = " ".join(name.replace("_", " ").split()) or "Scenario"
    text = text[:1].upper() + text[1:]
    return text if len(text) <= MAX_TITLE_CHARS else text[:MAX_TITLE_CHARS - 1] + "…"


class ReformSpec(Strict):
    """One reform's settings in a scenario.

    Attributes:
        start: First month in which the reform acts.
        end: First month in which it no longer acts (absent: to the end of the run).
        intensity: Scale, ≥ 0 (1 is the reform's design size), at most the reform's
            declared ``<reform>_max_intensity``: a number, or a path of ``[month, value]``
            points (:mod:`missionsim.model.paths`; its largest value is held to the maximum).
        enabled: ``false`` switches off a reform inherited through ``extends``.
        target: The places the reform reaches, as one key (``deprivation_deciles``,
            ``capacity_below``, ``capacity_above``, ``off_trajectory`` or ``places``; see
            :mod:`missionsim.model.reforms.targeting`); absent: every place.
    """

    start: int = Field(default=0, ge=0)
    end: int | None = Field(default=None, ge=1, le=MAX_HORIZON)
    intensity: Annotated[float | tuple[Any, ...] | list[Any], Bounds(0.0, MAX_INTENSITY)] = 1.0
    enabled: bool = True
    target: dict[str, Any] | None = None

    @field_validator("intensity", mode="before")
    @classmethod
    def _number_or_path(cls, value: Any) -> Any:
        return number_or_path(as_float(value), MAX_INTENSITY)  # a bad path: _check_names

    @model_validator(mode="after")
    def _end_after_start(self) -> ReformSpec:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"end = {self.end}: expected a month after start ({self.start})")
        return self

    @field_validator("target", mode="before")
    @classmethod
    def _target(cls, value: Any) -> Any:
        if value is None:
            return None
        try:
            return Target.parse(value, "target").settings()
        except ValueError as exc:  # the key path is given by the caller; keep the rest
            raise ValueError(str(exc).removeprefix("target").lstrip(".: ")) from None

    def settings(self) -> dict[str, Any]:
        """The settings the model takes: start, end, intensity (a path as lists), any target."""
        out = {"start": self.start, "end": self.end, "intensity": plain(self.intensity)}
        if self.target is not None:
            out["target"] = self.target
        return out


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
    """The world a scenario runs in: a preset, an optional places file and parameter overrides.

    ``places`` names a shipped places file (``england_councils_2018``) or a ``.csv`` file (a
    path relative to the scenario file); the world's places are then built from it
    (:mod:`missionsim.model.placesfile`) instead of being drawn.
    """

    preset: str = "workshop"
    places: str | None = Field(default=None, min_length=1, max_length=limits.MAX_PATH_CHARS)
    params: dict[str, bool | int | float] = Field(default_factory=dict)

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, value: str) -> str:
        return one_of(value, PRESETS, "preset")


def check_target_places(scenario: Any, source: str) -> None:
    """Every place a reform's ``target.places`` names is a place of the scenario's world."""
    for name, spec in scenario.reforms.items():
        if spec.target is None or "places" not in spec.target:
            continue
        data = scenario.places_data()
        if data is not None:
            known = {str(x).casefold() for col in ("name", "code") for x in data.table[col]}
            example = str(data.table["name"].iloc[0])
        else:
            n = scenario.world.params.get("n_localities",
                                          PRESETS[scenario.world.preset].get(
                                              "n_localities", PARAMETERS["n_localities"].default))
            known = {f"place {i + 1}" for i in range(int(n))}
            example = "Place 1"
        for place in spec.target["places"]:
            if place.strip().casefold() not in known:
                where = key_path(["reforms", name, "target", "places"])
                raise ScenarioError(f"{source}: {where}: {limits.quote(place)} is not a place in "
                                    f"this world; expected a name or code such as "
                                    f"{limits.quote(example)}")


# --- pairing ----------------------------------------------------------------------------------
def scenario_label(scenario: Any) -> str:
    """A scenario as a message names it: its title, and its file where it has one."""
    where = Path(scenario.source).name if scenario.source.endswith(".toml") else scenario.name
    return f"{limits.quote(scenario.title)} ({where})"


def world_of(scenario: Any) -> str:
    """The world a scenario's runs are drawn in, in words: preset, places file, places."""
    parts = [f"the {scenario.world.preset} world"]
    if scenario.world.places:
        parts.append(f"places {Path(scenario.world.places).stem}")
    for name in PAIRED_SIZE:
        if name in scenario.world.params:
            parts.append(f"{name} {scenario.world.params[name]:g}")
        if name in scenario.uncertainties:
            rng = scenario.uncertainties[name]
            parts.append(f"{name} {rng.low:g}–{rng.high:g}")
    return ", ".join(parts)


def pairing_problem(scenarios: Sequence[Any]) -> str:
    """Why scenarios cannot be compared over paired replicates, in one line ('' if they can).

    Replicate ``r`` of every scenario shares its seed, world and shocks only when they pursue
    the same mission in the same world (preset, places file and size): otherwise a paired
    difference would mix the reforms with the world.

    Args:
        scenarios: Validated scenarios (:class:`~missionsim.experiments.scenario.Scenario`).
    """
    for first, other in itertools.combinations(scenarios, 2):
        pair = f"{scenario_label(first)} and {scenario_label(other)}"
        missions = (first.mission_name(), other.mission_name())
        if missions[0] != missions[1]:
            return (f"{pair} pursue different missions ({missions[0]} and {missions[1]}): "
                    "compare one mission at a time")
        worlds = (world_of(first), world_of(other))
        if worlds[0] != worlds[1]:
            return (f"{pair} run in different worlds ({worlds[0]}; {worlds[1]}): paired "
                    "replicates need the same world; compare scenarios of one world")
    return ""
