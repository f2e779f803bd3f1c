"""Advice settings: the budget, the search space, the objectives and the futures.

An advice file (``advise/*.toml``) says what to search and how::

    name = "early_years_40m"
    description = "Which package gets most children to a good level of development?"
    scenario = "../scenarios/baseline.toml"   # the system packages are added to
    budget = 40.0                   # £m, present value over the horizon ("£40m" also reads)
    horizon = 36                    # months (default: the scenario's); at least the deadline
    seed = 2026                     # root seed (default: the scenario's)
    objectives = ["deadline", "horizon", "most_deprived", "p_target", "cost"]
    measure = "mean"                # what the search optimises over the futures: mean | p10

    [search]
    reforms = ["local_capacity", "devolution", "learning_accountability"]
    intensities = [0.5, 1.0]        # each reform's grid, up to its largest intensity
    starts = [0, 12, 24]            # start months: when, and so in which order
    targets = ["all"]               # targeting options (passed to each reform as `target`)
    max_reforms = 3                 # at most this many reforms in a package (default: any)
    population = 24                 # packages per generation
    generations = 10                # the initial population is the first

    [search.reform_intensities]     # a reform's own grid, replacing `intensities`
    local_capacity = [0.5, 1.0, 2.0]

    [futures]
    count = 16                      # futures in the common ensemble
    factors = "all"                 # all | assumptions | uncertainties | a list of names

Command-line flags and keyword arguments override the file (:func:`load_settings`). Every
problem raises :class:`~missionsim.errors.ScenarioError` with one line naming the file and the
key, or the flag, and what was expected. Checks that need the scenario (reform names, largest
intensities, start months within the horizon) are in :mod:`~missionsim.analysis.advise.plan`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator

from missionsim import limits, resources
from missionsim.errors import ScenarioError
from missionsim.files import Described, Strict, describe_error, error_path, read_chain, short
from missionsim.model.reforms import REFORMS

OBJECTIVES = ("deadline", "horizon", "most_deprived", "p_target", "cost")
"""The objectives an advice can optimise (:mod:`~missionsim.analysis.advise.measures`)."""
MEASURES = ("mean", "p10")
"""What the search optimises of each objective over the futures."""
FACTOR_SETS = ("all", "assumptions", "uncertainties")
"""Named sets of the factors futures vary (or a list of factor names)."""
EVERYWHERE = "all"
"""The targeting option that applies a reform in every place (no ``target`` key)."""

DEFAULT_INTENSITIES = (0.5, 1.0)
DEFAULT_STARTS = (0, 12, 24)
DEFAULT_POPULATION = 24
DEFAULT_GENERATIONS = 10
DEFAULT_FUTURES = 16
DEFAULT_RATE = 0.035  # HM Treasury Green Book (missionsim.experiments.costs.GREEN_BOOK_RATE)

DIGEST_CHARS = 16
"""Hexadecimal characters kept of the settings' SHA-256 digest."""


def parse_budget(value: Any) -> float:
    """``40``, ``40.5``, ``"£40m"``, ``"40m"`` or ``"£1,200m"`` as £m.

    Raises:
        ValueError: Not a positive amount of at most :data:`~missionsim.limits.MAX_BUDGET`.
    """
    amount = float("nan")
    if isinstance(value, str):
        cleaned = value.strip().lower().replace(",", "").removeprefix("£").removesuffix("m")
        try:
            amount = float(cleaned)
        except ValueError:
            pass
    elif isinstance(value, int | float) and not isinstance(value, bool):
        amount = float(value)
    if not 0 < amount <= limits.MAX_BUDGET:  # also refuses nan and inf
        raise ValueError(f"expected an amount in £m such as 40 or \"£40m\" (more than 0, at "
                         f"most {limits.MAX_BUDGET:g}), got {short(value)}")
    return amount


class Search(Strict):
    """What the search may choose, and the search's size.

    Attributes:
        reforms: Reforms a package may include (default: all nine).
        intensities: Intensities each reform may take (each up to its largest).
        reform_intensities: A reform's own intensities, replacing ``intensities``.
        starts: Start months a reform may take (default: 0, 12 and 24, those before the
            horizon).
        targets: Targeting options: ``"all"``, or tables passed as a reform's ``target``.
        max_reforms: The most reforms in a package (``None``: any number).
        population: Packages per generation.
        generations: Generations, the initial population the first.
    """

    reforms: list[str] = Field(default_factory=lambda: list(REFORMS), min_length=1)
    intensities: list[float] = Field(default_factory=lambda: list(DEFAULT_INTENSITIES),
                                     min_length=1, max_length=limits.MAX_GRID)
    reform_intensities: dict[str, list[float]] = Field(default_factory=dict)
    starts: list[int] | None = Field(default=None, min_length=1, max_length=limits.MAX_GRID)
    targets: list[Any] = Field(default_factory=lambda: [EVERYWHERE], min_length=1,
                               max_length=limits.MAX_GRID)
    max_reforms: int | None = Field(default=None, ge=1)
    population: int = Field(default=DEFAULT_POPULATION, ge=2, le=limits.MAX_POPULATION)
    generations: int = Field(default=DEFAULT_GENERATIONS, ge=1, le=limits.MAX_GENERATIONS)

    @field_validator("targets")
    @classmethod
    def _options(cls, value: list[Any]) -> list[Any]:
        for i, option in enumerate(value):
            if not isinstance(option, str | Mapping):
                raise ValueError(f"[{i}] {short(option)}; expected \"{EVERYWHERE}\" or a table "
                                 "of targeting settings")
        return [option if isinstance(option, str) else dict(option) for option in value]


class Futures(Strict):
    """The common ensemble of futures.

    Attributes:
        count: How many futures.
        factors: What they vary: ``"all"`` (every declared assumption and uncertainty),
            ``"assumptions"``, ``"uncertainties"``, or a list of factor names.
    """

    count: int = Field(default=DEFAULT_FUTURES, ge=1, le=limits.MAX_FUTURES)
    factors: Any = "all"

    @field_validator("factors")
    @classmethod
    def _named_set(cls, value: Any) -> Any:
        names = isinstance(value, list) and all(isinstance(v, str) for v in value) and value
        if not (value in FACTOR_SETS or names):
            raise ValueError(f"expected one of {', '.join(FACTOR_SETS)} or a list of factor "
                             f"names, got {short(value)}")
        return value


class AdviseSettings(Described):
    """Validated advice settings. Build them with :func:`load_settings`.

    Attributes:
        name: Label of the advice.
        description: One or two sentences for reports.
        scenario: The scenario packages are added to (a path, relative to the file, or a
            shipped name); the ``SCENARIO`` argument replaces it.
        budget: Public money available, £m in present value over the horizon.
        horizon: Months simulated (default: the scenario's); at least the mission's deadline.
        seed: Root seed of the futures and of the search (default: the scenario's).
        discount_rate: Discount rate a year of present values (Green Book: 0.035).
        objectives: The objectives the search optimises (a subset of :data:`OBJECTIVES`).
        measure: What it optimises of each over the futures (:data:`MEASURES`).
        search: The search space and the search's size.
        futures: The ensemble of futures.
        source: The file read (empty when none).
        given: Key path to the flag or keyword that set it (for messages).
        labels: Key path to the flag or keyword that could set it (for messages).
    """

    name: str = Field(default="advice", min_length=1)
    description: str = ""
    scenario: str | None = Field(default=None, min_length=1,
                                 max_length=limits.MAX_PATH_CHARS)
    budget: Any = None
    horizon: int | None = Field(default=None, ge=1, le=limits.MAX_HORIZON)
    seed: int | None = Field(default=None, ge=0, le=limits.MAX_SEED)
    discount_rate: float = Field(default=DEFAULT_RATE, ge=0.0, le=0.5)
    objectives: list[str] = Field(default_factory=lambda: list(OBJECTIVES), min_length=1)
    measure: str = "mean"
    search: Search = Field(default_factory=Search)
    futures: Futures = Field(default_factory=Futures)
    source: str = ""
    given: dict[str, str] = Field(default_factory=dict)
    labels: dict[str, str] = Field(default_factory=dict)

    @field_validator("budget")
    @classmethod
    def _amount(cls, value: Any) -> Any:
        return None if value is None else parse_budget(value)

    @field_validator("objectives")
    @classmethod
    def _known_objectives(cls, value: list[str]) -> list[str]:
        for i, name in enumerate(value):
            if name not in OBJECTIVES:
                raise ValueError(f"[{i}] {short(name)} is not an objective; expected some of "
                                 f"{', '.join(OBJECTIVES)}")
            if name in value[:i]:
                raise ValueError(f"[{i}] {short(name)} is listed twice; expected each once")
        return value

    @field_validator("measure")
    @classmethod
    def _known_measure(cls, value: str) -> str:
        if value not in MEASURES:
            raise ValueError(f"expected one of {', '.join(MEASURES)}, got {short(value)}")
        return value

    def where(self, path: str) -> str:
        """How a message names the setting at ``path``: its flag, or the file and the key.

        A setting no file gives and no flag sets (a required budget, say) is named by its
        flag when there is no file.
        """
        named = self.given if self.source else {**self.labels, **self.given}
        for key, label in named.items():
            if path == key or path.startswith(key + "["):  # a list's item: the value says which
                return label
            if path.startswith(key + "."):
                return f"{label} {path[len(key) + 1:]}"
        return f"{self.source or '<advice settings>'}: {path}"

    def problem(self, path: str, message: str) -> ScenarioError:
        """A one-line error about the setting at ``path``."""
        return ScenarioError(f"{self.where(path)}: {message}")

    def content(self) -> dict[str, Any]:
        """What determines the search's evaluations (not its name, description or length)."""
        data = self.model_dump(exclude={"name", "description", "source", "given", "labels",
                                         "scenario"})
        data["search"].pop("generations")  # more generations extend the same search
        return data

    def digest(self) -> str:
        """A short hash of :meth:`content`."""
        text = json.dumps(self.content(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:DIGEST_CHARS]


KEYWORDS: dict[str, str] = {
    "budget": "budget", "horizon": "horizon", "seed": "seed",
    "discount_rate": "discount_rate", "objectives": "objectives", "measure": "measure",
    "reforms": "search.reforms", "intensities": "search.intensities",
    "reform_intensities": "search.reform_intensities", "starts": "search.starts",
    "targets": "search.targets", "max_reforms": "search.max_reforms",
    "population": "search.population", "generations": "search.generations",
    "futures": "futures.count", "factors": "futures.factors",
}
"""Keyword arguments of :func:`~missionsim.analysis.advise.advise` (and, with dashes, the
flags of ``missionsim advise``) and the key each sets."""


def load_settings(settings: AdviseSettings | str | Path | Mapping[str, Any] | None = None,
                  changes: Mapping[str, Any] | None = None,
                  labels: Mapping[str, str] | None = None) -> AdviseSettings:
    """Read and validate advice settings, with changes that override them.

    Args:
        settings: An advice file (``.toml``; it may ``extends`` another), a mapping with the
            same keys, settings already validated, or ``None`` (every default).
        changes: Keyword (a key of :data:`KEYWORDS`) to value; ``None`` values are ignored.
        labels: Keyword to how messages name it (``--population``); default: the keyword.

    Raises:
        ScenarioError: One line naming the file and key, or the flag, and what was expected.
    """
    source = ""
    if isinstance(settings, AdviseSettings):
        data = settings.model_dump(exclude={"source", "given", "labels"})
        source, given = settings.source, dict(settings.given)
    elif isinstance(settings, str | Path):
        path = Path(settings)
        data = read_chain(path)
        data.setdefault("name", path.stem)
        source, given = str(path), {}
        scenario = data.get("scenario")
        if (isinstance(scenario, str) and scenario
                and resources.find_shipped(scenario, "scenarios") is None
                and not Path(scenario).is_absolute()):
            data["scenario"] = str(path.parent / scenario)
    elif isinstance(settings, Mapping) or settings is None:
        data, given = dict(settings or {}), {}
    else:
        raise ScenarioError(f"settings = {short(settings)}: expected an advice file (.toml), "
                            "a mapping or AdviseSettings")
    data.pop("extends", None)
    for key in ("source", "given", "labels"):
        if key in data:
            raise ScenarioError(f"{source or '<advice settings>'}: {key}: unknown key; "
                                f"expected one of {', '.join(_keys(AdviseSettings))}")
    for keyword, value in (changes or {}).items():
        if keyword not in KEYWORDS:
            raise TypeError(f"advise() got an unexpected keyword argument {keyword!r}")
        if value is None:
            continue
        path = KEYWORDS[keyword]
        _put(data, path, value)
        given[path] = (labels or {}).get(keyword, keyword)
    named = {path: (labels or {}).get(k, k) for k, path in KEYWORDS.items()}
    probe = AdviseSettings.model_construct(source=source, given=given, labels=named)
    try:
        return AdviseSettings.model_validate({**data, "source": source, "given": given,
                                              "labels": named})
    except ValidationError as exc:
        path, message = _explain(exc)
        raise probe.problem(path, message) from None


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    """Set the value at a dotted key path, creating tables on the way."""
    *tables, last = path.split(".")
    for name in tables:
        inner = data.get(name)
        data[name] = dict(inner) if isinstance(inner, Mapping) else {}
        data = data[name]
    data[last] = value


def _explain(exc: ValidationError) -> tuple[str, str]:
    """The first pydantic error as its key path and what was expected."""
    err = exc.errors(include_url=False)[0]
    parts = error_path(err)
    path = ""
    for part in parts:
        path += f"[{part}]" if part.isdigit() else (f".{part}" if path else part)
    text = describe_error(exc, _allowed)
    message = text.split(": ", 1)[1] if ": " in text else text
    for phrase, plain in _LISTS.items():
        if message.startswith(phrase):
            message = plain.format(*re.findall(r"\d+", message)[:1])
    if message.startswith("[") and "] " in message:  # a list item named by a validator
        index, message = message[1:].split("] ", 1)
        path += f"[{index}]"
    return path or "(top level)", message


_LISTS = {"List should have at least": "expected at least {} item(s), got none",
          "List should have at most": "expected at most {} items"}
"""pydantic's messages about a list's length, and the words a message uses instead."""


def _keys(model: type) -> list[str]:
    return [k for k in model.model_fields if k not in ("source", "given", "labels")]


def _allowed(loc: tuple) -> list[str]:
    """The keys allowed at a location (for 'unknown key' messages)."""
    tables = {"search": Search, "futures": Futures}
    if loc and str(loc[0]) in tables and len(loc) == 1:
        return _keys(tables[str(loc[0])])
    return [*_keys(AdviseSettings), "extends"] if not loc else []
