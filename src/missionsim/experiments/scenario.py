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
    intensity = 1.0                    # or a path of [month, value] points: [[0, 0.3], [24, 1]]

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
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from missionsim import limits, resources
from missionsim.errors import ScenarioError
from missionsim.experiments.scenario_tables import (
    ReformSpec,
    Title,
    Uncertainty,
    World,
    check_target_places,
    readable_title,
)
from missionsim.files import Described, error_path, key_path, read_chain, short
from missionsim.files import describe_error as describe_schema_error
from missionsim.model import paths
from missionsim.model.missions import MISSIONS, Mission, get_mission
from missionsim.model.params import PARAMETERS, PRESET_PLACES, WORLD_SIZE, resolve
from missionsim.model.placesfile import PlacesData, PlacesError, load_places, shipped_places
from missionsim.model.reforms import REFORMS, check_policy
from missionsim.model.reforms.policy import check_intensity, shown
from missionsim.model.reforms.targeting import Target

MAX_HORIZON = limits.MAX_HORIZON
MAX_INTENSITY = limits.MAX_INTENSITY
MAX_REPLICATES = limits.MAX_REPLICATES
MAX_EXTENDS_DEPTH = limits.MAX_EXTENDS_DEPTH

DIGEST_CHARS = 16
"""Hexadecimal characters kept of a scenario's SHA-256 digest (64 bits: collisions between
the scenarios of one study are out of reach)."""


class Scenario(Described):
    """A validated scenario. Build one with :func:`load_scenario` or :meth:`from_mapping`.

    Attributes:
        name: Label used in tables and reports (defaults to the file's stem).
        title: A short plain name for pickers and tables ("Devolution alone"; default: the
            name made readable, :func:`~.scenario_tables.readable_title`).
        description: One or two sentences for reports.
        mission: A key of :data:`missionsim.MISSIONS`, or the path of a mission file (a
            relative path is read from the scenario file's folder).
        world: Preset and parameter overrides.
        reforms: Reform name to settings.
        policy: Policy settings that change over the run: a name of
            :data:`~missionsim.model.reforms.base.PATH_SETTINGS` to a number or a path of
            ``[month, value]`` points within the parameter's bounds (:meth:`policy_paths`).
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
    title: Title = "Scenario"
    description: str = ""
    mission: str = "early_years"
    world: World = Field(default_factory=World)
    reforms: dict[str, ReformSpec] = Field(default_factory=dict)
    policy: dict[str, Any] = Field(default_factory=dict)  # checked by _check_names
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
        if value.endswith(".toml"):
            return value  # a mission file, read by _check_names
        if value not in MISSIONS:
            raise ValueError(f"{short(value)} is not a mission; expected one of "
                             f"{', '.join(sorted(MISSIONS))} or a mission file (.toml)")
        return value

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
        data.setdefault("title", readable_title(str(data.get("name", "scenario"))))
        if "source" in data:
            raise ScenarioError(f"{source}: source: unknown key; expected one of "
                                f"{', '.join(_allowed_keys(()))}")
        data["source"] = source if source != "<scenario>" else ""
        mission = data.get("mission")
        if (isinstance(mission, str) and mission.endswith(".toml") and data["source"]
                and not Path(mission).is_absolute()):
            data["mission"] = str((Path(data["source"]).parent / mission).resolve())
        world = data.get("world")
        places = world.get("places") if isinstance(world, Mapping) else None
        if (isinstance(places, str) and places and data["source"]
                and resources.find_shipped(places, "places") is None
                and not Path(places).is_absolute()):
            data["world"] = {**world,
                             "places": str((Path(data["source"]).parent / places).resolve())}
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

    def policy_paths(self) -> dict[str, paths.Path]:
        """The ``[policy]`` settings as checked paths (a number is a constant path)."""
        return check_policy(self.policy)

    def content(self) -> dict[str, Any]:
        """What determines the results (not the name, description, source or replicates)."""
        return {
            "mission": self.mission if self.mission in MISSIONS else
            self.mission_record().content(),
            "preset": self.world.preset,
            **({"places": self.places_content()} if self.world.places else {}),
            "params": {k: PARAMETERS[k].check(v) for k, v in sorted(self.world.params.items())},
            "reforms": dict(sorted(self.reform_settings().items())),
            "uncertainties": {k: [u.low, u.high] for k, u in sorted(self.uncertainties.items())},
            "horizon": self.horizon,
            **({"policy": {k: paths.as_lists(v) for k, v in sorted(self.policy_paths().items())}}
               if self.policy else {}),  # absent when empty: digests of older files stay
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

    def places_data(self) -> PlacesData | None:
        """The places file the world is built from (its own, or its preset's), or ``None``."""
        name = self.world.places or PRESET_PLACES.get(self.world.preset)
        return None if name is None else load_places(name)

    def places_content(self) -> str | dict[str, str]:
        """How :meth:`content` records the world's places file.

        A shipped file by its name; a file of the user's by its name and the SHA-256 of its
        bytes, so that editing it changes the digest.
        """
        name = self.world.places
        if name in shipped_places():
            return name
        data = Path(name).read_bytes()
        return {"file": Path(name).name, "sha256": hashlib.sha256(data).hexdigest()}

    def mission_record(self) -> Mission:
        """The mission the scenario pursues (a shipped one, or read from its mission file)."""
        return get_mission(self.mission)

    def mission_name(self) -> str:
        """The mission's name (a shipped mission's key, or the name its file gives)."""
        return self.mission if self.mission in MISSIONS else self.mission_record().name

    def mission_manifest(self) -> dict[str, Any]:
        """How a study's manifest records the mission: its name, and a mission file's record.

        The record lets the results be read in another process without the file.
        """
        if self.mission in MISSIONS:
            return {"mission": self.mission}
        return {"mission": self.mission_name(), "mission_file": self.mission_record().record()}

    def max_intensity(self, reform: str) -> float:
        """The largest intensity ``reform`` may take in this scenario.

        That is its declared ``<reform>_max_intensity``, or the scenario's own value for it.
        """
        key = f"{reform}_max_intensity"
        return self.world.params.get(key, PARAMETERS[key].default)

    def summary(self) -> str:
        """One line: mission, preset, reforms with their timings, policy paths.

        A path is shown by its values in order: ``×0.3→1→0.5``.
        """
        parts = []
        for name, s in self.reform_settings().items():
            when = f"{s['start']}–{s['end']}" if s["end"] is not None else f"{s['start']}+"
            where = f", in {Target.parse(s['target'], name).describe()}" if "target" in s else ""
            parts.append(f"{name} (×{shown(s['intensity'])}, months {when}{where})")
        reforms = "; ".join(parts) if parts else "no reforms"
        policy = "".join(f"; {k} {shown(v)}" for k, v in self.policy_paths().items())
        mission = self.mission if self.mission in MISSIONS else (
            f"{self.mission_name()} ({Path(self.mission).name})")
        world = self.world.preset + (f" with places {Path(self.world.places).stem}"
                                     if self.world.places else "")
        return f"{mission} on {world}: {reforms}{policy}"


def _check_names(scenario: Scenario, source: str) -> None:
    """Reform, parameter and uncertainty names and values against the registries, and size."""
    if scenario.mission not in MISSIONS:
        try:
            scenario.mission_record()
        except ScenarioError as exc:
            raise ScenarioError(f"{source}: mission: {exc}") from None
    for name in scenario.reforms:
        if name not in REFORMS:
            raise ScenarioError(f"{source}: {key_path(['reforms', name])}: unknown reform; "
                                f"expected one of "
                                f"{', '.join(sorted(REFORMS))}")
    for name, spec in scenario.reforms.items():
        if spec.target is not None and not REFORMS[name].targetable:
            raise ScenarioError(f"{source}: {key_path(['reforms', name, 'target'])}: {name} acts "
                                "on national money flows or the centre and cannot be targeted "
                                "at places; remove target")
        if spec.enabled and spec.start >= scenario.horizon:
            raise ScenarioError(f"{source}: {key_path(['reforms', name, 'start'])}: month "
                                f"{spec.start:,} is at or after the horizon ({scenario.horizon} "
                                "months), so the reform would never act; expected a month < "
                                f"{scenario.horizon}")
    check_target_places(scenario, source)
    for name, value in scenario.world.params.items():
        if name not in PARAMETERS:
            raise ScenarioError(f"{source}: {key_path(['world', 'params', name])}: unknown "
                                "parameter; see `missionsim list parameters`")
        try:
            PARAMETERS[name].check(value, where="")
        except ValueError as exc:
            raise ScenarioError(f"{source}: world.params.{name}: "
                                f"{str(exc).split(': ', 1)[-1]}, got {short(value)}") from None
    try:
        for name, spec in scenario.reforms.items():
            top = scenario.max_intensity(name) if spec.enabled else MAX_INTENSITY
            check_intensity(spec.intensity, key_path(["reforms", name, "intensity"]), top,
                            f"{name}_max_intensity")
        check_policy(scenario.policy, taken=[*scenario.world.params, *scenario.uncertainties])
    except ValueError as exc:
        raise ScenarioError(f"{source}: {exc}") from None
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
        places = scenario.places_data()
    except PlacesError as exc:
        raise ScenarioError(f"{source}: world.places: {exc}") from None
    size = None if places is None else (places.n, float(places.cohort.sum()))
    try:
        resolve(scenario.world.preset, largest, scenario.mission_record().world, size)
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
