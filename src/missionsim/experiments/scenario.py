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

import errno
import hashlib
import json
import math
import re
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from missionsim import limits, resources
from missionsim.errors import ScenarioError
from missionsim.model.missions import MISSIONS
from missionsim.model.params import PARAMETERS, PRESETS, WORLD_SIZE, resolve
from missionsim.model.reforms import REFORMS

MAX_HORIZON = limits.MAX_HORIZON
MAX_REPLICATES = limits.MAX_REPLICATES
MAX_EXTENDS_DEPTH = limits.MAX_EXTENDS_DEPTH



class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _as_float(value: Any) -> Any:
    """Numbers as floats (an integer too large for a float stays as it is, to be refused)."""
    if not _number(value):
        return value
    try:
        return float(value)
    except OverflowError:
        return value


_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def key_path(parts: Any) -> str:
    """A TOML-style dotted key path, quoting keys that need it.

    Quoting keeps a message on one line whatever the keys contain.
    """
    out = []
    for part in parts:
        text = str(part)
        if len(text) > limits.MAX_KEY_CHARS:
            text = text[:limits.MAX_KEY_CHARS - 1] + "…"
        out.append(text if _PLAIN_KEY.match(text) else json.dumps(text, ensure_ascii=False))
    return ".".join(out)


def short(value: Any, limit: int = limits.MAX_QUOTED_CHARS) -> str:
    """``repr(value)`` on one line, shortened to ``limit`` characters."""
    return limits.quote(value, limit)


def _one_of(value: str, registry: Mapping[str, Any], what: str) -> str:
    if value not in registry:
        raise ValueError(f"{short(value)} is not a {what}; expected one of "
                         f"{', '.join(sorted(registry))}")
    return value


def clean_name(value: Any) -> Any:
    """A name with surrounding spaces stripped, if it is a printable one-line string.

    Names label tables, reports and run ids, so ``"base"`` and ``"base "`` must be one name
    and a name must not carry control or direction-changing characters.

    Raises:
        ValueError: The name is empty, too long, or not printable on one line.
    """
    if not isinstance(value, str):
        return value  # the type check reports it
    name = value.strip()
    if not name:
        raise ValueError("expected a non-empty name")
    if len(name) > limits.MAX_NAME_CHARS:
        raise ValueError(f"expected a name of at most {limits.MAX_NAME_CHARS} characters, got "
                         f"{len(name):,}")
    if not name.isprintable():
        raise ValueError(f"expected a name of printable characters on one line, got "
                         f"{short(name)}")
    return name


def clean_text(value: Any) -> Any:
    """Free text (a description): stripped, bounded, and free of control characters.

    Raises:
        ValueError: The text is too long or holds control or direction-changing characters.
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    if len(text) > limits.MAX_TEXT_CHARS:
        raise ValueError(f"expected at most {limits.MAX_TEXT_CHARS:,} characters, got "
                         f"{len(text):,}")
    if not all(ch.isprintable() or ch in "\n\t" for ch in text):
        raise ValueError("expected printable text (line breaks allowed), got control or "
                         "direction-changing characters")
    return text


class ReformSpec(_Strict):
    """One reform's settings in a scenario.

    Attributes:
        start: First month in which the reform acts.
        end: First month in which it no longer acts (absent: to the end of the run).
        intensity: Strength in [0, 1].
        enabled: ``false`` switches off a reform inherited through ``extends``.
    """

    start: int = Field(default=0, ge=0)
    end: int | None = Field(default=None, ge=1, le=MAX_HORIZON)
    intensity: float = Field(default=1.0, ge=0.0, le=1.0)
    enabled: bool = True

    @field_validator("intensity", mode="before")
    @classmethod
    def _int_is_float(cls, value: Any) -> Any:
        return _as_float(value)

    @model_validator(mode="after")
    def _end_after_start(self) -> ReformSpec:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"end = {self.end}: expected a month after start ({self.start})")
        return self

    def settings(self) -> dict[str, Any]:
        """The settings the model takes (``start``, ``end``, ``intensity``)."""
        return {"start": self.start, "end": self.end, "intensity": self.intensity}


class Uncertainty(_Strict):
    """A parameter drawn uniformly from ``[low, high]`` once per replicate."""

    low: float
    high: float

    @field_validator("low", "high", mode="before")
    @classmethod
    def _int_is_float(cls, value: Any) -> Any:
        return _as_float(value)

    @model_validator(mode="after")
    def _ordered(self) -> Uncertainty:
        if not math.isfinite(self.low):
            raise ValueError(f"low = {self.low}: expected a finite number")
        if not math.isfinite(self.high) or self.high < self.low:
            raise ValueError(f"high = {self.high}: expected a finite number ≥ low ({self.low})")
        return self


class World(_Strict):
    """The world a scenario runs in: a preset and parameter overrides."""

    preset: str = "workshop"
    params: dict[str, bool | int | float] = Field(default_factory=dict)

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, value: str) -> str:
        return _one_of(value, PRESETS, "preset")


class Scenario(_Strict):
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
        source: The file it was loaded from (empty for a scenario built in Python).
    """

    name: str = Field(default="scenario", min_length=1)
    description: str = ""
    mission: str = "early_years"
    world: World = Field(default_factory=World)
    reforms: dict[str, ReformSpec] = Field(default_factory=dict)
    uncertainties: dict[str, Uncertainty] = Field(default_factory=dict)
    horizon: int = Field(default=120, ge=1, le=MAX_HORIZON)
    replicates: int = Field(default=10, ge=1, le=MAX_REPLICATES)
    seed: int = Field(default=2026, ge=0, le=2**63 - 1)
    source: str = ""

    @field_validator("mission")
    @classmethod
    def _known_mission(cls, value: str) -> str:
        return _one_of(value, MISSIONS, "mission")

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
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def with_changes(self, **changes: Any) -> Scenario:
        """A validated copy with top-level fields replaced (e.g. ``horizon=36``)."""
        data = self.model_dump(exclude={"source"})
        data.update(changes)
        return Scenario.from_mapping(data, source=self.source or "<scenario>")

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
    loc = [str(part) for part in err["loc"]
           if not (str(part).startswith("function-") and "[" in str(part))]
    kind = err["type"]
    value = err.get("input")
    # world.params values are a union (bool | int | float): pydantic adds the member's name
    union = len(loc) == 4 and loc[:2] == ["world", "params"]
    if union:
        loc = loc[:-1]
    path = key_path(loc)
    if union:
        return f"{path}: expected a number or true/false, got {short(value)}"
    if kind == "extra_forbidden":
        parent = err["loc"][:-1]
        allowed = _allowed_keys(parent)
        hint = f"; expected one of {', '.join(allowed)}" if allowed else ""
        return f"{path or '(top level)'}: unknown key{hint}"
    if kind == "missing":
        return f"{path}: required key is missing"
    message = err["msg"]
    message = message.removeprefix("Value error, ")
    replacements = {
        "Input should be a valid integer": "expected a whole number",
        "Input should be a valid number": "expected a number",
        "Input should be a valid string": "expected a string",
        "Input should be a valid boolean": "expected true or false",
        "Input should be a valid dictionary or instance of": "expected a table",
        "Input should be a valid dictionary": "expected a table",
        "Input should be greater than or equal to": "expected a value ≥",
        "Input should be less than or equal to": "expected a value ≤",
        "Input should be greater than": "expected a value >",
        "String should have at least 1 character": "expected a non-empty string",
    }
    for old, new in replacements.items():
        if message.startswith(old):
            message = new + ("" if new == "expected a table" else message[len(old):])
            break
    message = message.split(" [")[0]
    if kind.startswith(("int_", "float_", "string_", "bool_", "dict_", "model_", "greater",
                        "less", "too_short")):
        message = f"{message}, got {short(value)}"
    return f"{path or '(top level)'}: {message}"


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


# --- files ----------------------------------------------------------------------------------
class FileProblem(Exception):
    """Why a path cannot be read as a TOML settings file (the text completes "PATH: ...")."""


_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _shown(path: Path) -> str:
    """A path for a one-line message: as given when short and printable, else quoted."""
    text = str(path)
    return text if text.isprintable() and len(text) <= 200 else short(text, 200)


def read_settings(path: Path) -> dict[str, Any]:
    """Read a TOML settings file within the input limits, or raise :class:`FileProblem`.

    Only regular files (or links to them) of at most :data:`~missionsim.limits.MAX_FILE_BYTES`
    are opened, so a FIFO, a device such as ``/dev/zero`` or a huge file is refused unread.
    A UTF-8 byte-order mark is accepted; tables and arrays may nest at most
    :data:`~missionsim.limits.MAX_NESTING` deep; a file with no settings is refused.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        raise FileProblem("no such file") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise FileProblem("a loop of symbolic links, expected a .toml file") from None
        raise FileProblem(f"cannot read ({exc.strerror})") from None
    except ValueError:  # an embedded NUL
        raise FileProblem("not a valid path") from None
    if stat.S_ISDIR(info.st_mode):
        raise FileProblem("is a folder, expected a .toml file")
    for test, kind in _KINDS:
        if test(info.st_mode):
            raise FileProblem(f"is {kind}, expected a regular .toml file")
    if not stat.S_ISREG(info.st_mode):
        raise FileProblem("is not a regular file, expected a .toml file")
    if info.st_size > limits.MAX_FILE_BYTES:
        raise FileProblem(f"is {info.st_size:,} bytes; expected a settings file of at most "
                          f"{limits.MAX_FILE_BYTES:,} bytes")
    try:
        with open(path, "rb") as handle:
            raw = handle.read(limits.MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise FileProblem(f"cannot read ({exc.strerror})") from None
    if len(raw) > limits.MAX_FILE_BYTES:  # it grew since stat
        raise FileProblem(f"is over {limits.MAX_FILE_BYTES:,} bytes; expected a smaller file")
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark, as Windows editors write, is fine
    except UnicodeDecodeError:
        raise FileProblem("not UTF-8 text, expected a TOML file") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FileProblem(f"not valid TOML ({short(str(exc), 120)[1:-1]})") from None
    except RecursionError:
        raise FileProblem(f"nested more than {limits.MAX_NESTING} levels deep") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise FileProblem(f"not valid TOML ({short(str(exc), 120)[1:-1]})") from None
    depth = nesting(data)
    if depth > limits.MAX_NESTING:
        raise FileProblem(f"nested {depth} levels deep; expected at most {limits.MAX_NESTING}")
    if not data:
        raise FileProblem("holds no settings (empty or only comments)")
    return data


def nesting(value: Any) -> int:
    """How deeply tables and arrays nest in ``value`` (0 for a plain value); iterative."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth + 1)
        if depth + 1 <= limits.MAX_NESTING:  # deeper is refused anyway: stop counting
            stack.extend((child, depth + 1) for child in children)
    return deepest


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML settings file; any problem raises :class:`ScenarioError` naming the file."""
    try:
        return read_settings(Path(path))
    except FileProblem as exc:
        raise ScenarioError(f"{_shown(Path(path))}: {exc}") from None


def merge(base: Mapping[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    """Merge two TOML tables key by key; values in ``child`` win, tables merge recursively."""
    out = dict(base)
    for key, value in child.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def read_chain(path: str | Path, _stack: tuple[Path, ...] = (),
               _first: Path | None = None) -> dict[str, Any]:
    """Read a TOML file and everything it ``extends``, merged, without validating it.

    Raises:
        ScenarioError: For a file that cannot be read (see :func:`read_settings`), a bad
            ``extends`` or a cycle. A problem with a file named by ``extends`` names the file
            that extends it, the key and the target.
    """
    path = Path(path)
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError, ValueError):  # a loop of links; a NUL in the path
        resolved = path.absolute()
    # the first file's problems name it; a parent's go to the file that extends it (below)
    data = read_settings(path) if _stack else read_toml(path)
    parent = data.get("extends")
    if parent is None:
        return data
    where = f"{_shown(path)}: extends"
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(f"{where}: expected the path of another scenario file, got "
                            f"{short(parent)}")
    parent_path = path.parent / parent
    try:
        parent_resolved = parent_path.resolve()
    except (OSError, RuntimeError, ValueError):
        parent_resolved = parent_path
    if parent_resolved in (*_stack, resolved):  # named by the file the user gave
        cycle = " → ".join(p.name for p in (*_stack, resolved, parent_resolved))
        raise ScenarioError(f"{_shown(_first or path)}: extends: cycle of files ({cycle})")
    if len(_stack) + 1 >= limits.MAX_EXTENDS_DEPTH:  # named by the file the user gave
        raise ScenarioError(f"{_shown(_first or path)}: extends: chain longer than "
                            f"{limits.MAX_EXTENDS_DEPTH} files")
    try:
        base = read_chain(parent_path, (*_stack, resolved), _first or path)
    except FileProblem as exc:
        raise ScenarioError(f"{where}: {short(parent)} ({_shown(parent_path)}): {exc}") from None
    base.pop("name", None)  # a name belongs to its own file
    base.pop("description", None)
    child = {k: v for k, v in data.items() if k != "extends"}
    return merge(base, child)


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
