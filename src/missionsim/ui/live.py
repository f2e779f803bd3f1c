"""One browser session's live model, and what the Explore page draws from it.

Nothing here depends on Solara: a :class:`LiveRun` is a model built from a scenario through
the same path as every study (:func:`missionsim.experiments.runner.spec_for` and
:func:`~missionsim.experiments.runner.build_model`), stepped month by month, with a reference run of
the same world without reforms to compare against. The drawing functions return SVG strings
(:mod:`missionsim.ui.svg`).

Each browser session owns its own :class:`LiveRun`; the only shared state is a small cache of
reference runs, which are immutable tables.

A session's model is stepped by the page's play loop in one thread while the page redraws in
another, so nothing here draws from the model itself: right after each step, under the run's
lock, :class:`LiveRun` copies what the page shows into an immutable :class:`Snapshot`, and
every figure and chart is drawn from the latest snapshot.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from missionsim.experiments import runner
from missionsim.experiments.scenario import (
    ReformSpec,
    Scenario,
    ScenarioError,
    load_scenario,
    shipped,
)
from missionsim.model import reporters
from missionsim.model.params import PRESETS
from missionsim.model.reforms import REFORMS
from missionsim.model.state import CHARITY, COUNCIL, DEPARTMENT, SECTOR_OF_KIND, UNIT
from missionsim.ui import svg

PRESET_PREFIX = "world: "
"""Choices that start from a bare preset (no reforms) rather than a shipped scenario."""

LAYOUT_SEED = 20260
"""Seed of the network layout's jitter: the layout depends on the world, never on a run."""

COLOURS = {"true": "#1f78b4", "reported": "#e6550d", "target": "#636363",
           "reference": "#9e9e9e", "morale": "#1f78b4", "vacancy": "#e6550d",
           "turnover": "#6a3d9a", "spend": "#1f78b4", "reform_cost": "#33a02c",
           "extra": "#e6550d", "reserves": "#33a02c"}


# --- choices -------------------------------------------------------------------------------
def choices() -> list[str]:
    """What the scenario picker offers: shipped scenarios, then bare presets."""
    return [*shipped(), *(f"{PRESET_PREFIX}{p}" for p in PRESETS)]


def base_scenario(choice: str) -> Scenario:
    """The scenario a picker choice stands for.

    Raises:
        ScenarioError: If ``choice`` is not one of :func:`choices` (the browser can only pick
            from the list; anything else is refused, never read as a path).
    """
    if choice.startswith(PRESET_PREFIX) and choice[len(PRESET_PREFIX):] in PRESETS:
        preset = choice[len(PRESET_PREFIX):]
        return Scenario.from_mapping({"name": preset, "world": {"preset": preset}},
                                     source=f"preset {preset}")
    files = shipped()
    if choice not in files:
        raise ScenarioError(f"scenario {choice!r}: expected one of {', '.join(choices())}")
    return load_scenario(files[choice])


def reform_bounds(horizon: int) -> dict[str, tuple[float, float]]:
    """Bounds of each reform setting, from the scenario file's own definitions."""
    fields = ReformSpec.model_fields

    def bound(name: str, kind: str, default: float) -> float:
        for item in fields[name].metadata:
            if hasattr(item, kind):
                return getattr(item, kind)
        return default

    return {"intensity": (bound("intensity", "ge", 0.0), bound("intensity", "le", 1.0)),
            "start": (bound("start", "ge", 0), horizon - 1)}


@dataclass(frozen=True)
class Settings:
    """What the Explore page's controls set: a starting scenario plus changes.

    Attributes:
        choice: A picker choice (:func:`choices`).
        reforms: Reform name to ``(on, intensity, start)`` for every registered reform.
        params: Parameter overrides (world conditions) on top of the scenario's.
        replicate: Which replicate's world and shocks (its seed derives from the scenario's).
    """

    choice: str
    reforms: tuple[tuple[str, bool, float, int], ...]
    params: tuple[tuple[str, Any], ...] = ()
    replicate: int = 0

    @classmethod
    def start(cls, choice: str) -> Settings:
        """Settings that reproduce a choice exactly: its reforms as the file sets them."""
        return cls(choice=choice, reforms=_reform_rows(base_scenario(choice)))

    def with_reform(self, name: str, **change: Any) -> Settings:
        """A copy with one reform's ``on``, ``intensity`` or ``start`` changed."""
        rows = []
        for row in self.reforms:
            if row[0] == name:
                values = dict(zip(("name", "on", "intensity", "start"), row, strict=True))
                values.update(change)
                row = (name, values["on"], values["intensity"], values["start"])
            rows.append(row)
        return Settings(self.choice, tuple(rows), self.params, self.replicate)

    def with_param(self, name: str, value: Any) -> Settings:
        """A copy with a world parameter overridden."""
        params = dict(self.params)
        params[name] = value
        return Settings(self.choice, self.reforms, tuple(sorted(params.items())), self.replicate)

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
                reforms[name] = {"start": start, "end": end, "intensity": intensity}
        data["reforms"] = reforms
        data["world"]["params"] = {**data["world"]["params"], **dict(self.params)}
        changed = self.reforms != _reform_rows(base) or bool(self.params)
        if changed:
            data["name"] = f"{base.name} (edited)"
        return Scenario.from_mapping(data, source="the page's settings")


def _reform_rows(scenario: Scenario) -> tuple[tuple[str, bool, float, int], ...]:
    """A scenario's reforms as the controls show them: one row per registered reform."""
    chosen = scenario.reform_settings()
    rows = []
    for name in REFORMS:
        s = chosen.get(name)
        rows.append((name, s is not None, float(s["intensity"]) if s else 1.0,
                     int(s["start"]) if s else 0))
    return tuple(rows)


# --- the reference run (same world, no reforms) ---------------------------------------------
_REFERENCE: OrderedDict[str, pd.DataFrame] = OrderedDict()
_REFERENCE_LOCK = threading.Lock()
REFERENCE_CACHE = 24


def reference(scenario: Scenario, replicate: int) -> pd.DataFrame:
    """Month-by-month reporters of the scenario's world with no reforms (same seed).

    Cached: the tables are immutable and equal for equal worlds, so sessions share them.
    """
    bare = scenario.with_changes(reforms={}, name="reference")
    key = f"{bare.digest()}/{bare.seed}/{replicate}"
    with _REFERENCE_LOCK:
        if key in _REFERENCE:
            _REFERENCE.move_to_end(key)
            return _REFERENCE[key]
    frame = runner.execute_run(runner.spec_for(bare, replicate)).months
    with _REFERENCE_LOCK:
        _REFERENCE[key] = frame
        while len(_REFERENCE) > REFERENCE_CACHE:
            _REFERENCE.popitem(last=False)
    return frame


# --- the live run ---------------------------------------------------------------------------
NETWORK_WIDTH = 520
"""Width of the network drawing's plot area that node sizes are scaled to."""

NODE_SPREAD = 0.42 * 0.45
"""Largest node radius as a share of the plot width per place, before dividing by the square
root of the number of places: big enough to read, small enough for a place's nodes not to
cover its neighbours'."""

NODE_MIN, NATIONAL_MIN = 1.2, 7.0
"""Smallest radius of any node, and of a department or the Missions Unit."""

UNIT_SHRINK = 0.8
"""The Missions Unit's radius as a share of a department's."""


def _frozen(values: Any, dtype: Any = None) -> np.ndarray:
    """A read-only copy of an array."""
    out = np.array(values, dtype=dtype, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)  # compared by identity: one snapshot a step
class Snapshot:
    """What the Explore page draws at one month, copied from the model under the run's lock.

    A snapshot never changes and shares no array with the model, so a redraw may read it while
    another thread steps the model on.

    Attributes:
        month: Months simulated when it was taken.
        history: The reporters so far, one row per month (row 0 = month 0).
        headline: The headline figures (:meth:`LiveRun.headline`).
        behind: Per place, how far behind its trajectory (true indicator).
        deprivation: Per place deprivation.
        active: Per organisation slot, whether it is operating.
        kind: Per organisation slot, its kind.
        locality: Per organisation slot, its place (negative: national).
        filled: Per organisation slot, staff in post.
        tie_u: First slot of each tie.
        tie_v: Second slot of each tie.
        trust: Trust on each tie.
        mean_trust: Mean trust over all ties.
    """

    month: int
    history: pd.DataFrame
    headline: MappingProxyType
    behind: np.ndarray
    deprivation: np.ndarray
    active: np.ndarray
    kind: np.ndarray
    locality: np.ndarray
    filled: np.ndarray
    tie_u: np.ndarray
    tie_v: np.ndarray
    trust: np.ndarray
    mean_trust: float

    @classmethod
    def take(cls, model, horizon: int) -> Snapshot:
        """Copy what the page draws from ``model``; the caller holds the run's lock."""
        o, net, mission = model.orgs, model.net, model.mission
        month = int(model.month)
        history = model.datacollector.get_model_vars_dataframe()
        history = history.rename_axis("month").reset_index()
        head = {
            "month": month,
            "horizon": horizon,
            "true": reporters.outcome(model),
            "reported": reporters.outcome_reported(model),
            "target": mission.target,
            "deadline": mission.deadline,
            "unit": mission.unit,
            "on_track": reporters.on_track_share(model),
            "spend_total": reporters.spend_total(model),
            "closures": reporters.charity_closures(model),
            "trajectory": model.trajectory(),
        }
        return cls(month=month, history=history, headline=MappingProxyType(head),
                   behind=_frozen(model.places_behind(reported=False), float),
                   deprivation=_frozen(model.places.deprivation, float),
                   active=_frozen(o.active, bool), kind=_frozen(o.kind),
                   locality=_frozen(o.locality), filled=_frozen(model.staff.filled_by_org(o.n)),
                   tie_u=_frozen(net.u), tie_v=_frozen(net.v), trust=_frozen(net.trust, float),
                   mean_trust=reporters.mean_trust(model))


class LiveRun:
    """A model built from a scenario, stepped on request, with its drawing state.

    Stepping takes :attr:`lock` and, before releasing it, publishes a new :class:`Snapshot`
    (:attr:`frame`); everything the page reads (:meth:`history`, :meth:`headline`, the
    drawings) comes from a snapshot, never from the model while it may be stepping.

    Args:
        scenario: The scenario (reforms and world as the page sets them).
        replicate: Replicate number: the seed and any uncertainty draws are those of this
            replicate in a study of the scenario (``missionsim compare``), so what the page
            shows is run ``replicate`` of the CLI's study.
    """

    def __init__(self, scenario: Scenario, replicate: int = 0) -> None:
        self.scenario = scenario
        self.replicate = replicate
        self.spec = runner.spec_for(scenario, replicate)
        self.model = runner.build_model(self.spec)
        self.mission = self.model.mission
        self.lock = threading.Lock()
        self.layout = layout(self.model)
        filled = self.model.staff.filled_by_org(self.model.orgs.n)
        self.size_ref = float(max(1, filled.max()))
        self.reference = reference(scenario, replicate) if scenario.reforms else None
        self._frame = Snapshot.take(self.model, self.horizon)

    @property
    def frame(self) -> Snapshot:
        """The latest snapshot: the model as it was right after the last step."""
        return self._frame

    @property
    def month(self) -> int:
        """Months simulated so far (as of the latest snapshot)."""
        return self._frame.month

    @property
    def horizon(self) -> int:
        """Months the scenario runs for."""
        return int(self.scenario.horizon)

    @property
    def finished(self) -> bool:
        """Whether the run has reached its horizon."""
        return self.month >= self.horizon

    def step(self, months: int = 1) -> int:
        """Advance up to ``months`` months (never past the horizon); return the new month.

        The new :class:`Snapshot` is taken under the lock, right after the last month.
        """
        with self.lock:
            todo = max(0, min(months, self.horizon - int(self.model.month)))
            for _ in range(todo):
                self.model.step()
            if todo:
                self._frame = Snapshot.take(self.model, self.horizon)
            return self._frame.month

    def history(self, frame: Snapshot | None = None) -> pd.DataFrame:
        """The reporters so far, one row per month (row 0 = month 0).

        Args:
            frame: The snapshot to read (default: the latest).
        """
        return (frame or self._frame).history

    # --- headline numbers ---------------------------------------------------------------
    def headline(self, frame: Snapshot | None = None) -> dict[str, Any]:
        """The figures always on show: month, true and reported value, target, on-track.

        Args:
            frame: The snapshot to read (default: the latest).
        """
        return dict((frame or self._frame).headline)

    # --- drawings -----------------------------------------------------------------------
    # Each takes the snapshot to draw (default: the latest), so a redraw that reads the
    # snapshot once draws every chart at the same month.
    def trajectory_svg(self, frame: Snapshot | None = None) -> str:
        """The mission indicator (true and reported) against the target trajectory."""
        h = self.history(frame)
        mission = self.mission
        months = np.arange(self.horizon + 1)
        target = mission.trajectory(months)
        lines = [svg.Line("target trajectory", target, COLOURS["target"], dash="6 4", width=1.5)]
        if self.reference is not None:
            lines.append(svg.Line("without reforms", self.reference["outcome"],
                                  COLOURS["reference"], width=2.0,
                                  x=self.reference["month"]))
        lines.append(svg.Line("reported", h["outcome_reported"], COLOURS["reported"],
                              dash="3 3", width=2.0, x=h["month"]))
        lines.append(svg.Line("true", h["outcome"], COLOURS["true"], width=2.6, x=h["month"]))
        values = [np.asarray(ln.y, dtype=float) for ln in lines]
        lo = min(float(np.nanmin(v)) for v in values)
        hi = max(float(np.nanmax(v)) for v in values)
        pad = 0.08 * (hi - lo or 1.0)
        return svg.line_chart(svg.Chart(
            title=f"Mission: {mission.indicator} ({mission.unit})", x=months, lines=lines,
            xlim=(0, self.horizon), ylim=(lo - pad, hi + pad),
            markers=[(mission.deadline, "deadline")], width=620, height=300))

    def flows(self, frame: Snapshot | None = None) -> pd.DataFrame:
        """The history from month 1: monthly flows (spend, quits) are empty at month 0."""
        h = self.history(frame)
        return h[h["month"] >= 1] if len(h) > 1 else h

    def workforce_svg(self, frame: Snapshot | None = None) -> str:
        """Frontline workforce: morale, vacancies and turnover."""
        h = self.flows(frame)
        lines = [svg.Line("morale", h["staff_morale"], COLOURS["morale"], x=h["month"]),
                 svg.Line("vacancy rate", h["vacancy_rate"], COLOURS["vacancy"], x=h["month"]),
                 svg.Line("turnover (a year)", h["staff_turnover"], COLOURS["turnover"],
                          x=h["month"])]
        top = max(0.5, float(np.nanmax([h[c].max() for c in
                                        ("staff_morale", "vacancy_rate", "staff_turnover")])))
        return svg.line_chart(svg.Chart(title="Workforce", lines=lines, xlim=(0, self.horizon),
                                        ylim=(0.0, top * 1.05), ylabel="share"))

    def finance_svg(self, frame: Snapshot | None = None) -> str:
        """Money: spend a month, with reform costs and extra mission money."""
        h = self.flows(frame)
        lines = [svg.Line("spend", h["spend"], COLOURS["spend"], x=h["month"]),
                 svg.Line("reform costs", h["reform_cost"], COLOURS["reform_cost"],
                          x=h["month"])]
        if float(h["extra_money"].abs().sum()) > 0:
            lines.append(svg.Line("extra money", h["extra_money"], COLOURS["extra"],
                                  x=h["month"]))
        return svg.line_chart(svg.Chart(title="Spending on the mission", lines=lines,
                                        xlim=(0, self.horizon), ylabel="£m a month"))

    def charities_svg(self, frame: Snapshot | None = None) -> str:
        """Charities: median reserves, with closures so far in the title."""
        h = self.history(frame)
        closed = int(h["charity_closures"].iloc[-1])
        lines = [svg.Line("median reserves", h["charity_reserves_median"], COLOURS["reserves"],
                          x=h["month"])]
        top = max(1.0, float(h["charity_reserves_median"].max()) * 1.1)
        return svg.line_chart(svg.Chart(
            title=f"Charities — {closed} closed, {int(h['charities_active'].iloc[-1])} open",
            lines=lines, xlim=(0, self.horizon), ylim=(0.0, top), ylabel="months of costs"))

    def places_svg(self, frame: Snapshot | None = None) -> str:
        """Which places are on track (true indicator), most deprived outlined."""
        f = frame or self._frame
        on = int(np.count_nonzero(f.behind <= 0.0))
        return svg.tiles(f.behind, f.deprivation,
                         title=f"Places on track: {on} of {f.behind.size} (month {f.month})")

    def network_svg(self, frame: Snapshot | None = None) -> str:
        """The partnership network at this month, on the layout fixed at reset."""
        f = frame or self._frame
        active = np.flatnonzero(f.active)
        row = np.full(f.active.size, -1)
        row[active] = np.arange(active.size)
        keep = (row[f.tie_u] >= 0) & (row[f.tie_v] >= 0)
        u, v = f.tie_u[keep], f.tie_v[keep]
        r_max = NETWORK_WIDTH * NODE_SPREAD / math.sqrt(max(f.behind.size, 1))
        radius = NODE_MIN + (r_max - NODE_MIN) * np.sqrt(
            np.minimum(f.filled[active] / self.size_ref, 1.0))
        kind = f.kind[active]
        national = max(r_max, NATIONAL_MIN)
        radius = np.where(kind == DEPARTMENT, national, radius)
        radius = np.where(kind == UNIT, national * UNIT_SHRINK, radius)
        sectors = [SECTOR_OF_KIND[k] for k in kind]
        faint = (f.locality[u] < 0) | (f.locality[v] < 0)
        return svg.network(self.layout[active], row[u], row[v], f.trust[keep], radius,
                           sectors, faint=faint,
                           title=f"Partnership network — {active.size} organisations, "
                                 f"{u.size} ties, mean trust {f.mean_trust:.2f}")


def layout(model) -> np.ndarray:
    """Fixed positions in [0, 1]² for every organisation slot of a model's world.

    Places sit on a sunflower spiral, least deprived at the centre; each council is at its
    place's centre with that place's charities on a ring around it; departments and the
    Missions Unit sit at the very centre. Positions depend only on the world's structure
    and :data:`LAYOUT_SEED`, so they stay put while ties form and break, charities close and
    new ones take their slots.
    """
    o, pl = model.orgs, model.places
    n_loc = pl.n
    rng = np.random.default_rng(LAYOUT_SEED)
    order = np.argsort(pl.deprivation, kind="stable")
    rank = np.empty(n_loc, dtype=int)
    rank[order] = np.arange(n_loc)
    golden = math.pi * (3.0 - math.sqrt(5.0))
    k = rank + 3.0  # leave the centre for the national organisations
    radius = np.sqrt(k / (n_loc + 3.0)) * 0.46
    centres = np.c_[0.5 + radius * np.cos(k * golden), 0.5 + radius * np.sin(k * golden)]
    cluster = 0.46 / math.sqrt(n_loc + 3.0) * 0.9
    pos = np.full((o.n, 2), 0.5)
    for i in range(n_loc):
        slots = np.flatnonzero((o.locality == i) & (o.kind == CHARITY))
        council = np.flatnonzero((o.locality == i) & (o.kind == COUNCIL))
        pos[council] = centres[i]
        if slots.size:
            angle = 2 * math.pi * (np.arange(slots.size) + rng.random()) / slots.size
            r = cluster * (0.65 + 0.35 * rng.random(slots.size))
            pos[slots] = centres[i] + np.c_[r * np.cos(angle), r * np.sin(angle)]
    national = np.flatnonzero(o.locality < 0)
    if national.size:
        angle = 2 * math.pi * np.arange(national.size) / national.size
        r = np.where(o.kind[national] == DEPARTMENT, 0.05, 0.0)
        pos[national] = 0.5 + np.c_[r * np.cos(angle), r * np.sin(angle)]
    return pos


def headline_text(head: dict[str, Any]) -> dict[str, str]:
    """The headline figures formatted for display."""
    unit = head["unit"]

    def value(v: float) -> str:
        return f"{v:.1f}%" if unit == "%" else f"{v:,.0f} {unit}"

    return {
        "month": f"Month {head['month']} of {head['horizon']}",
        "true": value(head["true"]),
        "reported": value(head["reported"]),
        "target": f"{value(head['target'])} by month {head['deadline']}",
        "trajectory": value(head["trajectory"]),
        "on_track": f"{head['on_track']:.0%}",
        "spend": f"£{head['spend_total']:,.0f}m",
        "closures": f"{head['closures']}",
    }


__all__ = ["LiveRun", "Settings", "Snapshot", "base_scenario", "choices", "headline_text", "layout",
           "reference", "reform_bounds"]
