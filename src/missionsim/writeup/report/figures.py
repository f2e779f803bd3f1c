"""The report's figures: matplotlib, drawn off screen and embedded as PNG data URIs.

Every function takes the :class:`~.view.StudyView` (for each scenario's colour, line style and
marker) and returns a ``data:image/png;base64,...`` URI. Figures are laid out with fixed margins
rather than matplotlib's constrained layout (much faster) and saved without metadata, so equal
figures give equal bytes. Lines are means across replicates; bands are 95% confidence intervals
of the mean (:func:`aggregate`).
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from missionsim.analysis import stats
from missionsim.writeup.report.view import BASELINE_COLOUR, StudyView
from missionsim.writeup.summary import effect_unit, level

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 100
"""Resolution of the embedded figures (dots per inch)."""

SERIES = ("outcome", "outcome_reported", "inequality", "outcome_most_deprived", "staff_morale",
          "staff_turnover", "vacancy_rate", "charity_closures", "charity_reserves_median",
          "charities_active")
"""Month-by-month reporters the figures draw."""

LINE_WIDTH, BASELINE_WIDTH = 1.5, 2.2
"""Width of a scenario's mean line and of the baseline's (points)."""
BAND_ALPHA = 0.13
"""Opacity of a 95% confidence band."""
GRID_ALPHA = 0.3
"""Opacity of the grid lines."""
TRAJECTORY_COLOUR, TARGET_COLOUR, AXIS_COLOUR = "#777777", "#b22222", "#999999"
"""The target trajectory (grey, dashed), the target and deadline (dark red), zero lines."""

# the fixed layout of finish_figure, in inches
MARGIN_LEFT, MARGIN_RIGHT, PANEL_GAP = 0.8, 0.2, 0.9
"""Room for the y axis's ticks and label, at the right edge, and between panels."""
MARGIN_TOP, MARGIN_TOP_UNTITLED = 0.35, 0.15
"""Room above the panels for a title, and without one."""
MARGIN_BOTTOM = 0.62
"""Room below the panels for the x axis's ticks and label."""
LEGEND_FONT = 8
"""Legend text size (points)."""
LEGEND_HANDLE, LEGEND_CHARACTER, LEGEND_SIDES = 0.55, 0.068, 0.3
"""A legend column's width is the handle's plus one character's times the longest label;
the sides of the figure are left free."""
LEGEND_COLUMNS = 4
"""Most columns in a legend."""
LEGEND_PAD, LEGEND_ROW = 0.1, 0.19
"""A legend's height: padding plus one row's height a row."""


def mpl_text(text: str) -> str:
    """Text safe for matplotlib (no mathtext)."""
    return str(text).replace("$", r"\$")


def new_figure(width: float, height: float) -> Figure:
    """An empty figure ``width`` by ``height`` inches, off screen (no pyplot)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=DPI)


def _png(fig: Figure) -> str:
    """The figure as a PNG data URI (no metadata, so identical figures give identical bytes)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def aggregate(months: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Mean, lower and upper 95% CI of the mean across replicates, by (scenario, month).

    The interval is :func:`missionsim.analysis.stats.t_bounds` (t distribution; empty with
    fewer than 2 replicates).
    """
    cols = [c for c in SERIES if c in months.columns]
    grouped = months.groupby(["scenario", "month"], sort=True)[cols]
    mean, sd, n = grouped.mean(), grouped.std(ddof=1), grouped.count()
    lo, hi = stats.t_bounds(mean, sd, n)
    return {"mean": mean, "lo": lo, "hi": hi}


def _line(ax: Axes, agg: dict[str, pd.DataFrame], s: StudyView, name: str, column: str,
          band: bool = True, label: str | None = None, style: str | None = None,
          scale: float = 1.0) -> Any:
    """Draw a scenario's mean of ``column`` (times ``scale``), with its band; return the line.

    ``None`` when the scenario has no months.
    """
    if name not in agg["mean"].index.get_level_values(0):
        return None
    mean = agg["mean"].loc[name, column] * scale
    x = mean.index.to_numpy()
    lw = BASELINE_WIDTH if name == s.base else LINE_WIDTH
    (handle,) = ax.plot(x, mean.to_numpy(), color=s.colours[name], lw=lw,
                        ls=style or s.styles[name], label=mpl_text(label or name))
    if band:
        lo = agg["lo"].loc[name, column].to_numpy() * scale
        hi = agg["hi"].loc[name, column].to_numpy() * scale
        if np.isfinite(lo).any():
            ax.fill_between(x, lo, hi, color=s.colours[name], alpha=BAND_ALPHA, lw=0)
    return handle


def _month_axis(ax: Axes, s: StudyView) -> None:
    """Label the x axis in months from the mission's start, and draw the grid."""
    start = s.mission.start_label.split(" ")[0]
    ax.set_xlabel(f"month (0 = {start})")
    ax.grid(alpha=GRID_ALPHA)


def finish_figure(fig: Figure, handles: Sequence[Any] = (), labels: Sequence[str] = (),
                  titled: bool = True) -> str:
    """Lay the axes out with fixed margins (in inches), add a legend below them, encode.

    The figure grows by the legend's height. A fixed layout is much faster than matplotlib's
    constrained layout.
    """
    width, height = fig.get_size_inches()
    n = len(fig.axes)
    bottom = MARGIN_BOTTOM
    if handles:
        longest = max(len(label) for label in labels)
        column = LEGEND_HANDLE + LEGEND_CHARACTER * longest
        ncol = max(1, min(LEGEND_COLUMNS, len(labels), int((width - LEGEND_SIDES) // column)))
        rows = math.ceil(len(labels) / ncol)
        # centred just above the bottom edge (in figure fractions)
        fig.legend(list(handles), list(labels), loc="lower center", bbox_to_anchor=(0.5, 0.01),
                   ncol=ncol, frameon=False, fontsize=LEGEND_FONT)
        extra = LEGEND_PAD + LEGEND_ROW * rows
        bottom += extra
        height += extra
        fig.set_size_inches(width, height)
    left, right, gap = MARGIN_LEFT, MARGIN_RIGHT, PANEL_GAP
    top = MARGIN_TOP if titled else MARGIN_TOP_UNTITLED
    axis_width = (width - left - right - (n - 1) * gap) / n
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height,
                        top=1 - top / height, wspace=gap / axis_width)
    return _png(fig)


# Below, figure sizes are in inches, and font sizes and line widths in points.
def trajectories(s: StudyView, agg: dict[str, pd.DataFrame]) -> str:
    """The national outcome of every scenario against the target trajectory."""
    m = s.mission
    fig = new_figure(9.0, 4.4)
    ax = fig.add_subplot()
    handles, labels = [], []
    for name in s.names:
        h = _line(ax, agg, s, name, "outcome")
        if h is not None:
            handles.append(h)
            labels.append(mpl_text(name))
    last = max(int(s.results.months["month"].max()), m.deadline)
    t = np.arange(0, last + 1)
    path = m.trajectory(t)
    (h1,) = ax.plot(t, path, color=TRAJECTORY_COLOUR, ls="--", lw=1.4)
    h2 = ax.axhline(m.target, color=TARGET_COLOUR, ls=":", lw=1.4)
    h3 = ax.axvline(m.deadline, color=TARGET_COLOUR, ls="-", lw=0.8, alpha=0.6)
    handles += [h1, h2, h3]
    labels += ["target trajectory", f"target ({level(m.target, m.unit)})",
               f"deadline (month {m.deadline})"]
    ax.set_ylabel(mpl_text(f"{m.indicator} ({m.unit})"))
    ax.set_title("National outcome (true indicator)", fontsize=11)
    _month_axis(ax, s)
    return finish_figure(fig, handles, labels)


def gaming(s: StudyView, agg: dict[str, pd.DataFrame]) -> str:
    """Reported against true indicator for the baseline and the best scenario."""
    m = s.mission
    panels = [s.base] + ([s.best["scenario"]] if s.best is not None else [])
    fig = new_figure(9.0 if len(panels) > 1 else 5.5, 3.3)
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    for ax, name in zip(axes, panels, strict=True):
        h_true = _line(ax, agg, s, name, "outcome", label="true")
        h_rep = _line(ax, agg, s, name, "outcome_reported", label="reported", style="--")
        ax.set_title(mpl_text(name + (" (baseline)" if name == s.base else " (best)")),
                     fontsize=10)
        _month_axis(ax, s)
    axes[0].set_ylabel(mpl_text(f"{m.indicator} ({m.unit})"))
    return finish_figure(fig, [h_true, h_rep], ["true indicator (solid)",
                                           "reported indicator (dashed)"])


def reporter_panels(s: StudyView, agg: dict[str, pd.DataFrame],
                    panels: Sequence[tuple[str, str, float]], width: float = 10.0,
                    band: bool = False) -> str:
    """One panel per reporter, one mean line per scenario.

    Args:
        s: The study.
        agg: :func:`aggregate` of its months.
        panels: ``(reporter, y axis label, scale)`` for each panel (reporters not recorded
            are left out).
        width: The figure's width (inches).
        band: Whether to draw the 95% bands.
    """
    panels = [p for p in panels if p[0] in agg["mean"].columns]
    fig = new_figure(width, 3.2)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    handles: list = []
    for ax, (column, ylabel, scale) in zip(axes, panels, strict=True):
        handles = [_line(ax, agg, s, name, column, band=band, scale=scale) for name in s.names]
        ax.set_ylabel(mpl_text(ylabel), fontsize=9)
        ax.tick_params(labelsize=8)
        _month_axis(ax, s)
    labels = [mpl_text(n) for n, h in zip(s.names, handles, strict=True) if h is not None]
    return finish_figure(fig, [h for h in handles if h is not None], labels, titled=False)


def by_deprivation(s: StudyView, deprivation: pd.DataFrame) -> str:
    """Outcome by deprivation quintile, and each scenario's paired effect by quintile.

    Args:
        s: The study.
        deprivation: :func:`missionsim.analysis.stats.by_deprivation` of its results.
    """
    m = s.mission
    others = [n for n in s.names if n != s.base]
    fig = new_figure(10.0 if others else 5.5, 3.4)
    axes = fig.subplots(1, 2 if others else 1, squeeze=False)[0]
    handles = []
    for name in s.names:
        rows = deprivation[deprivation["scenario"] == name]
        (h,) = axes[0].plot(rows["group"], rows["outcome"], marker=s.markers[name],
                            color=s.colours[name],
                            ls=s.styles[name],
                            lw=BASELINE_WIDTH if name == s.base else LINE_WIDTH)
        handles.append(h)
    axes[0].set_ylabel(mpl_text(f"mean outcome per place ({m.unit})"), fontsize=9)
    axes[0].set_title("Outcome by deprivation quintile", fontsize=10)
    if others:
        ax = axes[1]
        width = 0.6 / max(1, len(others))  # the scenarios share 0.6 of a quintile's width
        for i, name in enumerate(others):
            rows = deprivation[deprivation["scenario"] == name]
            x = rows["group"].to_numpy() + (i - (len(others) - 1) / 2) * width
            y = rows["effect"].to_numpy()
            err = np.vstack([y - rows["effect_lo"].to_numpy(), rows["effect_hi"].to_numpy() - y])
            ax.errorbar(x, y, yerr=np.nan_to_num(err), fmt=s.markers[name], ms=4,
                        color=s.colours[name], capsize=2, lw=1)
        ax.axhline(0, color=BASELINE_COLOUR, lw=0.8)
        ax.set_ylabel(mpl_text(f"effect against {s.base} ({effect_unit(m.unit)})"), fontsize=9)
        ax.set_title("Paired effect by quintile (95% CI)", fontsize=10)
    for ax in axes:
        ax.set_xlabel("deprivation quintile (1 = least deprived, 5 = most)")
        ax.set_xticks(sorted(deprivation["group"].unique()))
        ax.grid(alpha=GRID_ALPHA)
        ax.tick_params(labelsize=8)
    return finish_figure(fig, handles, [mpl_text(n) for n in s.names])


def cost_and_effect(s: StudyView) -> str:
    """Extra spend against effect at the end, both paired, each point numbered by rank."""
    m = s.mission
    fig = new_figure(8.0, 4.6)
    ax = fig.add_subplot()
    ax.axhline(0, color=AXIS_COLOUR, lw=0.8)
    ax.axvline(0, color=AXIS_COLOUR, lw=0.8)
    handles, labels = [], []
    for _, r in s.ranked().iterrows():
        name = r["scenario"]
        x, y = r["extra_spend"], r["effect_end"]
        if r["baseline"]:
            (h,) = ax.plot([x], [y], marker="s", color=BASELINE_COLOUR, ms=7, ls="none")
        else:
            xerr = np.nan_to_num([[x - r["extra_spend_lo"]], [r["extra_spend_hi"] - x]])
            yerr = np.nan_to_num([[y - r["effect_end_lo"]], [r["effect_end_hi"] - y]])
            h = ax.errorbar([x], [y], xerr=xerr, yerr=yerr, fmt=s.markers[name],
                            color=s.colours[name], capsize=3, ms=6, lw=1.2)
        ax.annotate(str(r["rank"]), (x, y), xytext=(4, 4), textcoords="offset points",
                    fontsize=8, color=s.colours[name])
        handles.append(h)
        labels.append(mpl_text(f"{r['rank']}. {name}" + (" (baseline)" if r["baseline"]
                                                          else "")))
    better = "higher is better" if m.direction > 0 else "lower is better"
    ax.set_xlabel(f"extra spend against {mpl_text(s.base)} over the run (£m, paired, 95% CI)")
    ax.set_ylabel(mpl_text(f"effect at month {s.end} ({effect_unit(m.unit)})"))
    ax.set_title(f"Extra spend and effect ({better})", fontsize=11)
    ax.grid(alpha=GRID_ALPHA)
    return finish_figure(fig, handles, labels)
