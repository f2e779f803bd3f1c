"""The app's charts, built from snapshots and tables: the live run's and the Compare page's.

Every line chart is an ECharts option with its data (a :class:`~missionsim.ui.echarts.Figure`
of :mod:`missionsim.ui.echarts`): hover shows the values, the toolbox zooms and saves an image
and the page offers the data as CSV. The Explore page's charts read a live run's
:class:`~missionsim.experiments.live.Snapshot` (its reporters so far and its places with each
one's outcome month by month), never the model; the Compare page's fan charts read the table of
:func:`missionsim.ui.comparison.fan_table`. The places chart stays an SVG tile map
(:func:`places`); the network is drawn by :mod:`missionsim.ui.network`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from missionsim.experiments.live import PlaceFacts, Snapshot
from missionsim.model.missions import Mission
from missionsim.ui import svg
from missionsim.ui.echarts import LINE_HEIGHT, MAIN_WIDTH, Band, Figure, Line, line_figure
from missionsim.ui.places import place_path
from missionsim.writeup.report import BASELINE_COLOUR
from missionsim.writeup.summary import effect_unit

COLOURS = {"true": "#1f78b4", "reported": "#e6550d", "target": "#636363",
           "reference": "#9e9e9e", "morale": "#1f78b4", "vacancy": "#e6550d",
           "turnover": "#6a3d9a", "spend": "#1f78b4", "reform_cost": "#33a02c",
           "extra": "#e6550d", "reserves": "#33a02c"}
"""The colour of each series."""

OUTCOME_BAND, DIFFERENCE_BAND = 0.16, 0.18
"""Opacity of the 95% bands of the outcome and of the differences."""


# --- the live run ---------------------------------------------------------------------------
def trajectory(history: pd.DataFrame, mission: Mission, horizon: int,
               reference: pd.DataFrame | None) -> Figure:
    """The mission indicator (true and reported) against the target trajectory.

    The run without reforms is drawn only up to the run's current month, so the room does
    not see where the world is heading before the run gets there.

    Args:
        history: The reporters so far (:attr:`~missionsim.experiments.live.Snapshot.history`).
        mission: The run's mission.
        horizon: Months the run lasts (the x axis).
        reference: The same world without reforms, drawn in grey (``None``: not drawn).
    """
    h = history
    months = np.arange(horizon + 1)
    lines = [Line("target trajectory", months, mission.trajectory(months), COLOURS["target"],
                  dash="dashed")]
    if reference is not None:
        now = reference[reference["month"] <= int(h["month"].iloc[-1])]
        lines.append(Line("without reforms", now["month"], now["outcome"],
                          COLOURS["reference"]))
    lines.append(Line("reported", h["month"], h["outcome_reported"], COLOURS["reported"],
                      dash="dotted"))
    lines.append(Line("true", h["month"], h["outcome"], COLOURS["true"], width=MAIN_WIDTH))
    return line_figure(f"Mission: {mission.indicator} ({mission.unit})", lines, xmax=horizon,
                       scale=True, deadline=mission.deadline, height=LINE_HEIGHT)


def flows(history: pd.DataFrame) -> pd.DataFrame:
    """The history from month 1: monthly flows (spend, quits) are empty at month 0."""
    h = history
    return h[h["month"] >= 1] if len(h) > 1 else h


def workforce(history: pd.DataFrame, horizon: int) -> Figure:
    """Frontline workforce: morale, vacancies and turnover (shares)."""
    h = flows(history)
    lines = [Line("morale", h["month"], h["staff_morale"], COLOURS["morale"]),
             Line("vacancy rate", h["month"], h["vacancy_rate"], COLOURS["vacancy"]),
             Line("turnover (a year)", h["month"], h["staff_turnover"], COLOURS["turnover"])]
    return line_figure("Workforce", lines, xmax=horizon, ylabel="share", ylo=0.0)


def finance(history: pd.DataFrame, horizon: int) -> Figure:
    """Money: spend a month, with reform costs and extra mission money."""
    h = flows(history)
    lines = [Line("spend", h["month"], h["spend"], COLOURS["spend"]),
             Line("reform costs", h["month"], h["reform_cost"], COLOURS["reform_cost"])]
    if float(h["extra_money"].abs().sum()) > 0:
        lines.append(Line("extra money", h["month"], h["extra_money"], COLOURS["extra"]))
    return line_figure("Spending on the mission", lines, xmax=horizon, ylabel="£m a month",
                       ylo=0.0)


def charities(history: pd.DataFrame, horizon: int) -> Figure:
    """Charities: median reserves, with closures so far in the title."""
    h = history
    closed = int(h["charity_closures"].iloc[-1])
    lines = [Line("median reserves", h["month"], h["charity_reserves_median"],
                  COLOURS["reserves"])]
    return line_figure(f"Charities — {closed} closed, {int(h['charities_active'].iloc[-1])} "
                       "open", lines, xmax=horizon, ylabel="months of costs", ylo=0.0)


def places(frame: Snapshot, names: Sequence[str] | None = None,
           picked: int | None = None) -> str:
    """Which places are on track (true indicator), most deprived outlined (an SVG tile map).

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
          horizon: int) -> Figure:
    """One place's true outcome month by month against its own trajectory to the target.

    Args:
        frame: The snapshot (its per-place outcomes so far).
        facts: The run's places (names and starting values).
        index: The place's row.
        mission: The run's mission.
        horizon: Months the run lasts (the x axis).
    """
    months = np.arange(horizon + 1)
    outcome = frame.outcomes[:, index]
    lines = [Line("its own trajectory", months, place_path(facts, index, months),
                  COLOURS["target"], dash="dashed"),
             Line("true", np.arange(outcome.size), outcome, COLOURS["true"], width=MAIN_WIDTH)]
    return line_figure(f"{facts.names[index]}: {mission.indicator} ({mission.unit})", lines,
                       xmax=horizon, scale=True, deadline=mission.deadline, height=LINE_HEIGHT)


# --- the Compare page's fan charts ----------------------------------------------------------
def fan_outcome(fan: pd.DataFrame, mission: Mission, order: Sequence[str],
                palette: dict[str, str], end: int) -> Figure:
    """Fan chart of the mission indicator: each scenario's mean and 95% CI band."""
    months = np.arange(end + 1)
    lines = [Line("target trajectory", months, mission.trajectory(months), COLOURS["target"],
                  dash="dashed")]
    bands = []
    for name in order:
        f = fan[fan["scenario"] == name]
        bands.append(Band(name, f["month"], f["lo"], f["hi"], palette[name], OUTCOME_BAND))
        lines.append(Line(name, f["month"], f["mean"], palette[name], width=MAIN_WIDTH))
    return line_figure(f"Mission: {mission.indicator} ({mission.unit})", lines, bands=bands,
                       xmax=end, scale=True, deadline=mission.deadline, height=LINE_HEIGHT)


def fan_difference(fan: pd.DataFrame, mission: Mission, order: Sequence[str],
                   palette: dict[str, str], baseline: str, end: int) -> Figure:
    """Fan chart of each scenario's paired difference from the baseline, with 95% CI bands."""
    months = np.arange(end + 1)
    lines = [Line(f"{baseline} (no difference)", months, np.zeros(months.size),
                  BASELINE_COLOUR, dash="dashed")]
    bands = []
    for name in order:
        if name == baseline:
            continue
        f = fan[fan["scenario"] == name]
        bands.append(Band(name, f["month"], f["difference_lo"], f["difference_hi"],
                          palette[name], DIFFERENCE_BAND))
        lines.append(Line(name, f["month"], f["difference"], palette[name], width=MAIN_WIDTH))
    return line_figure(f"Difference from {baseline}", lines, bands=bands, xmax=end,
                       ylabel=effect_unit(mission.unit), scale=True, deadline=mission.deadline,
                       height=LINE_HEIGHT)
