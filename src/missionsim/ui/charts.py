"""The app's charts, drawn from snapshots and tables: the live run's and the Compare page's.

Every function returns an SVG string built with :mod:`missionsim.ui.svg`. The Explore page's
charts read a live run's :class:`~missionsim.experiments.live.Snapshot` (its reporters so far,
its places with each one's outcome month by month, and its network), never the model; the
Compare page's fan charts read the table of :func:`missionsim.ui.comparison.fan_table`. Chart
sizes are in SVG units (the charts scale to their container), line widths in pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from missionsim.experiments.live import (
    CHARITY,
    COUNCIL,
    DEPARTMENT,
    SECTOR_OF_KIND,
    UNIT,
    PlaceFacts,
    Snapshot,
)
from missionsim.model.missions import Mission
from missionsim.ui import svg
from missionsim.ui.places import place_path
from missionsim.writeup.report import BASELINE_COLOUR
from missionsim.writeup.summary import effect_unit

COLOURS = {"true": "#1f78b4", "reported": "#e6550d", "target": "#636363",
           "reference": "#9e9e9e", "morale": "#1f78b4", "vacancy": "#e6550d",
           "turnover": "#6a3d9a", "spend": "#1f78b4", "reform_cost": "#33a02c",
           "extra": "#e6550d", "reserves": "#33a02c"}
"""The colour of each series."""

MAIN_WIDTH, TRAJECTORY_HEIGHT, FAN_HEIGHT = 620, 300, 330
"""Size of the main charts: the mission's trajectory, and each fan chart."""

TARGET_DASH, REPORTED_DASH, ZERO_DASH = "6 4", "3 3", "4 3"
"""Dash patterns: the target trajectory, the reported indicator, a fan chart's zero line."""

GUIDE_WIDTH, LINE_WIDTH, MAIN_LINE_WIDTH = 1.5, 2.0, 2.6
"""Line widths: guides (target, zero), other series, and the series a chart is about."""

Y_PAD = 0.08
"""Room above and below the trajectory chart's lines, as a share of their range."""

SHARE_TOP, RESERVES_TOP, HEADROOM = 0.5, 1.0, 1.05
"""The least top of the workforce chart (a share) and of the reserves chart (months of
costs), and the room left above the highest line (workforce)."""
RESERVES_HEADROOM = 1.1
"""The room left above the highest median reserves."""

OUTCOME_BAND, DIFFERENCE_BAND = 0.16, 0.18
"""Opacity of the 95% bands of the outcome and of the differences."""


# --- the live run ---------------------------------------------------------------------------
def trajectory(history: pd.DataFrame, mission: Mission, horizon: int,
               reference: pd.DataFrame | None) -> str:
    """The mission indicator (true and reported) against the target trajectory.

    Args:
        history: The reporters so far (:attr:`~missionsim.experiments.live.Snapshot.history`).
        mission: The run's mission.
        horizon: Months the run lasts (the x axis).
        reference: The same world without reforms, drawn in grey (``None``: not drawn).
    """
    h = history
    months = np.arange(horizon + 1)
    target = mission.trajectory(months)
    lines = [svg.Line("target trajectory", target, COLOURS["target"], dash=TARGET_DASH,
                      width=GUIDE_WIDTH)]
    if reference is not None:
        lines.append(svg.Line("without reforms", reference["outcome"], COLOURS["reference"],
                              width=LINE_WIDTH, x=reference["month"]))
    lines.append(svg.Line("reported", h["outcome_reported"], COLOURS["reported"],
                          dash=REPORTED_DASH, width=LINE_WIDTH, x=h["month"]))
    lines.append(svg.Line("true", h["outcome"], COLOURS["true"], width=MAIN_LINE_WIDTH,
                          x=h["month"]))
    values = [np.asarray(ln.y, dtype=float) for ln in lines]
    lo = min(float(np.nanmin(v)) for v in values)
    hi = max(float(np.nanmax(v)) for v in values)
    pad = Y_PAD * (hi - lo or 1.0)
    return svg.line_chart(svg.Chart(
        title=f"Mission: {mission.indicator} ({mission.unit})", x=months, lines=lines,
        xlim=(0, horizon), ylim=(lo - pad, hi + pad),
        markers=[(mission.deadline, "deadline")], width=MAIN_WIDTH, height=TRAJECTORY_HEIGHT))


def flows(history: pd.DataFrame) -> pd.DataFrame:
    """The history from month 1: monthly flows (spend, quits) are empty at month 0."""
    h = history
    return h[h["month"] >= 1] if len(h) > 1 else h


def workforce(history: pd.DataFrame, horizon: int) -> str:
    """Frontline workforce: morale, vacancies and turnover."""
    h = flows(history)
    lines = [svg.Line("morale", h["staff_morale"], COLOURS["morale"], x=h["month"]),
             svg.Line("vacancy rate", h["vacancy_rate"], COLOURS["vacancy"], x=h["month"]),
             svg.Line("turnover (a year)", h["staff_turnover"], COLOURS["turnover"],
                      x=h["month"])]
    top = max(SHARE_TOP, float(np.nanmax([h[c].max() for c in
                                          ("staff_morale", "vacancy_rate", "staff_turnover")])))
    return svg.line_chart(svg.Chart(title="Workforce", lines=lines, xlim=(0, horizon),
                                    ylim=(0.0, top * HEADROOM), ylabel="share"))


def finance(history: pd.DataFrame, horizon: int) -> str:
    """Money: spend a month, with reform costs and extra mission money."""
    h = flows(history)
    lines = [svg.Line("spend", h["spend"], COLOURS["spend"], x=h["month"]),
             svg.Line("reform costs", h["reform_cost"], COLOURS["reform_cost"],
                      x=h["month"])]
    if float(h["extra_money"].abs().sum()) > 0:
        lines.append(svg.Line("extra money", h["extra_money"], COLOURS["extra"],
                              x=h["month"]))
    return svg.line_chart(svg.Chart(title="Spending on the mission", lines=lines,
                                    xlim=(0, horizon), ylabel="£m a month"))


def charities(history: pd.DataFrame, horizon: int) -> str:
    """Charities: median reserves, with closures so far in the title."""
    h = history
    closed = int(h["charity_closures"].iloc[-1])
    lines = [svg.Line("median reserves", h["charity_reserves_median"], COLOURS["reserves"],
                      x=h["month"])]
    top = max(RESERVES_TOP, float(h["charity_reserves_median"].max()) * RESERVES_HEADROOM)
    return svg.line_chart(svg.Chart(
        title=f"Charities — {closed} closed, {int(h['charities_active'].iloc[-1])} open",
        lines=lines, xlim=(0, horizon), ylim=(0.0, top), ylabel="months of costs"))


def places(frame: Snapshot, names: Sequence[str] | None = None,
           picked: int | None = None) -> str:
    """Which places are on track (true indicator), most deprived outlined.

    Args:
        frame: The snapshot.
        names: Each place's name, shown in its tile's tooltip (default: "Place 1", …).
        picked: The place picked on the page, outlined (``None``: none).
    """
    on = int(np.count_nonzero(frame.behind <= 0.0))
    return svg.tiles(frame.behind, frame.deprivation,
                     title=f"Places on track: {on} of {frame.behind.size} (month {frame.month})",
                     names=names, picked=picked)


def place(frame: Snapshot, facts: PlaceFacts, index: int, mission: Mission,
          horizon: int) -> str:
    """One place's true outcome month by month against its own trajectory to the target.

    Args:
        frame: The snapshot (its per-place outcomes so far).
        facts: The run's places (names and starting values).
        index: The place's row.
        mission: The run's mission.
        horizon: Months the run lasts (the x axis).
    """
    months = np.arange(horizon + 1)
    path = place_path(facts, index, months)
    outcome = frame.outcomes[:, index]
    lines = [svg.Line("its own trajectory", path, COLOURS["target"], dash=TARGET_DASH,
                      width=GUIDE_WIDTH),
             svg.Line("true", outcome, COLOURS["true"], width=MAIN_LINE_WIDTH,
                      x=np.arange(outcome.size))]
    lo = min(float(np.nanmin(path)), float(np.nanmin(outcome)))
    hi = max(float(np.nanmax(path)), float(np.nanmax(outcome)))
    pad = Y_PAD * (hi - lo or 1.0)
    return svg.line_chart(svg.Chart(
        title=f"{facts.names[index]}: {mission.indicator} ({mission.unit})", x=months,
        lines=lines, xlim=(0, horizon), ylim=(lo - pad, hi + pad),
        markers=[(mission.deadline, "deadline")], width=MAIN_WIDTH, height=TRAJECTORY_HEIGHT))


# --- the partnership network ----------------------------------------------------------------
LAYOUT_SEED = 20260
"""Seed of the network layout's jitter: the layout depends on the world, never on a run."""

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

SPIRAL_RADIUS = 0.46
"""Radius of the disc the places' spiral fills, in the unit square (centred at 0.5)."""

CENTRE_GAP = 3.0
"""Spiral positions left empty at the centre, for the national organisations."""

CLUSTER_SHARE = 0.9
"""Radius of a place's ring of charities as a share of the room per place on the spiral."""

RING_INNER, RING_SPREAD = 0.65, 0.35
"""Charities sit at a random distance from 0.65 to 0.65 + 0.35 = 1 times the ring's radius."""

DEPARTMENT_RING = 0.05
"""Radius of the ring of departments around the Missions Unit at the centre."""


def layout(frame: Snapshot) -> np.ndarray:
    """Fixed positions in [0, 1]² for every organisation slot of a run's world.

    Places sit on a sunflower spiral, least deprived at the centre; each council is at its
    place's centre with that place's charities on a ring around it; departments and the
    Missions Unit sit at the very centre. Positions depend only on the world's structure
    (read from a snapshot at month 0) and :data:`LAYOUT_SEED`, so they stay put while ties
    form and break, charities close and new ones take their slots.
    """
    kind, locality, deprivation = frame.kind, frame.locality, frame.deprivation
    n_loc = deprivation.size
    rng = np.random.default_rng(LAYOUT_SEED)
    order = np.argsort(deprivation, kind="stable")
    rank = np.empty(n_loc, dtype=int)
    rank[order] = np.arange(n_loc)
    golden = math.pi * (3.0 - math.sqrt(5.0))  # the golden angle
    k = rank + CENTRE_GAP
    radius = np.sqrt(k / (n_loc + CENTRE_GAP)) * SPIRAL_RADIUS
    centres = np.c_[0.5 + radius * np.cos(k * golden), 0.5 + radius * np.sin(k * golden)]
    cluster = SPIRAL_RADIUS / math.sqrt(n_loc + CENTRE_GAP) * CLUSTER_SHARE
    pos = np.full((kind.size, 2), 0.5)
    for i in range(n_loc):
        slots = np.flatnonzero((locality == i) & (kind == CHARITY))
        council = np.flatnonzero((locality == i) & (kind == COUNCIL))
        pos[council] = centres[i]
        if slots.size:
            angle = 2 * math.pi * (np.arange(slots.size) + rng.random()) / slots.size
            r = cluster * (RING_INNER + RING_SPREAD * rng.random(slots.size))
            pos[slots] = centres[i] + np.c_[r * np.cos(angle), r * np.sin(angle)]
    national = np.flatnonzero(locality < 0)
    if national.size:
        angle = 2 * math.pi * np.arange(national.size) / national.size
        r = np.where(kind[national] == DEPARTMENT, DEPARTMENT_RING, 0.0)
        pos[national] = 0.5 + np.c_[r * np.cos(angle), r * np.sin(angle)]
    return pos


def network(frame: Snapshot, positions: np.ndarray, size_ref: float) -> str:
    """The partnership network at a snapshot's month.

    Args:
        frame: The snapshot.
        positions: Every slot's position (:func:`layout`).
        size_ref: Staff in post that gives a node the largest radius (the most at month 0).
    """
    f = frame
    active = np.flatnonzero(f.active)
    row = np.full(f.active.size, -1)
    row[active] = np.arange(active.size)
    keep = (row[f.tie_u] >= 0) & (row[f.tie_v] >= 0)
    u, v = f.tie_u[keep], f.tie_v[keep]
    r_max = NETWORK_WIDTH * NODE_SPREAD / math.sqrt(max(f.behind.size, 1))
    radius = NODE_MIN + (r_max - NODE_MIN) * np.sqrt(
        np.minimum(f.filled[active] / size_ref, 1.0))
    kind = f.kind[active]
    national = max(r_max, NATIONAL_MIN)
    radius = np.where(kind == DEPARTMENT, national, radius)
    radius = np.where(kind == UNIT, national * UNIT_SHRINK, radius)
    sectors = [SECTOR_OF_KIND[k] for k in kind]
    faint = (f.locality[u] < 0) | (f.locality[v] < 0)
    return svg.network(positions[active], row[u], row[v], f.trust[keep], radius,
                       sectors, faint=faint,
                       title=f"Partnership network — {active.size} organisations, "
                             f"{u.size} ties, mean trust {f.mean_trust:.2f}")


# --- the Compare page's fan charts ----------------------------------------------------------
def fan_outcome(fan: pd.DataFrame, mission: Mission, order: Sequence[str],
                palette: dict[str, str], end: int) -> str:
    """Fan chart of the mission indicator: each scenario's mean and 95% CI band."""
    months = np.arange(end + 1)
    lines = [svg.Line("target trajectory", mission.trajectory(months), COLOURS["target"],
                      dash=TARGET_DASH, width=GUIDE_WIDTH)]
    bands = []
    for name in order:
        f = fan[fan["scenario"] == name]
        bands.append(svg.Band(f["lo"], f["hi"], palette[name], opacity=OUTCOME_BAND,
                              x=f["month"]))
        lines.append(svg.Line(name, f["mean"], palette[name], width=MAIN_LINE_WIDTH,
                              x=f["month"]))
    return svg.line_chart(svg.Chart(
        title=f"Mission: {mission.indicator} ({mission.unit})", x=months, lines=lines,
        bands=bands, xlim=(0, end), markers=[(mission.deadline, "deadline")], width=MAIN_WIDTH,
        height=FAN_HEIGHT))


def fan_difference(fan: pd.DataFrame, mission: Mission, order: Sequence[str],
                   palette: dict[str, str], baseline: str, end: int) -> str:
    """Fan chart of each scenario's paired difference from the baseline, with 95% CI bands."""
    months = np.arange(end + 1)
    lines = [svg.Line(f"{baseline} (no difference)", np.zeros(months.size), BASELINE_COLOUR,
                      dash=ZERO_DASH, width=GUIDE_WIDTH)]
    bands = []
    for name in order:
        if name == baseline:
            continue
        f = fan[fan["scenario"] == name]
        bands.append(svg.Band(f["difference_lo"], f["difference_hi"], palette[name],
                              opacity=DIFFERENCE_BAND, x=f["month"]))
        lines.append(svg.Line(name, f["difference"], palette[name], width=MAIN_LINE_WIDTH,
                              x=f["month"]))
    return svg.line_chart(svg.Chart(
        title=f"Difference from {baseline}", x=months, lines=lines, bands=bands,
        xlim=(0, end), ylabel=effect_unit(mission.unit),
        markers=[(mission.deadline, "deadline")], width=MAIN_WIDTH, height=FAN_HEIGHT))
