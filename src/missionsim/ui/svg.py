"""Charts as inline SVG: line charts with bands, tile maps and the partnership network.

The browser app redraws its charts after every step, so they must be cheap: each function
here builds an SVG string directly with NumPy (a few milliseconds even for the england
network's thousands of ties) and the browser draws it. Figures for files (the HTML report)
use matplotlib instead (:mod:`missionsim.writeup.report`).

Every function returns a complete ``<svg>`` element that scales to its container's width
(``viewBox`` plus ``width="100%"``). Text is escaped; missing values (NaN) break a line
rather than drawing it to zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

import numpy as np

FONT = "font-family=\"Roboto, Helvetica, Arial, sans-serif\""
AXIS = "#5f6368"
GRID = "#e8eaed"
INK = "#202124"

SECTOR_COLOURS = {
    "central": "#6a3d9a",
    "local_government": "#1f78b4",
    "voluntary": "#33a02c",
}
"""Node colour per sector of the partnership network."""
SECTOR_LABELS = {"central": "central government", "local_government": "councils",
                 "voluntary": "charities"}


@dataclass
class Line:
    """One series of a line chart.

    Attributes:
        label: Legend text (empty: not in the legend).
        y: Values, one per x.
        colour: Stroke colour.
        dash: SVG dash pattern (empty: solid).
        width: Stroke width in pixels.
        x: Its own x values (default: the chart's).
    """

    label: str
    y: Sequence[float]
    colour: str = "#1f78b4"
    dash: str = ""
    width: float = 2.0
    x: Sequence[float] | None = None


@dataclass
class Band:
    """A shaded band between ``lo`` and ``hi`` (e.g. a 95% interval across replicates)."""

    lo: Sequence[float]
    hi: Sequence[float]
    colour: str = "#1f78b4"
    opacity: float = 0.18
    label: str = ""
    x: Sequence[float] | None = None


@dataclass
class Chart:
    """A line chart: title, axes, lines, bands and vertical markers.

    Attributes:
        title: Shown above the plot.
        x: Shared x values (months).
        lines: Series to draw.
        bands: Shaded bands, drawn under the lines.
        xlim: x range (default: the data's).
        ylim: y range (default: the data's, padded).
        ylabel: Unit shown at the top of the y axis.
        xlabel: Shown under the x axis.
        markers: Vertical lines ``(x, label)`` such as a mission's deadline.
        width: Drawing width in SVG units (the chart scales to its container).
        height: Drawing height in SVG units.
    """

    title: str
    x: Sequence[float] = ()
    lines: list[Line] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    xlim: tuple[float, float] | None = None
    ylim: tuple[float, float] | None = None
    ylabel: str = ""
    xlabel: str = "month"
    markers: list[tuple[float, str]] = field(default_factory=list)
    width: int = 460
    height: int = 260


def nice_ticks(lo: float, hi: float, target: int = 5) -> np.ndarray:
    """Round tick values covering ``[lo, hi]`` (about ``target`` of them)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return np.array([0.0])
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / max(1, target)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    ticks = np.arange(first, hi + step * 1e-6, step)
    return np.round(ticks, 10)


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    a = abs(value)
    if a >= 10_000:
        return f"{value / 1000:.0f}k"
    if a >= 100:
        return f"{value:.0f}"
    if a >= 1:
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _range(values: list[np.ndarray], pad: float = 0.06) -> tuple[float, float]:
    finite = [v[np.isfinite(v)] for v in values]
    finite = [v for v in finite if v.size]
    if not finite:
        return 0.0, 1.0
    lo = float(min(v.min() for v in finite))
    hi = float(max(v.max() for v in finite))
    if hi - lo < 1e-12:
        span = abs(hi) * 0.05 or 1.0
        return lo - span, hi + span
    span = hi - lo
    return lo - pad * span, hi + pad * span


def _path(x: np.ndarray, y: np.ndarray) -> str:
    """An SVG path through the points, broken at missing values."""
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return ""
    starts = ok & ~np.r_[False, ok[:-1]]
    cmd = np.where(starts, "M", "L")
    parts = [f"{c}{a:.1f},{b:.1f}" for c, a, b in zip(cmd[ok], x[ok], y[ok], strict=True)]
    return "".join(parts)


def line_chart(chart: Chart) -> str:
    """Render a :class:`Chart` as an SVG string."""
    w, h = chart.width, chart.height
    left, right, top, bottom = 52, 12, 30, 40
    legend_rows = math.ceil(len([ln for ln in chart.lines if ln.label]) / 3)
    bottom += 16 * legend_rows
    pw, ph = w - left - right, h - top - bottom
    x0 = np.asarray(chart.x, dtype=float)

    def xs(item) -> np.ndarray:
        return x0 if item.x is None else np.asarray(item.x, dtype=float)

    ys = [np.asarray(ln.y, dtype=float) for ln in chart.lines]
    ys += [np.asarray(b.lo, dtype=float) for b in chart.bands]
    ys += [np.asarray(b.hi, dtype=float) for b in chart.bands]
    xs_all = [xs(ln) for ln in chart.lines] + [xs(b) for b in chart.bands]
    xlo, xhi = chart.xlim or _range(xs_all, pad=0.0)
    ylo, yhi = chart.ylim or _range(ys)
    if xhi <= xlo:
        xhi = xlo + 1.0

    def sx(v):
        return left + (np.asarray(v, dtype=float) - xlo) / (xhi - xlo) * pw

    def sy(v):
        return top + (1.0 - (np.asarray(v, dtype=float) - ylo) / (yhi - ylo)) * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" '
           f'role="img" aria-label="{escape(chart.title)}" {FONT} font-size="12">',
           f'<text x="{left}" y="18" font-size="14" font-weight="500" fill="{INK}">'
           f'{escape(chart.title)}</text>']
    if chart.ylabel:
        out.append(f'<text x="{w - right}" y="18" text-anchor="end" fill="{AXIS}">'
                   f'{escape(chart.ylabel)}</text>')
    for t in nice_ticks(ylo, yhi):
        if ylo <= t <= yhi:
            y = float(sy(t))
            out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" '
                       f'stroke="{GRID}"/>')
            out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
                       f'fill="{AXIS}">{_fmt(float(t))}</text>')
    for t in nice_ticks(xlo, xhi, 6):
        if xlo <= t <= xhi:
            x = float(sx(t))
            out.append(f'<text x="{x:.1f}" y="{top + ph + 16}" text-anchor="middle" '
                       f'fill="{AXIS}">{_fmt(float(t))}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" '
               f'stroke="{AXIS}" stroke-width="0.8"/>')
    if chart.xlabel:
        out.append(f'<text x="{left + pw / 2:.1f}" y="{top + ph + 32}" text-anchor="middle" '
                   f'fill="{AXIS}">{escape(chart.xlabel)}</text>')
    out.append(f'<clipPath id="c{id(chart)}"><rect x="{left}" y="{top}" width="{pw}" '
               f'height="{ph}"/></clipPath><g clip-path="url(#c{id(chart)})">')
    for band in chart.bands:
        bx = xs(band)
        lo, hi = np.asarray(band.lo, dtype=float), np.asarray(band.hi, dtype=float)
        ok = np.isfinite(bx) & np.isfinite(lo) & np.isfinite(hi)
        if ok.sum() < 2:
            continue
        px = np.r_[sx(bx[ok]), sx(bx[ok])[::-1]]
        py = np.r_[sy(hi[ok]), sy(lo[ok])[::-1]]
        points = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py, strict=True))
        out.append(f'<polygon points="{points}" fill="{band.colour}" '
                   f'fill-opacity="{band.opacity}" stroke="none"/>')
    for mx, label in chart.markers:
        if xlo <= mx <= xhi:
            x = float(sx(mx))
            out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + ph}" '
                       f'stroke="{AXIS}" stroke-dasharray="2 3"/>')
            out.append(f'<text x="{x + 3:.1f}" y="{top + 12}" fill="{AXIS}" font-size="11">'
                       f'{escape(label)}</text>')
    for line, y in zip(chart.lines, ys, strict=False):
        d = _path(sx(xs(line)), sy(y))
        if d:
            dash = f' stroke-dasharray="{line.dash}"' if line.dash else ""
            out.append(f'<path d="{d}" fill="none" stroke="{line.colour}" '
                       f'stroke-width="{line.width}"{dash} stroke-linejoin="round"/>')
    out.append("</g>")
    labelled = [ln for ln in chart.lines if ln.label]
    col_w = pw / 3
    for i, line in enumerate(labelled):
        lx = left + (i % 3) * col_w
        ly = top + ph + 46 + 16 * (i // 3)
        dash = f' stroke-dasharray="{line.dash}"' if line.dash else ""
        out.append(f'<line x1="{lx:.1f}" x2="{lx + 18:.1f}" y1="{ly - 4}" y2="{ly - 4}" '
                   f'stroke="{line.colour}" stroke-width="{line.width}"{dash}/>')
        out.append(f'<text x="{lx + 22:.1f}" y="{ly}" fill="{INK}">{escape(line.label)}</text>')
    out.append("</svg>")
    return "".join(out)


STATUS_COLOURS = ("#1a9850", "#fdae61", "#d73027")
"""Tile colours: on track, slightly behind, well behind."""

LEGEND_STEP = 128
"""Distance between the tile map's legend entries, in drawing units."""

PICKED_COLOUR, PICKED_WIDTH = "#1f78b4", 3.5
"""Outline of the picked place's tile: colour and width in drawing units (wider than the
most deprived tenth's, so a picked place among them still stands out)."""


def tiles(behind: np.ndarray, deprivation: np.ndarray, title: str,
          most_deprived: np.ndarray | None = None, width: int = 460,
          names: Sequence[str] | None = None, picked: int | None = None) -> str:
    """Places as tiles ordered by deprivation, coloured by how far behind trajectory.

    Each tile's tooltip names its place, with its deprivation and how far behind it is.

    Args:
        behind: Per place, how far behind its trajectory as a share of the required change
            (0 = on track).
        deprivation: Per place deprivation (tiles run from least to most deprived).
        title: Chart title.
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
    left, top = 8, 30
    cell = min(36.0, (width - 2 * left) / cols)
    height = int(top + rows * cell + 52)
    status = np.where(behind <= 0.0, 0, np.where(behind < 0.25, 1, 2))
    picked_at = None
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="100%" role="img" aria-label="{escape(title)}" {FONT} font-size="12">',
           f'<text x="{left}" y="18" font-size="14" font-weight="500" fill="{INK}">'
           f'{escape(title)}</text>']
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
    legend = [("on track", counts[0]), ("behind < 25%", counts[1]), ("behind ≥ 25%", counts[2])]
    y = top + rows * cell + 20
    for k, (label, count) in enumerate(legend):
        x = left + k * LEGEND_STEP
        out.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" rx="2" '
                   f'fill="{STATUS_COLOURS[k]}"/><text x="{x + 16}" y="{y}" fill="{INK}">'
                   f'{escape(label)}: {count}</text>')
    out.append(f'<rect x="{left}" y="{y + 10}" width="12" height="12" rx="2" fill="none" '
               f'stroke="{INK}" stroke-width="2.5"/><text x="{left + 16}" y="{y + 20}" '
               f'fill="{INK}">most deprived tenth · least deprived first, row by row</text>')
    if picked_at is not None:
        x = left + len(legend) * LEGEND_STEP
        out.append(f'<rect x="{x}" y="{y + 10}" width="12" height="12" rx="2" fill="none" '
                   f'stroke="{PICKED_COLOUR}" stroke-width="{PICKED_WIDTH}"/>'
                   f'<text x="{x + 16}" y="{y + 20}" fill="{INK}">picked</text>')
    out.append("</svg>")
    return "".join(out)


def network(pos: np.ndarray, u: np.ndarray, v: np.ndarray, trust: np.ndarray,
            sizes: np.ndarray, sectors: Sequence[str], title: str, size: int = 560,
            faint: np.ndarray | None = None) -> str:
    """The partnership network: nodes coloured by sector, sized by capacity, ties by trust.

    Args:
        pos: Node positions in [0, 1]², one row per node.
        u: First endpoint (row of ``pos``) of each tie.
        v: Second endpoint of each tie.
        trust: Trust on each tie in [0, 1] (darker and thicker = more trust).
        sizes: Node radius in drawing units.
        sectors: Node sector names (keys of :data:`SECTOR_COLOURS`).
        title: Chart title.
        size: Drawing width and height of the plot area.
        faint: Boolean mask of ties drawn faintly (e.g. the centre's ties to every council,
            which would otherwise hide the local structure).
    """
    pos = np.asarray(pos, dtype=float)
    top = 30
    height = size + top + 46
    px = 10 + pos[:, 0] * (size - 20)
    py = top + 10 + pos[:, 1] * (size - 20)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {height}" '
           f'width="100%" role="img" aria-label="{escape(title)}" {FONT} font-size="12">',
           f'<text x="10" y="18" font-size="14" font-weight="500" fill="{INK}">'
           f'{escape(title)}</text>']
    trust = np.clip(np.asarray(trust, dtype=float), 0.0, 1.0)
    if trust.size:
        # ties in five trust classes, one path each: light and thin to dark and thick
        bins = np.minimum((trust * 5).astype(int), 4)
        faint = np.zeros(trust.size, dtype=bool) if faint is None else np.asarray(faint, bool)
        for b, dim in ((b, dim) for dim in (True, False) for b in range(5)):
            idx = np.flatnonzero((bins == b) & (faint == dim))
            if not idx.size:
                continue
            a, c = u[idx], v[idx]
            d = "".join(f"M{x1:.1f} {y1:.1f}L{x2:.1f} {y2:.1f}" for x1, y1, x2, y2 in
                        zip(px[a], py[a], px[c], py[c], strict=True))
            grey = int(200 - 36 * b)
            opacity = (0.35 + 0.15 * b) * (0.25 if dim else 1.0)
            out.append(f'<path class="ties trust{b}" d="{d}" fill="none" '
                       f'stroke="rgb({grey},{grey},{grey})" stroke-opacity="{opacity:.2f}" '
                       f'stroke-width="{0.5 + 0.3 * b:.1f}"/>')
    sectors = np.asarray(sectors)
    radii = np.asarray(sizes, dtype=float)
    order = np.argsort(-radii, kind="stable")  # big nodes first, small ones on top
    for sector, colour in SECTOR_COLOURS.items():
        idx = order[sectors[order] == sector]
        if not idx.size:
            continue
        circles = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"/>'
                          for x, y, r in zip(px[idx], py[idx], radii[idx], strict=True))
        out.append(f'<g class="nodes {sector}" fill="{colour}" fill-opacity="0.85" '
                   f'stroke="#ffffff" stroke-width="0.4">{circles}</g>')
    y = top + size + 14
    for k, (sector, colour) in enumerate(SECTOR_COLOURS.items()):
        x = 10 + k * 150
        out.append(f'<circle cx="{x + 6}" cy="{y - 4}" r="6" fill="{colour}"/>'
                   f'<text x="{x + 16}" y="{y}" fill="{INK}">{SECTOR_LABELS[sector]}</text>')
    out.append(f'<text x="10" y="{y + 20}" fill="{AXIS}">size: staff in post · darker, '
               "thicker tie: more trust · faint: central government's ties</text>")
    out.append("</svg>")
    return "".join(out)
