"""Missions as data files: indicator, direction, baseline, spread, target, deadline, response.

A mission is a plain record read from a mission file (:mod:`missionsim.model.missionfile`).
The outcome dynamics in :mod:`missionsim.model.outcomes` read it and contain no
mission-specific code, so a new mission is a new file: the shipped ones are
``missionsim/data/missions/*.toml`` (:data:`MISSIONS`), and a scenario may name any other
(``mission = "my_mission.toml"``, :func:`get_mission`).
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from missionsim import resources
from missionsim.files import SHOWN_PATH_CHARS, short
from missionsim.limits import quote
from missionsim.model import paths
from missionsim.model.missionfile import CALIBRATED, read_mission
from missionsim.model.params import PARAMETERS

__all__ = ["CALIBRATED", "MISSIONS", "Mission", "calibrated", "get_mission", "load_mission",
           "mission_named", "register", "shipped_missions"]


def calibrated(mission: str) -> dict[str, float]:
    """The fitted values of a shipped calibration (``calibrated/<mission>.json``)."""
    data = json.loads((CALIBRATED / f"{mission}.json").read_text(encoding="utf-8"))
    return {name: float(value) for name, value in data["values"].items()}


@dataclass(frozen=True)
class Mission:
    """A national mission and how its indicator behaves.

    Attributes:
        name: Registry key.
        title: Human-readable statement of the mission.
        indicator: Name of the indicator.
        unit: Unit of the indicator ("%" or "people").
        direction: +1 when the mission raises the indicator, -1 when it lowers it.
        aggregate: "mean" (population-weighted rate) or "sum" (a national count).
        baseline: National value at month 0.
        spread_sd: Spread of place values around what deprivation predicts (indicator units
            for "mean" missions, relative log-spread for "sum" missions).
        deprivation_effect: Change in a place's value per unit of deprived share
            (indicator units for "mean" missions; relative for "sum" missions).
        target: National target value.
        deadline: Month (from month 0) by which the target should be met.
        best: Best achievable value (a ceiling for raise, a floor for lower missions).
        response_months: Time constant of the outcome's response to delivery.
        elasticity: How strongly the gap to the best value shrinks with effective delivery.
        momentum: Improvement already in the pipeline at month 0 (indicator units, in the
            mission's direction) that the current system delivers if nothing changes.
        noise: Monthly place-level innovation, as a share of the place's gap to the best value.
        start_label: Calendar label of month 0.
        gameability: How far the indicator can be gamed, in [0, 1]: 0 for an administrative
            count nobody can shade (the reported value is the true one), 1 for a return the
            measured organisations compile themselves. Scales the share of the gap gaming
            can hide.
        trend: Secular change already under way, independent of the delivery system, as a
            path of indicator units a year in the mission's direction (empty: none).
        displacement: Improvement reported by moving cases elsewhere (``share``, ``to``,
            ``case_cost``, ``unit``; see :class:`~missionsim.model.missionfile.Displacement`),
            or ``None``.
        places: Where a places file measures the indicator (``column``, ``year``,
            ``rescale``, ``sd``; see :class:`~missionsim.model.missionfile.PlacesSpec`), or
            ``None``: on a world built from a places file, each place starts from its observed
            value (or its rescaled position) instead of a random draw.
        world: The mission's own delivery system: parameter values that replace the world
            preset's (a scenario's parameters replace both). Empty for missions delivered by
            the early-years system the presets describe.
        sources: Where each figure comes from, by figure name (``world.NAME`` for the world).
        description: A paragraph on the mission for reports.
        file: The mission file it was read from (empty for a record built in Python).
    """

    name: str
    title: str
    indicator: str
    unit: str
    direction: int
    aggregate: str
    baseline: float
    spread_sd: float
    deprivation_effect: float
    target: float
    deadline: int
    best: float
    response_months: float
    elasticity: float
    momentum: float
    noise: float
    start_label: str
    gameability: float = 1.0
    trend: paths.Path = ()
    displacement: Mapping[str, Any] | None = field(default=None, hash=False)
    places: Mapping[str, Any] | None = field(default=None, hash=False)
    world: Mapping[str, Any] = field(default_factory=dict, hash=False)
    sources: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    description: str = field(default="", compare=False)
    file: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        for name, value in self.world.items():
            if name not in PARAMETERS:
                raise ValueError(f"mission {quote(self.name)}: world parameter {quote(name)} "
                                 "is unknown")
            PARAMETERS[name].check(value)

    def trajectory(self, month):
        """The national trajectory to the target at ``month`` (a number or an array).

        A straight line from the baseline at month 0 to the target at the deadline, flat after.
        One month (an ``int``) is worked out in plain floats: the same number, without NumPy's
        overhead (the record asks for it every month).
        """
        if isinstance(month, int):
            return self.baseline + (self.target - self.baseline) * min(1.0, month / self.deadline)
        return self.baseline + (self.target - self.baseline) * np.minimum(
            1.0, np.asarray(month, dtype=float) / self.deadline)

    @property
    def source(self) -> str:
        """The sources of every figure, as one paragraph."""
        return "; ".join(f"{name}: {text}" for name, text in self.sources.items())

    def content(self) -> dict[str, Any]:
        """What determines a run's results (not the title, sources or file), as plain data."""
        keep = ("name", "indicator", "unit", "direction", "aggregate", "baseline", "spread_sd",
                "deprivation_effect", "target", "deadline", "best", "response_months",
                "elasticity", "momentum", "noise", "gameability")
        out: dict[str, Any] = {k: getattr(self, k) for k in keep}
        out["trend"] = paths.as_lists(self.trend) if self.trend else []
        out["displacement"] = dict(self.displacement) if self.displacement else None
        out["world"] = dict(sorted(self.world.items()))
        if self.places is not None:  # absent when none: digests of older files stay
            out["places"] = dict(self.places)
        return out

    def record(self) -> dict[str, Any]:
        """Every field as plain data (JSON), to rebuild the record with :meth:`from_record`."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out.update(trend=paths.as_lists(self.trend), world=dict(self.world),
                   sources=dict(self.sources),
                   displacement=dict(self.displacement) if self.displacement else None,
                   places=dict(self.places) if self.places else None)
        return out

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Mission:
        """Rebuild a mission from :meth:`record` (as a study's manifest stores it)."""
        data = dict(record)
        data["trend"] = paths.check_path(data["trend"], "trend") if data.get("trend") else ()
        return cls(**data)

    def trend_to(self, month: int) -> float:
        """The secular change accumulated from month 0 to ``month``.

        In indicator units, in the mission's direction: the trend path summed month by month.
        """
        if not self.trend:
            return 0.0
        return float(paths.values(self.trend, np.arange(month)).sum()) / MONTHS_PER_YEAR


MONTHS_PER_YEAR = 12  # unit: a trend is written per year, applied per month


def load_mission(path: str | Path) -> Mission:
    """Read a mission file (see :mod:`missionsim.model.missionfile`).

    Raises:
        ScenarioError: One line naming the file, the key and what was expected.
    """
    return Mission(**read_mission(path))


def shipped_missions() -> dict[str, Path]:
    """The shipped mission files by name (file stem), sorted."""
    return resources.shipped("missions")


MISSIONS: dict[str, Mission] = {name: load_mission(path)
                                for name, path in shipped_missions().items()}
"""Missions shipped with missionsim, by name (``missionsim/data/missions/NAME.toml``)."""


_FROM_FILES: dict[str, Mission] = {}
"""Missions read from files in this process (or recorded in a study's manifest), by name."""


def register(mission: Mission) -> Mission:
    """Make a mission read from a file known by name (:func:`mission_named`) in this process.

    Raises:
        ScenarioError: The name is a shipped mission's, or a mission from another file
            already has it with different figures (an edited file replaces its own).
    """
    from missionsim.errors import ScenarioError

    where = mission.file or "mission"
    if mission.name in MISSIONS:
        if mission.content() == MISSIONS[mission.name].content():
            return MISSIONS[mission.name]
        raise ScenarioError(f"{where}: name = {quote(mission.name)} is a shipped mission's; "
                            "give this mission its own name")
    known = _FROM_FILES.get(mission.name)
    if known is not None and known.file != mission.file and known.content() != mission.content():
        raise ScenarioError(f"{where}: name = {quote(mission.name)} is already used by another "
                            f"mission file ({known.file}); give this one its own name")
    _FROM_FILES[mission.name] = mission
    return mission


def mission_named(name: str) -> Mission:
    """The mission a results table names: a shipped one, or one read from a file.

    Raises:
        KeyError: No such mission is known in this process.
    """
    if name in MISSIONS:
        return MISSIONS[name]
    if name in _FROM_FILES:
        return _FROM_FILES[name]
    raise KeyError(f"mission {quote(name)} is not shipped and was not read from a file")


@functools.lru_cache(maxsize=64)
def _cached(path: str, stamp: tuple[int, int]) -> Mission:
    return register(load_mission(path))


def get_mission(mission: str | Path | Mission) -> Mission:
    """A mission by shipped name, by mission file path, or as given when already a record.

    Raises:
        ScenarioError: A mission file that does not load (one line).
        ValueError: A name that is neither a shipped mission nor a ``.toml`` file.
    """
    if isinstance(mission, Mission):
        return mission
    if isinstance(mission, str) and mission in MISSIONS:
        return MISSIONS[mission]
    if isinstance(mission, str | Path) and str(mission).endswith(".toml"):
        path = Path(mission)
        try:
            info = path.stat()
        except OSError:
            from missionsim.errors import ScenarioError

            raise ScenarioError(f"mission = {short(str(mission), SHOWN_PATH_CHARS)}: no such "
                                "mission file") from None
        return _cached(str(path.resolve()), (info.st_mtime_ns, info.st_size))
    raise ValueError(f"mission = {quote(mission)}: expected one of {', '.join(sorted(MISSIONS))} "
                     "or a mission file (.toml)")

