"""Mission files: a mission declared in TOML, validated on load, every figure with its source.

A mission file says what the indicator is, where it starts and how it behaves::

    title = "Cut rough sleeping by two thirds (1,850 → 617) by March 2002"
    indicator = "people sleeping rough on a single night"
    unit = "people"
    direction = "lower"            # or "raise"
    aggregate = "sum"              # a national count; "mean": a population-weighted rate
    start_label = "1998-06 (first national count)"
    baseline = 1850.0
    spread_sd = 0.6
    deprivation_effect = 4.0
    target = 617.0
    deadline = 45                  # months from month 0
    best = 150.0
    response_months = 8.0
    elasticity = 1.3               # or { calibrated = "early_years" }: a fitted value
    momentum = 0.0
    noise = 0.02
    gameability = 1.0              # 0: an administrative count that cannot be gamed … 1
    trend = [[0, 0.0]]             # optional: secular change, indicator units a year
    calibrated = "early_years"     # optional: the calibration file fitted values come from

    [displacement]                 # optional: improvement reported by moving cases elsewhere
    share = 0.3                    # share of the gaming gap that is cases moved, not misreported
    to = "hidden"                  # a hidden stock, or the name of the indicator they land in
    case_cost = 12000.0            # £ a year per displaced case

    [places]                       # optional: where a places file measures this indicator
    column = "gld"                 # its NAME_YYYY columns (missionsim.model.placesfile)
    year = 2016                    # start each place at that year's value (default: latest)
    rescale = false                # true: keep places' positions, at this baseline and `sd`
    sd = 3.55                      # with rescale: the spread across places (indicator units)

    [world]                        # the mission's own delivery system (parameter values)
    n_localities = 24

    [sources]                      # one per figure above (and per world parameter)
    baseline = "CALIBRATION B: 1,850 (June 1998)"
    "world.n_localities" = "assumption: London and the larger cities"

Reading is as strict as for scenario files (:mod:`missionsim.files`): unknown keys, wrong types
and values out of range are one-line errors naming the file and the key, and every figure must
have a source (``assumption`` where there is none). A figure written ``{ calibrated = NAME }``
takes the value ``missionsim calibrate`` fitted (a shipped calibration in ``data/calibrated/``
or a JSON file beside the mission file).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from missionsim import limits, resources
from missionsim.errors import ScenarioError
from missionsim.files import (
    Described,
    FileProblem,
    Strict,
    as_float,
    clean_name,
    clean_text,
    describe_error,
    read_settings_text,
    read_toml,
)
from missionsim.files import shown as shown_path
from missionsim.model import paths
from missionsim.model.params import PARAMETERS

CALIBRATED = resources.data_path("calibrated")
"""Folder of the calibrations shipped missions take their fitted values from: one JSON file per
fit, written by ``missionsim calibrate`` (values, fit per target, provenance)."""

FITTABLE = ("spread_sd", "deprivation_effect", "response_months", "elasticity", "momentum",
            "noise", "gameability")
"""Figures a mission file may take from a calibration (``{ calibrated = NAME }``)."""

FIGURES = ("baseline", "spread_sd", "deprivation_effect", "target", "deadline", "best",
           "response_months", "elasticity", "momentum", "noise", "gameability")
"""The figures every mission file gives, each with a source."""

MAX_TREND = 1e6  # structural: a bound on input
"""Largest secular trend allowed (indicator units a year): a bound on input, not a model
choice."""


class Fitted(Strict):
    """A figure taken from a calibration: ``{ calibrated = "early_years" }``."""

    calibrated: str = Field(min_length=1, max_length=limits.MAX_NAME_CHARS)


Number = Annotated[float, Field(allow_inf_nan=False)]
Figure = Number | Fitted


class Displacement(Strict):
    """Improvement reported by moving cases elsewhere, and where those cases go.

    Attributes:
        share: Share of the reported improvement that gaming shows (the reported–true gap)
            which is cases moved elsewhere rather than misreported, in [0, 1].
        to: ``"hidden"`` (a stock nobody reports) or the name of the indicator the cases land in.
        case_cost: Public cost of one displaced case for a year (£).
        unit: What one case is (``"child"``, ``"person"``, ``"patient"``).
        per: For a rate (a ``mean`` mission), the number of people the rate is per (100 for a
            percentage); absent for a count.
    """

    share: float = Field(ge=0.0, le=1.0)
    to: str = Field(min_length=1, max_length=limits.MAX_NAME_CHARS)
    case_cost: float = Field(ge=0.0, le=limits.MAX_BUDGET * 1e6)  # unit: £ per £m (a bound)
    unit: str = Field(min_length=1, max_length=limits.MAX_NAME_CHARS)
    per: float | None = Field(default=None, gt=0.0, le=1e9)  # structural: a bound on input

    @field_validator("share", "case_cost", "per", mode="before")
    @classmethod
    def _int_is_float(cls, value: Any) -> Any:
        return as_float(value)


class PlacesSpec(Strict):
    """Where a places file measures the mission's indicator, and how places start from it.

    On a world built from a places file (:mod:`missionsim.model.placesfile`) each place starts
    from its own observed value of ``column`` in ``year`` (default: the file's latest year).
    With ``rescale`` the places keep their relative positions (cohort-weighted z-scores) but
    are moved to the mission's baseline and spread ``sd``: for a measure whose level changed
    (a reformed assessment) while councils' positions persist. Worlds without a places file
    draw places as usual.
    """

    column: Literal["gld", "gld_fsm", "gld_other", "takeup_2yo", "takeup_3_4yo"]
    year: int | None = Field(default=None, ge=1900, le=2200)  # structural: a bound on input
    rescale: bool = False
    sd: float | None = Field(default=None, ge=0.0, le=1e6)  # structural: a bound on input

    @field_validator("sd", mode="before")
    @classmethod
    def _int_is_float(cls, value: Any) -> Any:
        return as_float(value)

    @model_validator(mode="after")
    def _sd_with_rescale(self) -> PlacesSpec:
        if self.rescale and self.sd is None:
            raise ValueError("places.sd: missing; expected the spread across places (indicator "
                             "units) that rescale = true moves the observed positions to")
        if not self.rescale and self.sd is not None:
            raise ValueError("places.sd: given without rescale = true; expected it only when the "
                             "places are rescaled")
        return self


class MissionFile(Described):
    """The schema of a mission file (see the module docstring)."""

    name: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str = ""
    indicator: str = Field(min_length=1, max_length=limits.MAX_NAME_CHARS)
    unit: str = Field(min_length=1, max_length=limits.MAX_NAME_CHARS)
    direction: Literal["raise", "lower"]
    aggregate: Literal["mean", "sum"]
    start_label: str = Field(min_length=1, max_length=limits.MAX_NAME_CHARS)
    baseline: Number
    spread_sd: Figure = Field(union_mode="left_to_right")
    deprivation_effect: Figure = Field(union_mode="left_to_right")
    target: Number
    deadline: int = Field(ge=1, le=limits.MAX_HORIZON)
    best: Number
    response_months: Figure = Field(union_mode="left_to_right")
    elasticity: Figure = Field(union_mode="left_to_right")
    momentum: Figure = Field(union_mode="left_to_right")
    noise: Figure = Field(union_mode="left_to_right")
    gameability: Figure = Field(union_mode="left_to_right")
    trend: list[list[Any]] | None = None
    displacement: Displacement | None = None
    places: PlacesSpec | None = None
    world: dict[str, bool | int | float] = Field(default_factory=dict)
    sources: dict[str, str] = Field(default_factory=dict)

    @field_validator("baseline", "target", "best", "spread_sd", "deprivation_effect",
                     "response_months", "elasticity", "momentum", "noise", "gameability",
                     mode="before")
    @classmethod
    def _int_is_float(cls, value: Any) -> Any:
        return as_float(value)

    @field_validator("title", "indicator", "unit", "start_label", mode="before")
    @classmethod
    def _clean_label(cls, value: Any) -> Any:
        return clean_name(value)

    @field_validator("sources")
    @classmethod
    def _sources_are_text(cls, value: dict[str, str]) -> dict[str, str]:
        for key, text in value.items():
            if not text.strip():
                raise ValueError(f"{key}: expected a source (or \"assumption\"), got ''")
            clean_text(text)
        return value

    @field_validator("trend")
    @classmethod
    def _trend_is_a_path(cls, value: Any) -> Any:
        if value is None:
            return value
        return paths.as_lists(paths.check_path(value, "path", -MAX_TREND, MAX_TREND))

    @model_validator(mode="after")
    def _consistent(self) -> MissionFile:
        def fixed(name: str) -> float | None:
            value = getattr(self, name)
            return None if isinstance(value, Fitted) else value

        for name in ("spread_sd", "response_months", "noise"):
            value = fixed(name)
            if value is not None and not value >= 0.0:
                raise ValueError(f"{name} = {value:g}: expected a value ≥ 0")
        if (value := fixed("response_months")) is not None and value <= 0.0:
            raise ValueError(f"response_months = {value:g}: expected a value > 0")
        if (value := fixed("gameability")) is not None and not 0.0 <= value <= 1.0:
            raise ValueError(f"gameability = {value:g}: expected a value in [0, 1] (0: an "
                             "administrative count that cannot be gamed)")
        up = self.direction == "raise"
        if (self.best - self.baseline) * (1 if up else -1) <= 0:
            raise ValueError(f"best = {self.best:g}: expected a value "
                             f"{'above' if up else 'below'} the baseline ({self.baseline:g}) for "
                             f"a mission that {'raises' if up else 'lowers'} its indicator")
        if (self.target - self.baseline) * (1 if up else -1) <= 0 or (
                (self.best - self.target) * (1 if up else -1) < 0):
            raise ValueError(f"target = {self.target:g}: expected a value between the baseline "
                             f"({self.baseline:g}) and the best value ({self.best:g})")
        d = self.displacement
        if d is not None and (d.per is None) == (self.aggregate == "mean"):
            raise ValueError("displacement.per: expected the population the rate is per (100 "
                             "for a percentage) for a \"mean\" mission, and no per for a count"
                             " (\"sum\")")
        if self.aggregate == "sum" and self.baseline <= 0:
            raise ValueError(f"baseline = {self.baseline:g}: expected a count > 0 for a mission "
                             "whose aggregate is \"sum\"")
        return self


def _allowed(loc: tuple) -> list[str]:
    if loc and loc[0] == "displacement":
        return list(Displacement.model_fields)
    if loc and loc[0] == "places":
        return list(PlacesSpec.model_fields)
    return list(MissionFile.model_fields)


def _calibration_values(ref: str, folder: Path, where: str) -> tuple[dict[str, float], str]:
    """The fitted values of a calibration named by ``ref`` and a line saying where from."""
    shipped = CALIBRATED / f"{ref}.json"
    path = shipped if "/" not in ref and shipped.is_file() else folder / ref
    try:
        data = json.loads(read_settings_text(path, ".json"))
        values = {str(k): float(v) for k, v in data["values"].items()}
    except FileProblem as exc:
        raise ScenarioError(f"{where}: calibration {ref!r} is not a shipped calibration "
                            f"({', '.join(sorted(p.stem for p in CALIBRATED.glob('*.json')))}) "
                            f"nor a calibration file: {shown_path(path)}: {exc}") from None
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise ScenarioError(f"{where}: calibration {ref!r} is not a shipped calibration nor a "
                            "readable calibration file (JSON with \"values\", written by "
                            "missionsim calibrate)") from None
    when = ""
    for part in ("provenance", "procedure"):  # a mission fit's provenance, or the shipped one's
        entry = data.get(part) if isinstance(data, dict) else None
        if isinstance(entry, dict) and isinstance(entry.get("date"), str) and not when:
            when = entry["date"][:limits.MAX_NAME_CHARS]
    label = "calibrated/" + path.name if path == shipped else shown_path(path)
    return values, f"fitted by missionsim calibrate ({label}{', ' + when if when else ''})"


def read_mission(path: str | Path) -> dict[str, Any]:
    """Read and check a mission file; return the fields of a :class:`~.missions.Mission`.

    Raises:
        ScenarioError: One line naming the file, the key and what was expected.
    """
    path = Path(path)
    where = shown_path(path)
    data = read_toml(path)
    data.setdefault("name", path.stem)
    try:
        spec = MissionFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        if not first["loc"]:  # a check across figures: its message names them
            text = str(first["msg"]).removeprefix("Value error, ")
            raise ScenarioError(f"{where}: {text}") from None
        raise ScenarioError(f"{where}: {describe_error(exc, _allowed)}") from None
    fields: dict[str, Any] = spec.model_dump(exclude={"direction", "trend", "displacement",
                                                      "places", "world", "sources",
                                                      "description"})
    sources = dict(spec.sources)
    cache: dict[str, tuple[dict[str, float], str]] = {}
    for name in FITTABLE:
        value = getattr(spec, name)
        if isinstance(value, Fitted):
            ref = value.calibrated
            if ref not in cache:
                cache[ref] = _calibration_values(ref, path.parent, f"{where}: {name}")
            fitted, label = cache[ref]
            if name not in fitted:
                raise ScenarioError(f"{where}: {name}: calibration {ref!r} did not fit "
                                    f"{name}; it fitted {', '.join(sorted(fitted))}")
            fields[name] = fitted[name]
            sources.setdefault(name, label)
    for name, value in spec.world.items():
        key = f"world.{name}"
        if name not in PARAMETERS:
            raise ScenarioError(f"{where}: {key}: unknown parameter; see `missionsim list "
                                "parameters`")
        try:
            PARAMETERS[name].check(value, where="")
        except ValueError as exc:
            raise ScenarioError(f"{where}: {key}: {str(exc).split(': ', 1)[-1]}, got "
                                f"{value!r}") from None
    needed = [*FIGURES, *(["trend"] if spec.trend is not None else []),
              *(["displacement"] if spec.displacement is not None else []),
              *(["places"] if spec.places is not None else []),
              *[f"world.{name}" for name in spec.world]]
    for key in needed:
        if key not in sources:
            raise ScenarioError(f"{where}: sources.{key if '.' not in key else repr(key)}: "
                                f"missing; every figure needs a source (or \"assumption\")")
    extra = sorted(set(sources) - set(needed) - {"title", "target", "deadline"})
    if extra:
        raise ScenarioError(f"{where}: sources.{extra[0]}: no such figure in the file; "
                            f"expected one of {', '.join(needed)}")
    for name in ("response_months",):
        if not (math.isfinite(fields[name]) and fields[name] > 0.0):
            raise ScenarioError(f"{where}: {name}: expected a value > 0, got {fields[name]!r}")
    fields.update(
        direction=1 if spec.direction == "raise" else -1,
        trend=paths.check_path(spec.trend, "trend") if spec.trend is not None else (),
        displacement=spec.displacement.model_dump() if spec.displacement is not None else None,
        places=spec.places.model_dump() if spec.places is not None else None,
        world=dict(spec.world),
        sources=sources,
        file=str(path),
        description=spec.description,
    )
    return fields
