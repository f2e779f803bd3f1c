"""The places chart as inline SVG: a tile map of every place, coloured by status.

The other charts are ECharts figures (:mod:`missionsim.ui.echarts`). The tile map stays SVG:
it has no axes, series or zoom for ECharts to add, its tiles carry their own tooltips
(``<title>``), and the picked place's outline and the most deprived tenth's are plain
strokes; an ECharts heatmap would need a category grid, a visual map and per-cell styles to
draw the same, at more cost every frame.

The drawing is sized so its text reads at :data:`TEXT_SIZE` pixels or more in the narrow
column the page gives it on a 1280-pixel-wide projector (it scales with its container:
``viewBox`` plus ``width="100%"``). Text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

import numpy as np

FONT = "font-family=\"Roboto, Helvetica, Arial, sans-serif\""
INK = "#202124"

TEXT_SIZE, TITLE_SIZE = 15, 16
"""Text and title size in drawing units (about pixels: the drawing is about as wide as its
column at 1280 pixels)."""

TILES_WIDTH = 300
"""Width of the tile map's drawing, in drawing units."""

LEGEND_ROW = 20
"""Height of a legend row of the tile map, in drawing units."""

SECTOR_COLOURS = {
    "central": "#6a3d9a",
    "local_government": "#1f78b4",
    "voluntary": "#33a02c",
}
"""Node colour per sector of the partnership network."""
SECTOR_LABELS = {"central": "central government", "local_government": "councils",
                 "voluntary": "charities"}
"""Legend name of each sector."""


STATUS_COLOURS = ("#1a9850", "#fdae61", "#d73027")
"""Tile colours: on track, slightly behind, well behind."""

PICKED_COLOUR, PICKED_WIDTH = "#1f78b4", 3.5
"""Outline of the picked place's tile: colour and width in drawing units (wider than the
most deprived tenth's, so a picked place among them still stands out)."""

BEHIND_A_LITTLE = 0.25
"""A place less than this share of its required change behind is amber, more is red."""

MAX_CELL = 36.0
"""Largest tile, in drawing units (a world of a few places keeps small tiles)."""

SWATCH = 13
"""Size of a legend swatch, in drawing units."""


def tiles(behind: np.ndarray, deprivation: np.ndarray, title: str,
          most_deprived: np.ndarray | None = None, width: int = TILES_WIDTH,
          names: Sequence[str] | None = None, picked: int | None = None) -> str:
    """Places as tiles ordered by deprivation, coloured by how far behind trajectory.

    Each tile's tooltip names its place, with its deprivation and how far behind it is. The
    title is split at its first "(" onto two lines, so it fits the narrow column.

    Args:
        behind: Per place, how far behind its trajectory as a share of the required change
            (0 = on track).
        deprivation: Per place deprivation (tiles run from least to most deprived).
        title: Chart title (also the drawing's ``aria-label``).
        most_deprived: Boolean mask of the places to outline (default: the most deprived
            tenth).
        width: Drawing width.
        names: Per place name (default: "Place 1", "Place 2", …).
        picked: The place to outline in :data:`PICKED_COLOUR` (``None``: none).
    """
    behind = np.asarray(behind, dtype=float)
    dep = np.asarray(deprivation, dtype=float)
    n = behind.size
    if names is None:
        names = [f"Place {i + 1}" for i in range(n)]
    if most_deprived is None:
        most_deprived = np.zeros(n, dtype=bool)
        most_deprived[np.argsort(dep)[-max(1, n // 10):]] = True
    order = np.argsort(dep, kind="stable")
    cols = max(1, math.ceil(math.sqrt(n * 2.2)))
    rows = math.ceil(n / cols)
    head, _, tail = title.partition(" (")
    lines = [head, *([f"({tail}"] if tail else [])]
    left, top = 4, 8 + LEGEND_ROW * len(lines)
    cell = min(MAX_CELL, (width - 2 * left) / cols)
    legend_rows = 4 + (picked is not None)
    height = int(top + rows * cell + 8 + LEGEND_ROW * legend_rows)
    status = np.where(behind <= 0.0, 0, np.where(behind < BEHIND_A_LITTLE, 1, 2))
    picked_at = None
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="100%" role="img" aria-label="{escape(title)}" {FONT} '
           f'font-size="{TEXT_SIZE}">']
    out += [f'<text x="{left}" y="{LEGEND_ROW * (k + 1) - 2}" font-size="{TITLE_SIZE}" '
            f'font-weight="500" fill="{INK}">{escape(line)}</text>'
            for k, line in enumerate(lines)]
    for k, i in enumerate(order):
        r, c = divmod(k, cols)
        x, y = left + c * cell, top + r * cell
        stroke = (f' stroke="{INK}" stroke-width="2.5"' if most_deprived[i]
                  else ' stroke="#ffffff" stroke-width="1"')
        out.append(f'<rect x="{x + 1:.1f}" y="{y + 1:.1f}" width="{cell - 2:.1f}" '
                   f'height="{cell - 2:.1f}" rx="3" fill="{STATUS_COLOURS[status[i]]}"{stroke}>'
                   f'<title>{escape(names[i])}: deprivation {dep[i]:.2f}, '
                   f'{"on track" if behind[i] <= 0 else f"{behind[i]:.0%} behind"}</title>'
                   f'</rect>')
        if i == picked:
            picked_at = x, y
    if picked_at is not None:
        x, y = picked_at
        out.append(f'<rect class="picked" x="{x + 1:.1f}" y="{y + 1:.1f}" '
                   f'width="{cell - 2:.1f}" height="{cell - 2:.1f}" rx="3" fill="none" '
                   f'stroke="{PICKED_COLOUR}" stroke-width="{PICKED_WIDTH}"/>')
    counts = np.bincount(status, minlength=3)
    legend = [(f'fill="{colour}"', f"{label}: {count}") for colour, label, count in zip(
        STATUS_COLOURS, ("on track", "behind < 25%", "behind ≥ 25%"), counts, strict=True)]
    legend.append((f'fill="none" stroke="{INK}" stroke-width="2.5"',
                   "most deprived tenth (least deprived first)"))
    if picked_at is not None:
        legend.append((f'fill="none" stroke="{PICKED_COLOUR}" stroke-width="{PICKED_WIDTH}"',
                       "picked"))
    y0 = top + rows * cell + 8
    for k, (style, label) in enumerate(legend):
        y = y0 + LEGEND_ROW * k
        out.append(f'<rect x="{left + 2}" y="{y + 2}" width="{SWATCH}" height="{SWATCH}" '
                   f'rx="2" {style}/><text x="{left + SWATCH + 8}" y="{y + SWATCH}" '
                   f'fill="{INK}">{escape(label)}</text>')
    out.append("</svg>")
    return "".join(out)


__all__ = ["PICKED_COLOUR", "SECTOR_COLOURS", "SECTOR_LABELS", "STATUS_COLOURS", "tiles"]
