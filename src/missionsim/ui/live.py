"""One browser session's live model, and what the Explore page draws from it.

Nothing here depends on Solara: a :class:`LiveRun` is a model built from a scenario through
the same path as every study (:func:`missionsim.runner.spec_for` and
:func:`~missionsim.runner.build_model`), stepped month by month, with a reference run of the
same world without reforms to compare against. The drawing functions return SVG strings
(:mod:`missionsim.ui.svg`).

Each browser session owns its own :class:`LiveRun`; the only shared state is a small cache of
reference runs, which are immutable tables.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from missionsim import reporters, runner
from missionsim.params import PRESETS
from missionsim.reforms import REFORMS
from missionsim.scenario import ReformSpec, Scenario, ScenarioError, load_scenario, shipped
from missionsim.state import CHARITY, COUNCIL, DEPARTMENT, SECTOR_OF_KIND
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
class LiveRun:
    """A model built from a scenario, stepped on request, with its drawing state.

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
        self._history: tuple[int, pd.DataFrame] | None = None
        self.layout = layout(self.model)
        filled = self.model.staff.filled_by_org(self.model.orgs.n)
        self.size_ref = float(max(1, filled.max()))
        self.reference = reference(scenario, replicate) if scenario.reforms else None

    @property
    def month(self) -> int:
        """Months simulated so far."""
        return int(self.model.month)

    @property
    def horizon(self) -> int:
        """Months the scenario runs for."""
        return int(self.scenario.horizon)

    @property
    def finished(self) -> bool:
        """Whether the run has reached its horizon."""
        return self.month >= self.horizon

    def step(self, months: int = 1) -> int:
        """Advance up to ``months`` months (never past the horizon); return the new month."""
        with self.lock:
            for _ in range(max(0, min(months, self.horizon - self.month))):
                self.model.step()
            return self.month

    def history(self) -> pd.DataFrame:
        """The reporters so far, one row per month (row 0 = month 0).

        Built once per month: every chart of a redraw reads the same table.
        """
        if self._history is None or self._history[0] != self.month:
            frame = self.model.datacollector.get_model_vars_dataframe()
            self._history = (self.month, frame.rename_axis("month").reset_index())
        return self._history[1]

    # --- headline numbers ---------------------------------------------------------------
    def headline(self) -> dict[str, Any]:
        """The figures always on show: month, true and reported value, target, on-track."""
        m = self.model
        mission = self.mission
        return {
            "month": self.month,
            "horizon": self.horizon,
            "true": reporters.outcome(m),
            "reported": reporters.outcome_reported(m),
            "target": mission.target,
            "deadline": mission.deadline,
            "unit": mission.unit,
            "on_track": reporters.on_track_share(m),
            "spend_total": reporters.spend_total(m),
            "closures": reporters.charity_closures(m),
            "trajectory": m.trajectory(),
        }

    # --- drawings -----------------------------------------------------------------------
    def trajectory_svg(self) -> str:
        """The mission indicator (true and reported) against the target trajectory."""
        h = self.history()
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

    def flows(self) -> pd.DataFrame:
        """The history from month 1: monthly flows (spend, quits) are empty at month 0."""
        h = self.history()
        return h[h["month"] >= 1] if len(h) > 1 else h

    def workforce_svg(self) -> str:
        """Frontline workforce: morale, vacancies and turnover."""
        h = self.flows()
        lines = [svg.Line("morale", h["staff_morale"], COLOURS["morale"], x=h["month"]),
                 svg.Line("vacancy rate", h["vacancy_rate"], COLOURS["vacancy"], x=h["month"]),
                 svg.Line("turnover (a year)", h["staff_turnover"], COLOURS["turnover"],
                          x=h["month"])]
        top = max(0.5, float(np.nanmax([h[c].max() for c in
                                        ("staff_morale", "vacancy_rate", "staff_turnover")])))
        return svg.line_chart(svg.Chart(title="Workforce", lines=lines, xlim=(0, self.horizon),
                                        ylim=(0.0, top * 1.05), ylabel="share"))

    def finance_svg(self) -> str:
        """Money: spend a month, with reform costs and extra mission money."""
        h = self.flows()
        lines = [svg.Line("spend", h["spend"], COLOURS["spend"], x=h["month"]),
                 svg.Line("reform costs", h["reform_cost"], COLOURS["reform_cost"],
                          x=h["month"])]
        if float(h["extra_money"].abs().sum()) > 0:
            lines.append(svg.Line("extra money", h["extra_money"], COLOURS["extra"],
                                  x=h["month"]))
        return svg.line_chart(svg.Chart(title="Spending on the mission", lines=lines,
                                        xlim=(0, self.horizon), ylabel="£m a month"))

    def charities_svg(self) -> str:
        """Charities: median reserves, with closures so far in the title."""
        h = self.history()
        closed = int(h["charity_closures"].iloc[-1])
        lines = [svg.Line("median reserves", h["charity_reserves_median"], COLOURS["reserves"],
                          x=h["month"])]
        top = max(1.0, float(h["charity_reserves_median"].max()) * 1.1)
        return svg.line_chart(svg.Chart(
            title=f"Charities — {closed} closed, {int(h['charities_active'].iloc[-1])} open",
            lines=lines, xlim=(0, self.horizon), ylim=(0.0, top), ylabel="months of costs"))

    def places_svg(self) -> str:
        """Which places are on track (true indicator), most deprived outlined."""
        pl = self.model.places
        behind = self.model.places_behind(reported=False)
        on = int(np.count_nonzero(behind <= 0.0))
        return svg.tiles(behind, pl.deprivation,
                         title=f"Places on track: {on} of {pl.n} (month {self.month})")

    def network_svg(self) -> str:
        """The partnership network at this month, on the layout fixed at reset."""
        m = self.model
        o, net = m.orgs, m.net
        active = np.flatnonzero(o.active)
        row = np.full(o.n, -1)
        row[active] = np.arange(active.size)
        keep = (row[net.u] >= 0) & (row[net.v] >= 0)
        filled = m.staff.filled_by_org(o.n)[active]
        n_loc = m.places.n
        r_max = 0.42 * 520 / math.sqrt(max(n_loc, 1)) * 0.45
        r_min = 1.2
        radius = r_min + (r_max - r_min) * np.sqrt(np.minimum(filled / self.size_ref, 1.0))
        kind = o.kind[active]
        radius = np.where(kind == DEPARTMENT, max(r_max, 7.0), radius)
        radius = np.where(kind == 3, max(r_max, 7.0) * 0.8, radius)  # the Missions Unit
        sectors = [SECTOR_OF_KIND[k] for k in kind]
        ties = int(keep.sum())
        national = (o.locality[net.u[keep]] < 0) | (o.locality[net.v[keep]] < 0)
        return svg.network(self.layout[active], row[net.u[keep]], row[net.v[keep]],
                           net.trust[keep], radius, sectors, faint=national,
                           title=f"Partnership network — {active.size} organisations, "
                                 f"{ties} ties, mean trust {reporters.mean_trust(m):.2f}")


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


__all__ = ["LiveRun", "Settings", "base_scenario", "choices", "headline_text", "layout",
           "reference", "reform_bounds"]
