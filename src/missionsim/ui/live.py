"""One browser session's live run, and the settings the Explore page's controls set.

Nothing here depends on Solara. A :class:`LiveRun` draws a
:class:`~missionsim.experiments.live.LiveModel`: a model built from a scenario through the same
path as every study, stepped month by month, with a reference run of the same world without
reforms to compare against. The drawings are ECharts figures (:mod:`missionsim.ui.charts`,
:mod:`missionsim.ui.network`) and the places' SVG tile map.

Each browser session owns its own :class:`LiveRun`; the only shared state is a small cache of
reference runs, which are immutable tables.

A session's model is stepped by the page's play loop in one thread while the page redraws in
another, so nothing here reads the model: every figure and chart is drawn from a
:class:`~missionsim.experiments.live.Snapshot`, an immutable copy of what the page shows taken
under the run's lock right after each step.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import pandas as pd

from missionsim.experiments.live import LiveModel, PlaceFacts, Snapshot
from missionsim.experiments.scenario import (
    Scenario,
    ScenarioError,
    load_scenario,
    shipped,
    shipped_dir,
)
from missionsim.experiments.scenario_tables import ReformSpec
from missionsim.model.missions import MISSIONS
from missionsim.model.params import PARAMETERS, PRESETS
from missionsim.model.paths import is_path, value_at
from missionsim.model.reforms import REFORMS
from missionsim.ui import charts, labels, network
from missionsim.ui.echarts import Figure
from missionsim.ui.places import NeighbourRow, neighbour_rows, summary_text
from missionsim.writeup.summary import level

PRESET_PREFIX = "world: "
"""Choices that start from a bare preset (no reforms) rather than a shipped scenario."""
MISSION_PREFIX = "mission: "
"""Choices that start from a shipped mission with no reforms, on the workshop world (or the
mission's own world), over at least ten years."""


# --- choices -------------------------------------------------------------------------------
def choices() -> list[str]:
    """What the scenario picker offers.

    The shipped policy scenarios, bare presets, shipped missions, then the past episodes of
    ``scenarios/history/``.
    """
    files = shipped()
    policy = [name for name, path in files.items() if path.parent == shipped_dir()]
    return [*policy, *(f"{PRESET_PREFIX}{p}" for p in PRESETS),
            *(f"{MISSION_PREFIX}{m}" for m in MISSIONS),
            *(name for name in files if name not in policy)]


def base_scenario(choice: str) -> Scenario:
    """The scenario a picker choice stands for.

    Raises:
        ScenarioError: If ``choice`` is not one of :func:`choices` (the browser can only pick
            from the list; anything else is refused, never read as a path).
    """
    if choice.startswith(PRESET_PREFIX) and choice[len(PRESET_PREFIX):] in PRESETS:
        preset = choice[len(PRESET_PREFIX):]
        return Scenario.from_mapping({"name": preset, "title": labels.preset_title(preset),
                                      "world": {"preset": preset}}, source=f"preset {preset}")
    if choice.startswith(MISSION_PREFIX) and choice[len(MISSION_PREFIX):] in MISSIONS:
        mission = MISSIONS[choice[len(MISSION_PREFIX):]]
        return Scenario.from_mapping(
            {"name": mission.name, "mission": mission.name,
             "title": labels.mission_title(mission.name),
             "horizon": max(Scenario.model_fields["horizon"].default, mission.deadline)},
            source=f"mission {mission.name}")
    files = shipped()
    if choice not in files:
        raise ScenarioError(f"scenario {choice!r}: expected one of {', '.join(choices())}")
    return load_scenario(files[choice])


def reform_bounds(horizon: int, reform: str | None = None) -> dict[str, tuple[float, float]]:
    """Bounds of each reform setting, from the scenario file's own definitions.

    For one ``reform``, its intensity goes up to its declared ``<reform>_max_intensity``.
    """
    fields = ReformSpec.model_fields

    def bound(name: str, kind: str, default: float) -> float:
        for item in fields[name].metadata:
            if hasattr(item, kind):
                return getattr(item, kind)
        return default

    top = bound("intensity", "le", 1.0)
    if reform is not None:
        top = min(top, PARAMETERS[f"{reform}_max_intensity"].default)
    return {"intensity": (bound("intensity", "ge", 0.0), top),
            "start": (bound("start", "ge", 0), horizon - 1)}



EVERYWHERE = "every place"
NAMED = "named places"
AS_FILE = "as the scenario file sets"
TARGET_CHOICES: dict[str, dict[str, Any] | None] = {
    EVERYWHERE: None,
    "the most deprived tenth": {"deprivation_deciles": [10]},
    "the most deprived three tenths": {"deprivation_deciles": [8, 9, 10]},
    "the most deprived half": {"deprivation_deciles": [6, 7, 8, 9, 10]},
    "councils below the capacity threshold": {
        "capacity_below": PARAMETERS["capacity_threshold"].default},
    "places off their trajectory (chosen yearly)": {"off_trajectory": True},
    NAMED: None,
}
"""Where the Explore page can aim a reform: each is a reform ``target`` table
(:mod:`missionsim.model.reforms.targeting`); "named places" takes the places picked."""


def target_table(where: str, names: tuple[str, ...]) -> dict[str, Any] | None:
    """The scenario ``target`` table of a choice (None: every place, or no place picked)."""
    if where == NAMED:
        return {"places": list(names)} if names else None
    return TARGET_CHOICES.get(where)

@dataclass(frozen=True)
class Settings:
    """What the Explore page's controls set: a starting scenario plus changes.

    Attributes:
        choice: A picker choice (:func:`choices`).
        reforms: Reform name to ``(on, intensity, start)`` for every registered reform.
        params: Parameter overrides (world conditions) on top of the scenario's.
        replicate: Which replicate's world and shocks (its seed derives from the scenario's).
        targets: Reform name to ``(where, names)``: a key of :data:`TARGET_CHOICES` and, for
            "named places", the places picked. Absent: every place.
    """

    choice: str
    reforms: tuple[tuple[str, bool, float, int], ...]
    params: tuple[tuple[str, Any], ...] = ()
    replicate: int = 0
    targets: tuple[tuple[str, str, tuple[str, ...]], ...] = ()

    @classmethod
    def start(cls, choice: str) -> Settings:
        """Settings that reproduce a choice exactly: its reforms as the file sets them."""
        base = base_scenario(choice)
        return cls(choice=choice, reforms=_reform_rows(base), targets=_target_rows(base))

    def with_reform(self, name: str, **change: Any) -> Settings:
        """A copy with one reform's ``on``, ``intensity`` or ``start`` changed."""
        rows = []
        for row in self.reforms:
            if row[0] == name:
                values = dict(zip(("name", "on", "intensity", "start"), row, strict=True))
                values.update(change)
                row = (name, values["on"], values["intensity"], values["start"])
            rows.append(row)
        return dataclasses.replace(self, reforms=tuple(rows))

    def with_param(self, name: str, value: Any) -> Settings:
        """A copy with a world parameter overridden."""
        params = dict(self.params)
        params[name] = value
        return dataclasses.replace(self, params=tuple(sorted(params.items())))

    def target_of(self, name: str) -> tuple[str, tuple[str, ...]]:
        """Where a reform acts: a key of :data:`TARGET_CHOICES` and any places named."""
        for reform, where, names in self.targets:
            if reform == name:
                return where, names
        return EVERYWHERE, ()

    def with_target(self, name: str, where: str, names: tuple[str, ...] = ()) -> Settings:
        """A copy with the places a reform reaches changed."""
        rows = [row for row in self.targets if row[0] != name]
        if where != EVERYWHERE:
            rows.append((name, where, tuple(names)))
        return dataclasses.replace(self, targets=tuple(sorted(rows)))

    def scenario(self) -> Scenario:
        """The validated scenario these settings describe.

        Raises:
            ScenarioError: One line naming the control and what was expected.
        """
        base = base_scenario(self.choice)
        data = base.model_dump(exclude={"source"})
        reforms = {}
        for name, on, intensity, start in self.reforms:
            old = base.reforms.get(name)
            if on:
                end = old.end if old is not None and old.enabled else None
                if end is not None and end <= start:
                    end = None
                if old is not None and is_path(old.intensity) and intensity == _shown(old):
                    intensity = old.settings()["intensity"]  # the file's path, untouched
                reforms[name] = {"start": start, "end": end, "intensity": intensity}
                where, names = self.target_of(name)
                target = (old.target if where == AS_FILE and old is not None
                          else target_table(where, names))
                if target is not None:
                    reforms[name]["target"] = target
        data["reforms"] = reforms
        data["world"]["params"] = {**data["world"]["params"], **dict(self.params)}
        changed = (self.reforms != _reform_rows(base) or bool(self.params)
                   or self.targets != _target_rows(base))
        if changed:
            data["name"], data["title"] = f"{base.name} (edited)", f"{base.title} (edited)"
        return Scenario.from_mapping(data, source="the page's settings")


def _target_rows(scenario: Scenario) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """A scenario's reform targets as the controls show them."""
    rows = []
    for name, spec in scenario.reforms.items():
        if not spec.enabled or spec.target is None:
            continue
        where = next((k for k, v in TARGET_CHOICES.items() if v == spec.target), AS_FILE)
        if "places" in spec.target:
            rows.append((name, NAMED, tuple(spec.target["places"])))
        else:
            rows.append((name, where, ()))
    return tuple(sorted(rows))


def _reform_rows(scenario: Scenario) -> tuple[tuple[str, bool, float, int], ...]:
    """A scenario's reforms as the controls show them: one row per registered reform.

    An intensity that follows a path shows its value at month 0; the path is kept until the
    slider sets a number in its place.
    """
    chosen = scenario.reform_settings()
    rows = []
    for name in REFORMS:
        s = chosen.get(name)
        rows.append((name, s is not None, _shown(scenario.reforms[name]) if s else 1.0,
                     int(s["start"]) if s else 0))
    return tuple(rows)


def _shown(spec: ReformSpec) -> float:
    """The intensity a slider shows: the number, or a path's value at month 0."""
    return value_at(spec.intensity, 0) if is_path(spec.intensity) else float(spec.intensity)


# --- the live run ---------------------------------------------------------------------------
class LiveRun:
    """A live model and its drawings, each drawn from a snapshot.

    Everything the page reads (:meth:`history`, :meth:`headline`, the drawings) comes from a
    :class:`~missionsim.experiments.live.Snapshot` (:attr:`frame`), never from the model while
    it may be stepping.

    Args:
        scenario: The scenario (reforms and world as the page sets them).
        replicate: Replicate number: the seed and any uncertainty draws are those of this
            replicate in a study of the scenario (``missionsim compare``), so what the page
            shows is run ``replicate`` of the CLI's study.

    Attributes:
        source: The live model it draws.
        scenario: The scenario.
        replicate: The replicate number.
        mission: The scenario's mission.
        reference: The same world without reforms, month by month, or ``None`` when the
            scenario has no reforms.
        layout: The network's positions, fixed per world (:func:`missionsim.ui.network.layout`).
        places: The world's places: names, statistical neighbours, starting values.
    """

    def __init__(self, scenario: Scenario, replicate: int = 0) -> None:
        self.source = LiveModel(scenario, replicate)
        self.scenario = scenario
        self.replicate = replicate
        self.mission = self.source.mission
        self.reference = self.source.reference
        first = self.source.frame
        self.layout = network.layout(first)
        self.places: PlaceFacts = self.source.places

    @property
    def frame(self) -> Snapshot:
        """The latest snapshot: the model as it was right after the last step."""
        return self.source.frame

    @property
    def month(self) -> int:
        """Months simulated so far (as of the latest snapshot)."""
        return self.source.month

    @property
    def horizon(self) -> int:
        """Months the scenario runs for."""
        return self.source.horizon

    @property
    def finished(self) -> bool:
        """Whether the run has reached its horizon."""
        return self.source.finished

    def step(self, months: int = 1) -> int:
        """Advance up to ``months`` months (never past the horizon); return the new month."""
        return self.source.step(months)

    def history(self, frame: Snapshot | None = None) -> pd.DataFrame:
        """The reporters so far, one row per month (row 0 = month 0).

        Args:
            frame: The snapshot to read (default: the latest).
        """
        return (frame or self.frame).history

    def headline(self, frame: Snapshot | None = None) -> dict[str, Any]:
        """The figures always on show: month, true and reported value, target, on-track.

        Args:
            frame: The snapshot to read (default: the latest).
        """
        return dict((frame or self.frame).headline)

    # --- drawings -----------------------------------------------------------------------
    # Each takes the snapshot to draw (default: the latest), so a redraw that reads the
    # snapshot once draws every chart at the same month.
    def trajectory_chart(self, frame: Snapshot | None = None) -> Figure:
        """The mission indicator (true and reported) against the target trajectory."""
        return charts.trajectory(self.history(frame), self.mission, self.horizon,
                                 self.reference)

    def workforce_chart(self, frame: Snapshot | None = None) -> Figure:
        """Frontline workforce: morale, vacancies and turnover."""
        return charts.workforce(self.history(frame), self.horizon)

    def finance_chart(self, frame: Snapshot | None = None) -> Figure:
        """Money: spend a month, with reform costs and extra mission money."""
        return charts.finance(self.history(frame), self.horizon)

    def charities_chart(self, frame: Snapshot | None = None) -> Figure:
        """Charities: median reserves, with closures so far in the title."""
        return charts.charities(self.history(frame), self.horizon)

    def places_svg(self, frame: Snapshot | None = None, picked: int | None = None) -> str:
        """Which places are on track (true indicator), each tile named.

        The most deprived tenth is outlined, and the ``picked`` place (a row) too.
        """
        return charts.places(frame or self.frame, self.places.names, picked)

    def place_chart(self, place: int, frame: Snapshot | None = None) -> Figure:
        """One place's true outcome month by month against its own trajectory."""
        return charts.place(frame or self.frame, self.places, place, self.mission,
                            self.horizon)

    def place_summary(self, place: int, frame: Snapshot | None = None) -> str:
        """One line on a place now: its outcome against its own trajectory."""
        f = frame or self.frame
        return summary_text(self.places, f.outcomes[-1], place, self.mission, f.month)

    def neighbours(self, place: int,
                   frame: Snapshot | None = None) -> list[NeighbourRow] | None:
        """A place's statistical neighbours now, closest first (``None``: the world has none)."""
        return neighbour_rows(self.places, (frame or self.frame).outcomes[-1], place,
                              self.mission)

    def network_chart(self, frame: Snapshot | None = None, opened: int | None = None) -> Figure:
        """The partnership network between places, or one ``opened`` place's organisations."""
        f, names = frame or self.frame, self.places.names
        return (network.places_view(f, self.layout, names) if opened is None
                else network.place_view(f, self.layout, names, opened))



def headline_text(head: dict[str, Any]) -> dict[str, str]:
    """The headline figures formatted for display."""
    unit = head["unit"]
    return {
        "month": f"Month {head['month']} of {head['horizon']}",
        "true": level(head["true"], unit),
        "reported": level(head["reported"], unit),
        "target": f"{level(head['target'], unit)} by month {head['deadline']}",
        "trajectory": level(head["trajectory"], unit),
        "on_track": f"{head['on_track']:.0%}",
        "spend": f"£{head['spend_total']:,.0f}m",
        "closures": f"{head['closures']}",
    }


__all__ = ["LiveRun", "Settings", "base_scenario", "choices", "headline_text", "reform_bounds"]
