"""The claims catalogue: claims, arms, measures and sub-claims, read from ``data/claims.toml``.

The file is data (see its opening comment for each table). :func:`catalogue` reads it once,
checks its shape (:mod:`missionsim.analysis.datafiles`) and every reference between its parts
(a sub-claim's arms, measure, timing, sections and claim; an arm's scenario file, parameters
and reforms), and returns the records below.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from missionsim.analysis.datafiles import Entry, check, load, one_of
from missionsim.experiments.scenario import Scenario, load_scenario, shipped, shipped_dir
from missionsim.model.missions import MISSIONS
from missionsim.model.params import PARAMETERS
from missionsim.model.reforms import REFORMS

FILE = "claims.toml"
"""The catalogue's file in ``missionsim/data/``."""

TIMINGS = {
    "deadline": "at the mission's deadline",
    "end": "at the end of the run",
    "last_year": "mean over the last 12 months",
    "to_deadline": "mean over the months up to the deadline",
    "whole_run": "mean over every month of the run",
}
"""When a measure is read, by key (:func:`missionsim.analysis.claims.values` reads each)."""


# --- the records ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Claim:
    """One claim of the design brief's §1 table.

    Attributes:
        key: Short identifier (``C1`` … ``C6``), the prefix of its sub-claims' ids.
        title: A few words for headings.
        source: The article the claim comes from.
        text: The claim as the brief states it.
        needs: What the brief says the model needs to express it.
        gaps: Parts of the claim the model does not express (empty: none).
    """

    key: str
    title: str
    source: str
    text: str
    needs: str
    gaps: str = ""


@dataclass(frozen=True)
class Arm:
    """One side of a comparison: a shipped scenario file with stated changes.

    Attributes:
        name: Scenario name in the study (unique; the same name always means the same arm).
        base: Stem of the shipped scenario file it starts from (``scenarios/<base>.toml``).
        label: A few words for tables ("devolution, high-capacity world").
        params: Parameter overrides added to the file's ``[world.params]``.
        reforms: Reforms added (or replaced) with their settings (``start``, ``intensity``, …).
        pinned: Keep the file's preset even when the study runs another world (for arms whose
            parameters are national figures, such as extra mission money in £m).
    """

    name: str
    base: str
    label: str
    params: Mapping[str, Any] = field(default_factory=dict)
    reforms: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    pinned: bool = False

    def describe(self) -> str:
        """The arm as a reader can rebuild it: the file plus its changes."""
        changes = [f"`{k}` = {v:g}" if isinstance(v, int | float) else f"`{k}` = {v}"
                   for k, v in self.params.items()]
        for name, settings in self.reforms.items():
            extra = ", ".join(f"{k} {v}" for k, v in settings.items())
            changes.append(f"`{name}`" + (f" ({extra})" if extra else ""))
        path = shipped().get(self.base)
        where = path.relative_to(shipped_dir()).as_posix() if path else f"{self.base}.toml"
        text = f"`scenarios/{where}`"
        return text + (" with " + ", ".join(changes) if changes else "")

    def scenario(self, preset: str | None = None, horizon: int | None = None) -> Scenario:
        """The validated :class:`~missionsim.experiments.scenario.Scenario` of this arm.

        Args:
            preset: Run in this world instead of the file's (ignored for a pinned arm).
            horizon: Months to run instead of the file's; never shorter than the mission's
                deadline, so that effects at the deadline always exist.

        Raises:
            KeyError: ``base`` is not a shipped scenario file.
            ScenarioError: The changes do not make a valid scenario.
        """
        files = shipped()
        if self.base not in files:
            raise KeyError(f"arm {self.name!r}: no shipped scenario {self.base!r} "
                           f"(expected one of {', '.join(files)})")
        path = files[self.base]
        data = load_scenario(path).model_dump(exclude={"source"})
        data["name"] = self.name
        data["description"] = f"{self.label}: {self.describe()}"
        world = dict(data["world"])
        world["params"] = {**world["params"], **self.params}
        if preset is not None and not self.pinned:
            world["preset"] = preset
        data["world"] = world
        data["reforms"] = {**data["reforms"],
                           **{k: {"start": 0, "intensity": 1.0, **v}
                              for k, v in self.reforms.items()}}
        if horizon is not None:
            data["horizon"] = max(int(horizon), MISSIONS[data["mission"]].deadline)
        return Scenario.from_mapping(data, source=str(path))


@dataclass(frozen=True)
class Measure:
    """What a sub-claim measures in each run.

    Attributes:
        name: Key in the catalogue's measures.
        label: Words for tables.
        formula: The reporter column(s) it reads, as shown to readers.
        unit: Unit of an effect; ``None``: the mission indicator's (points for a %).
        scale: Factor applied to effects for display (100 turns shares into points).
        digits: Decimals shown.
        column: The reporter column read (default: ``name``).
        minus: A reporter column subtracted from ``column`` (``None``: nothing).
    """

    name: str
    label: str
    formula: str
    unit: str | None = None
    scale: float = 1.0
    digits: int = 2
    column: str | None = None
    minus: str | None = None

    def series(self, months: pd.DataFrame) -> pd.Series:
        """The measure's value in every row of ``months``."""
        value = months[self.column or self.name]
        return value if self.minus is None else value - months[self.minus]

    def unit_for(self, mission: str) -> str:
        """The unit of an effect on this measure for ``mission``."""
        if self.unit is not None:
            return self.unit
        unit = MISSIONS[mission].unit
        return "pp" if unit == "%" else unit


@dataclass(frozen=True)
class SubClaim:
    """A testable part of a claim.

    Attributes:
        id: Identifier, ``<claim key>.<n>`` (``C3.2``).
        claim: Key of the :class:`Claim` it belongs to.
        source: Where this statement comes from (the article, or the brief's trade-offs).
        statement: The sub-claim in one sentence.
        mechanism: The model element that carries it.
        sections: ``docs/model.md`` sections that implement the mechanism.
        treatment: Name of the treatment arm.
        control: Name of the control arm.
        measure: Name of the measure.
        at: When the measure is read (a key of :data:`TIMINGS`).
        direction: +1 if the claim predicts treatment − control > 0, −1 if < 0.
        built_in: The predicted sign is written into one of the model's formulas, so the
            comparison checks that the mechanism survives the rest of the model rather than
            testing the claim; ``False`` when the sign emerges from several mechanisms and
            their trade-offs.
    """

    id: str
    claim: str
    source: str
    statement: str
    mechanism: str
    sections: tuple[str, ...]
    treatment: str
    control: str
    measure: str
    at: str
    direction: int
    built_in: bool = False

    def arms(self) -> tuple[Arm, Arm]:
        """The treatment and control arms."""
        arms = read_catalogue().arms
        return arms[self.treatment], arms[self.control]


# --- the file's schema ----------------------------------------------------------------------
class _ClaimEntry(Entry):
    title: str
    source: str
    text: str
    needs: str
    gaps: str = ""


class _ArmEntry(Entry):
    label: str
    base: str | None = None
    params: dict[str, bool | int | float] = {}
    reforms: dict[str, dict[str, int | float | None]] = {}
    pinned: bool = False


class _MeasureEntry(Entry):
    label: str
    formula: str
    unit: str | None = None
    scale: float = 1.0
    digits: int = 2
    column: str | None = None
    minus: str | None = None


class _SubClaimEntry(Entry):
    id: str
    source: str
    statement: str
    mechanism: str
    sections: list[str]
    treatment: str
    control: str
    measure: str
    at: str
    direction: int
    built_in: bool = False


class _File(Entry):
    sections: dict[str, str]
    claims: dict[str, _ClaimEntry]
    arms: dict[str, _ArmEntry]
    measures: dict[str, _MeasureEntry]
    subclaims: list[_SubClaimEntry]


@dataclass(frozen=True)
class Catalogue:
    """The whole catalogue, each part by name (sub-claims in the order they are reported).

    Attributes:
        sections: Titles of the ``docs/model.md`` sections sub-claims cite, by number.
        claims: The claims, by key.
        arms: Every arm used by a sub-claim, by name.
        measures: Measures sub-claims can use, by name.
        subclaims: Every sub-claim, in the order they are reported.
        path: The file it was read from.
    """

    sections: dict[str, str]
    claims: dict[str, Claim]
    arms: dict[str, Arm]
    measures: dict[str, Measure]
    subclaims: tuple[SubClaim, ...]
    path: Path


def _references(data: _File, path: Path) -> None:
    """Check every reference between the parts of the file, one key at a time."""
    files = shipped()
    for name, arm in data.arms.items():
        one_of(arm.base or name, files, path, f"arms.{name}.base", "shipped scenario")
        for param in arm.params:
            one_of(param, PARAMETERS, path, f"arms.{name}.params.{param}", "parameter")
        for reform in arm.reforms:
            one_of(reform, REFORMS, path, f"arms.{name}.reforms.{reform}", "reform")
    seen: set[str] = set()
    for i, sub in enumerate(data.subclaims):
        where = f"subclaims[{i}]"
        key, _, number = sub.id.partition(".")
        check(number.isdigit(), path, f"{where}.id", f"{sub.id!r}: expected CLAIM.N (C3.2)")
        check(sub.id not in seen, path, f"{where}.id", f"{sub.id!r} is used twice")
        seen.add(sub.id)
        one_of(key, data.claims, path, f"{where}.id", "claim")
        for side in ("treatment", "control"):
            one_of(getattr(sub, side), data.arms, path, f"{where}.{side}", "arm")
        check(sub.treatment != sub.control, path, f"{where}.control",
              "the same arm as the treatment")
        one_of(sub.measure, data.measures, path, f"{where}.measure", "measure")
        one_of(sub.at, TIMINGS, path, f"{where}.at", "timing")
        check(sub.direction in (1, -1), path, f"{where}.direction",
              f"expected 1 or -1, got {sub.direction}")
        check(bool(sub.sections), path, f"{where}.sections", "expected at least one section")
        for section in sub.sections:
            one_of(section, data.sections, path, f"{where}.sections", "section")


@functools.cache
def read_catalogue() -> Catalogue:
    """The claims catalogue, read from ``missionsim/data/claims.toml`` once and checked.

    Raises:
        DataFileError: The file is invalid (one line naming the file and the key).
    """
    data, path = load(FILE, _File)
    _references(data, path)
    return Catalogue(
        sections=dict(data.sections),
        claims={key: Claim(key=key, **c.model_dump()) for key, c in data.claims.items()},
        arms={name: Arm(name=name, base=a.base or name, label=a.label, params=dict(a.params),
                        reforms={k: dict(v) for k, v in a.reforms.items()}, pinned=a.pinned)
              for name, a in data.arms.items()},
        measures={name: Measure(name=name, **m.model_dump())
                  for name, m in data.measures.items()},
        subclaims=tuple(SubClaim(claim=s.id.split(".")[0], **{**s.model_dump(),
                                                            "sections": tuple(s.sections)})
                        for s in data.subclaims),
        path=path)
