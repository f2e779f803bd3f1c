"""ECharts options for the app's charts, as plain dicts, each with its data for a CSV download.

Nothing here depends on Solara. A :class:`Figure` holds an ECharts option (plain,
JSON-ready dicts and lists: numbers rounded, missing values ``None``) and the columns it
draws, from which :meth:`Figure.csv` writes the chart's data when someone asks for it (never
at every frame). :func:`base` gives what every chart shares: text of at least
:data:`FONT_SIZE` pixels, a tooltip, and the toolbox (zoom, restore, save as image);
:func:`line_figure` builds a line chart with optional 95% bands and a deadline marker, which
the Explore page's charts and the Compare page's fan charts are made of
(:mod:`missionsim.ui.charts`). :mod:`missionsim.ui.figure` shows a figure on a page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

FONT_SIZE = 14
"""Pixel size of every chart text (axis labels, legends, tooltips): readable from the back of
a room on a 1280×720 projector, where the old charts' 6–9 px text was not."""

TITLE_SIZE = 16
"""Pixel size of a chart's title."""

FONT_FAMILY = "Roboto, Helvetica, Arial, sans-serif"
"""The charts' typeface: the page's own."""

INK, AXIS, GRID = "#202124", "#5f6368", "#e8eaed"
"""Colours of titles and legends, of axes and their labels, and of grid lines."""

SIGNIFICANT = 4
"""Significant digits kept of each value sent to the browser (tooltips and the option's size)."""

LINE_HEIGHT, SMALL_HEIGHT = 340, 300
"""Pixel heights of a main chart (the mission's trajectory, a fan chart) and of a small one."""

TOP, BOTTOM, SIDE, LEGEND_TOP = 74, 40, 16, 34
"""Room (pixels) above the plot for the title and legend, below it for the x axis, and at
its sides; and where the legend's row starts."""
AXIS_NAME_GAP = 8
"""Pixels between a value axis's top and its title (clear of the legend above it)."""

TOOLBOX_TOP, TOOLBOX_ICON, TOOLBOX_ROOM = 64, 16, 28
"""The toolbox stands in a column at the right of the plot, clear of the title and the
legend: its top (pixels), its icons' size, and the room the plot leaves it."""

LINE_WIDTH, GUIDE_WIDTH, MAIN_WIDTH = 2.0, 1.5, 2.6
"""Line widths: most series, guides (a target, a zero line), and the series a chart is about."""

DEADLINE_COLOUR = "#9aa0a6"
"""Colour of the vertical line at the mission's deadline."""


def rounded(values: Any) -> list[float | None]:
    """Values as JSON-ready floats, :data:`SIGNIFICANT` digits, missing values as ``None``."""
    a = np.asarray(values, dtype=float)
    finite = np.isfinite(a)
    out = [None] * a.size
    for i in np.flatnonzero(finite):
        out[i] = float(f"{a[i]:.{SIGNIFICANT}g}")
    return out


def by_month(x: Any, y: Any, months: int) -> list[float | None]:
    """A series' values on the month axis 0 … ``months`` - 1 (``None``: no value that month).

    The x axis is a category axis of months, so every series (and the two series that shade
    a band, stacked one on the other) lines up month by month.
    """
    out: list[float | None] = [None] * months
    for xi, yi in zip(np.asarray(x, dtype=float).tolist(), rounded(y), strict=True):
        if 0 <= xi < months and float(xi).is_integer():
            out[int(xi)] = yi
    return out


@dataclass(frozen=True)
class Line:
    """One series of a line chart.

    Attributes:
        name: Legend and tooltip name (also its column in the CSV).
        x: Months.
        y: Values (NaN: no value that month).
        colour: Line colour.
        dash: ``"solid"``, ``"dashed"`` or ``"dotted"``.
        width: Line width in pixels.
    """

    name: str
    x: Any
    y: Any
    colour: str
    dash: str = "solid"
    width: float = LINE_WIDTH


@dataclass(frozen=True)
class Band:
    """A shaded interval (a 95% band) around the :class:`Line` of the same name.

    It shares the line's legend entry (hiding the line hides its band) and stays out of the
    tooltip; its bounds are in the CSV as ``<name> low`` and ``<name> high``.
    """

    name: str
    x: Any
    lo: Any
    hi: Any
    colour: str
    opacity: float


@dataclass(frozen=True, eq=False)
class Figure:
    """An ECharts option and the data it draws.

    Attributes:
        option: The ECharts option (JSON-ready).
        height: Pixel height the chart is shown at.
        columns: ``(name, x, y)`` of every series the chart draws, for :meth:`table`.
        index: Name of the x column in the table (``month``).
        rows: Builds the table instead of ``columns`` (a chart that is not a line chart).
    """

    option: dict[str, Any]
    height: int = SMALL_HEIGHT
    columns: tuple[tuple[str, Any, Any], ...] = field(default=())
    index: str = "month"
    rows: Callable[[], pd.DataFrame] | None = None

    def table(self) -> pd.DataFrame:
        """The chart's data: one row per x value, one column per series."""
        if self.rows is not None:
            return self.rows()
        if not self.columns:
            return pd.DataFrame({self.index: []})
        frames = [pd.DataFrame({self.index: np.asarray(x), name: np.asarray(y, dtype=float)})
                  .drop_duplicates(self.index).set_index(self.index)
                  for name, x, y in self.columns]
        return pd.concat(frames, axis=1).sort_index().reset_index()

    def csv(self) -> bytes:
        """:meth:`table` as CSV (UTF-8), what the chart's download gives."""
        return self.table().to_csv(index=False).encode("utf-8")


def text(size: int = FONT_SIZE, colour: str = INK) -> dict[str, Any]:
    """An ECharts text style."""
    return {"fontSize": size, "color": colour, "fontFamily": FONT_FAMILY}


def base(title: str, subtitle: str = "", tooltip: str = "axis") -> dict[str, Any]:
    """What every chart's option shares: title, text sizes, tooltip and toolbox.

    Animation is off: a playing run redraws five times a second.

    Args:
        title: The chart's title.
        subtitle: A second line under it (empty: none).
        tooltip: ECharts' tooltip trigger: ``"axis"`` (every line at the hovered month) or
            ``"item"`` (the hovered node or tie).
    """
    return {
        "animation": False,
        "textStyle": text(),
        "title": {"text": title, "subtext": subtitle, "left": SIDE, "top": 4,
                  "textStyle": {**text(TITLE_SIZE), "fontWeight": 500},
                  "subtextStyle": text(FONT_SIZE, AXIS)},
        "tooltip": {"trigger": tooltip, "confine": True, "className": "ms-tooltip",
                    "textStyle": text(), **({"axisPointer": {"type": "line"}}
                                             if tooltip == "axis" else {})},
        "toolbox": {"right": 4, "top": TOOLBOX_TOP, "orient": "vertical",
                    "itemSize": TOOLBOX_ICON, "itemGap": TOOLBOX_ICON // 2, "feature": {
            # a zoom never drops points: ECharts' default filter would drop a band's width
            # wherever the width alone is off the zoomed axis, though the band is on it
            **({"dataZoom": {"title": {"zoom": "zoom (drag a box)", "back": "undo zoom"},
                             "filterMode": "none"},
                "restore": {"title": "reset"}} if tooltip == "axis" else {}),
            "saveAsImage": {"title": "save as image", "name": title[:60]}}},
    }


def axis(name: str = "", *, lo: float | None = None, hi: float | None = None,
         scale: bool = False) -> dict[str, Any]:
    """A value axis with readable labels.

    Args:
        name: Axis title (empty: none).
        lo: Lowest value shown (``None``: ECharts chooses).
        hi: Highest value shown (``None``: ECharts chooses).
        scale: Whether the axis may leave out zero (a level far from zero).
    """
    out: dict[str, Any] = {
        "type": "value", "name": name,
        # the title starts over the axis and runs right, inside the chart (centred on the
        # axis, its left half would be cut off at the chart's edge)
        "nameTextStyle": {**text(FONT_SIZE, AXIS), "align": "left"}, "nameGap": AXIS_NAME_GAP,
        "scale": scale, "axisLabel": text(FONT_SIZE, AXIS),
        "axisLine": {"lineStyle": {"color": AXIS}},
        "splitLine": {"lineStyle": {"color": GRID}}}
    if lo is not None:
        out["min"] = lo
    if hi is not None:
        out["max"] = hi
    return out


def line_series(line: Line, months: int) -> dict[str, Any]:
    """An ECharts line series for a :class:`Line` over ``months`` months."""
    return {"type": "line", "id": line.name, "name": line.name,
            "data": by_month(line.x, line.y, months),
            "showSymbol": False, "connectNulls": False, "color": line.colour,
            "lineStyle": {"color": line.colour, "width": line.width, "type": line.dash},
            "emphasis": {"disabled": True}}


def band_series(band: Band, k: int, months: int) -> list[dict[str, Any]]:
    """Two stacked series that shade a :class:`Band` (its low edge, then its width).

    The stack adds every value whatever its sign (``stackStrategy: all``): ECharts' default
    stacks positive and negative values apart, which would shade a band whose low edge is
    below zero from zero up.
    """
    stack = f"band{k}"
    common = {"type": "line", "name": band.name, "stack": stack, "stackStrategy": "all",
              "showSymbol": False,
              "lineStyle": {"opacity": 0}, "tooltip": {"show": False}, "silent": True,
              "color": band.colour, "emphasis": {"disabled": True}}
    lo = np.asarray(band.lo, dtype=float)
    width = np.asarray(band.hi, dtype=float) - lo
    return [{**common, "id": f"{band.name} low", "data": by_month(band.x, lo, months)},
            {**common, "id": f"{band.name} width", "data": by_month(band.x, width, months),
             "areaStyle": {"color": band.colour, "opacity": band.opacity}}]


def deadline_line(month: int) -> dict[str, Any]:
    """A markLine at the mission's deadline (added to the first series)."""
    return {"silent": True, "symbol": "none",
            "label": {"formatter": "deadline", "position": "insideEndTop", **text()},
            "lineStyle": {"color": DEADLINE_COLOUR, "type": "dashed", "width": GUIDE_WIDTH},
            "data": [{"xAxis": month}]}


def line_figure(title: str, lines: Sequence[Line], *, xmax: int,
                bands: Sequence[Band] = (), ylabel: str = "", ylo: float | None = None,
                yhi: float | None = None, scale: bool = False, deadline: int | None = None,
                height: int = SMALL_HEIGHT) -> Figure:
    """A line chart over months, with its data for a CSV.

    Args:
        title: Chart title.
        lines: The series, drawn in order (the last on top).
        xmax: Last month on the x axis (the axis stays put while a run plays).
        bands: Shaded 95% intervals, drawn under the lines.
        ylabel: The y axis's title.
        ylo: Lowest y shown (``None``: ECharts chooses).
        yhi: Highest y shown (``None``: ECharts chooses).
        scale: Whether the y axis may leave out zero.
        deadline: Month of the mission's deadline, marked by a vertical line (``None``: none).
        height: Pixel height of the chart.
    """
    months = xmax + 1
    series: list[dict[str, Any]] = []
    for k, band in enumerate(bands):
        series.extend(band_series(band, k, months))
    series.extend(line_series(line, months) for line in lines)
    if deadline is not None and series:
        series[-1]["markLine"] = deadline_line(deadline)
    option = base(title)
    option.update({
        "legend": {"data": [line.name for line in lines], "top": LEGEND_TOP, "left": SIDE,
                   "right": SIDE, "textStyle": text(), "type": "scroll"},
        "grid": {"top": TOP, "bottom": BOTTOM, "left": SIDE,
                 "right": TOOLBOX_ROOM + SIDE, "containLabel": True},
        "xAxis": {**axis("month"), "type": "category", "data": list(range(months)),
                  "boundaryGap": False, "nameLocation": "middle", "nameGap": 26},
        "yAxis": axis(ylabel, lo=ylo, hi=yhi, scale=scale),
        "series": series,
    })
    columns = [(line.name, line.x, line.y) for line in lines]
    for band in bands:
        columns += [(f"{band.name} low", band.x, band.lo), (f"{band.name} high", band.x,
                                                             band.hi)]
    return Figure(option=option, height=height, columns=tuple(columns))


__all__ = ["FONT_SIZE", "Band", "Figure", "Line", "axis", "base", "line_figure", "by_month",
           "rounded", "text"]
